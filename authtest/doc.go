// Package authtest stands in for wazo-auth in tests: FakeAuth speaks its
// token-check protocol (HEAD /0.1/token/TOKEN?scope=ACL&tenant=UUID) with
// wazo-auth's ACL wildcards. It is the one fake wazo-auth of the kit: the
// kit's own tests, wazo-doctord's and those of the services `wazo-servicekit
// new` generates all use it.
package authtest
