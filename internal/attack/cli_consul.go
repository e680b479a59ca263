package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

// Attacks through the consul catalogue `audit --consul` reads: anyone who
// can register a service in it (any local user, on an agent without ACLs)
// chooses where the operator's token goes and how much work the audit
// does. The catalogue and the nodes are simulated on 127.0.0.1
// (internal/consulsim).

func init() {
	register(
		attack{"N8", "audit --consul: the catalogue lists wazo-doctord at 127.0.0.1:<attacker's port>", consulSteal},
		attack{"N8", "audit --consul: one node lists 3000 services answering ~300 KB each", consulHeavyNode},
		attack{"N8", "audit --consul: a node answers each of 15 services after 1.8 s", consulSlowNode},
		attack{"N8", "audit --consul: 1000 catalogue entries, then 5000", consulManyEntries},
		attack{"N9", "audit --consul: empty catalogue; every node unreachable, with --fail-on info", consulFailOpen},
	)
}

const operatorToken = "OPERATOR-TOKEN-aaaa-bbbb-cccc"

// consulAudit runs audit --consul against a catalogue of n entries, all
// pointing at d, and returns the outcome. trustPort makes d this host's
// doctord (its --doctord-port); otherwise d is an attacker's listener.
func (e *env) consulAudit(d *consulsim.Doctord, n int, trustPort bool, extra ...string) (outcome, *consulsim.Catalog) {
	srv, port := d.Serve()
	defer srv.Close()
	cat := consulsim.ServeNodes(n, port)
	defer cat.Close()
	args := []string{"audit", "--consul", cat.URL, "--format", "json"}
	if trustPort {
		args = append(args, "--doctord-port", strconv.Itoa(port))
	}
	return e.servicekit(e.scratch, append(args, extra...), "WAZO_TOKEN="+operatorToken), cat
}

func consulSteal(e *env) (bool, string) {
	attacker := &consulsim.Doctord{Services: 1, Results: 1}
	o, cat := e.consulAudit(attacker, 1, false)
	if cat.Requests.Load() == 0 {
		return false, "the audit never read the catalogue: attack missed"
	}
	if attacker.Tokens.Load() > 0 || attacker.Requests.Load() > 0 {
		return false, fmt.Sprintf("the attacker's listener got %d request(s), %d with the token", attacker.Requests.Load(), attacker.Tokens.Load())
	}
	if o.code != 3 || !strings.Contains(o.stdout, "any local user can register") {
		return false, fmt.Sprintf("no request reached the attacker, but %s; stdout %.200q", o.figures(), o.stdout)
	}
	return true, fmt.Sprintf("nothing sent to the attacker's port; the entry is unknown, saying why (%s)", o.figures())
}

func consulHeavyNode(e *env) (bool, string) {
	d := &consulsim.Doctord{Services: 3000, Results: 1, Padding: 300 << 10}
	o, _ := e.consulAudit(d, 1, true)
	if !o.bounded() || o.peakKB > 200<<10 {
		return false, fmt.Sprintf("%s %s", o.killed, o.figures())
	}
	if !strings.Contains(o.stdout, "were not asked") {
		return false, fmt.Sprintf("%s, %d requests, but no result says the rest was not asked", o.figures(), d.Requests.Load())
	}
	return true, fmt.Sprintf("%d of 3001 requests asked, %d MB read, then the rest unknown (%s)", d.Requests.Load(), d.BytesSent.Load()>>20, o.figures())
}

func consulSlowNode(e *env) (bool, string) {
	d := &consulsim.Doctord{Services: 15, Results: 1, Delay: 1800 * time.Millisecond}
	o, _ := e.consulAudit(d, 1, true, "--node-timeout", "4s")
	if !o.bounded() || o.elapsed > 10*time.Second {
		return false, fmt.Sprintf("%s %s", o.killed, o.figures())
	}
	if !strings.Contains(o.stdout, "deadline") {
		return false, fmt.Sprintf("%s but no result names the deadline", o.figures())
	}
	return true, fmt.Sprintf("cut at the node's deadline (--node-timeout 4s) after %d requests (%s)", d.Requests.Load(), o.figures())
}

func consulManyEntries(e *env) (bool, string) {
	d := &consulsim.Doctord{Services: 1, Results: 1, Delay: 5 * time.Millisecond}
	o, _ := e.consulAudit(d, 1000, true)
	if !o.bounded() || o.code != 0 || d.Peak() > 8+1 {
		return false, fmt.Sprintf("%s %s, %d requests at once", o.killed, o.figures(), d.Peak())
	}
	many := &consulsim.Doctord{Services: 1, Results: 1}
	o2, _ := e.consulAudit(many, 5000, true)
	if o2.code != 3 || many.Requests.Load() != 0 || !strings.Contains(o2.stderr, "more than the 1024") {
		return false, fmt.Sprintf("5000 entries: %s, %d requests; stderr %.200q", o2.figures(), many.Requests.Load(), o2.stderr)
	}
	return true, fmt.Sprintf("1000 entries: at most %d requests at once (8 workers; a handler may still be finishing), every node audited (%s); 5000: refused before any request (%s)", d.Peak(), o.figures(), o2.figures())
}

func consulFailOpen(e *env) (bool, string) {
	empty := consulsim.ServeCatalog(nil)
	defer empty.Close()
	o := e.servicekit(e.scratch, []string{"audit", "--consul", empty.URL}, "WAZO_TOKEN="+operatorToken)
	if o.code != 3 {
		return false, fmt.Sprintf("empty catalogue: %s", o.figures())
	}
	down := consulsim.ServeCatalog([]consulsim.Entry{{Node: "n1", Address: "127.0.0.1", Port: 1}, {Node: "n2", Address: "127.0.0.1", Port: 1}})
	defer down.Close()
	o2 := e.servicekit(e.scratch, []string{"audit", "--consul", down.URL, "--trust-node", "127.0.0.1:1", "--fail-on", "info"}, "WAZO_TOKEN="+operatorToken)
	if o2.code != 3 {
		return false, fmt.Sprintf("every node unreachable: %s", o2.figures())
	}
	return true, fmt.Sprintf("empty catalogue: %s (%s); every node unreachable: %s (%s)", o.figures(), firstLine(o.stderr), o2.figures(), firstLine(o2.stderr))
}
