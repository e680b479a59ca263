package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Attacks that make the checked checkout cost far more than its size: an
// nginx include fan-out, ACLs required a hundred thousand times, thousands
// of packages.

func init() {
	register(
		attack{"N2", "check: nginx include fan-out (10 x include of itself, 300 bytes)", includeFanOut},
		attack{"N3", "check: 200 .py files x 100 KB of @required_acl('x.y.z'), 10 packages", aclUses},
		attack{"N3", "check: 2000 Package paragraphs, each with its unit", manyPackages},
	)
}

// costBound is what a check of these few megabytes may take.
const (
	costMaxMB   = 512
	costMaxSecs = 15
)

func withinCost(o outcome) (bool, string) {
	if !o.bounded() {
		return false, o.killed + " (" + o.figures() + ")"
	}
	if o.peakKB>>10 > costMaxMB || o.elapsed.Seconds() > costMaxSecs {
		return false, o.figures() + fmt.Sprintf(": more than %d MB or %d s", costMaxMB, costMaxSecs)
	}
	return true, ""
}

func includeFanOut(e *env) (bool, string) {
	dir := e.checkout("go-service")
	loc := filepath.Join(dir, "etc/nginx/locations/https-available/wazo-exampled")
	replaceIn(loc, "proxy_pass", "include /etc/nginx/bomb.conf;\n    proxy_pass")
	os.WriteFile(filepath.Join(dir, "etc/nginx/bomb.conf"), []byte(strings.Repeat("include /etc/nginx/bomb.conf;\n", 10)), 0o644)
	o := e.servicekit(dir, []string{"check", ".", "--format", "json"})
	if ok, why := withinCost(o); !ok {
		return false, why
	}
	return true, o.figures()
}

func aclUses(e *env) (bool, string) {
	dir := e.checkout("python-service")
	line := "@required_acl('x.y.z')  # " + strings.Repeat("a", 70) + "\n"
	body := []byte(strings.Repeat(line, 100000/len(line)))
	src := filepath.Join(dir, "wazo_webhookd/plugins/gen")
	os.MkdirAll(src, 0o755)
	for i := 0; i < 200; i++ {
		os.WriteFile(filepath.Join(src, fmt.Sprintf("m%d.py", i)), body, 0o644)
	}
	addPackages(dir, 9)
	o := e.servicekit(dir, []string{"check", ".", "--format", "json"})
	if ok, why := withinCost(o); !ok {
		return false, why
	}
	if len(o.stdout) > 4<<20 {
		return false, fmt.Sprintf("%s: a %d-byte report", o.figures(), len(o.stdout))
	}
	return true, fmt.Sprintf("%s, a %d-byte report (one finding per ACL, not per use)", o.figures(), len(o.stdout))
}

// addPackages adds n binary packages, each with a unit, to a checkout.
func addPackages(dir string, n int) {
	f, err := os.OpenFile(filepath.Join(dir, "debian/control"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("wazo-gen%d", i)
		fmt.Fprintf(f, "\nPackage: %s\nArchitecture: all\nDepends: adduser\nDescription: generated\n generated\n", name)
		os.WriteFile(filepath.Join(dir, "debian", name+".service"), []byte("[Service]\nExecStart=/usr/bin/"+name+"\nUser="+name+"\n"), 0o644)
	}
}

func manyPackages(e *env) (bool, string) {
	dir := e.checkout("go-service")
	addPackages(dir, 2000)
	o := e.servicekit(dir, []string{"check", ".", "--format", "json"})
	if ok, why := withinCost(o); !ok {
		return false, why
	}
	if !strings.Contains(o.stdout, "more than the 200 judged") {
		return false, o.figures() + ": no finding says the packages past the bound were left out"
	}
	return true, o.figures() + ": the first 200 judged, the rest named in a files-parse finding"
}
