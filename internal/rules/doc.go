// Package rules is the catalogue of the "New service guidelines" checklist:
// one rule per checklist item (or clearly named part of one), each with its
// documentation, a stable kebab-case ID, the exact checklist text it
// implements, a severity, and its probes. `wazo-servicekit check`,
// `wazo-servicekit audit` and wazo-doctord's REST API all use this catalogue
// and its result model, so an ID means the same thing everywhere.
//
// The files of this directory are of three kinds, and TestFileLayout keeps
// them so:
//
//   - engine_*.go: the engine — the result model (engine_model.go), the
//     catalogue's order (engine_catalogue.go), the static run over a
//     repository (engine_check.go), the live run over a host or an image root
//     (engine_live.go), the cluster audit through consul (engine_cluster.go)
//     and waivers (engine_suppress.go);
//   - helpers*.go: probe helpers shared by several rules;
//   - every other file is exactly one rule, named by its ID with "-" written
//     "_" (rule user-not-root is user_not_root.go, built by userNotRoot).
package rules
