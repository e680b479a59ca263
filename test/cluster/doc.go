// Package cluster proves `audit --consul` on a real consul cluster: three
// nodes in network namespaces the test makes (veth pairs on a bridge in a
// namespace of its own, 10.231.7.0/24 only inside them), a consul server
// and two agents joined by gossip, wazo-doctord on each node behind nginx
// terminating TLS with a CA the test makes, and the audit run from inside
// one node. It needs root, ip(8), nginx and bin/consul; it cleans up every
// namespace and process it made, and checks that it did.
package cluster
