package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestPlanWritesTheSiblingPatches: the project carries a patch per sibling
// repository and the README naming each, from internal/siblings.
func TestPlanWritesTheSiblingPatches(t *testing.T) {
	p, err := Plan(Options{Name: "wazo-exampled"})
	if err != nil {
		t.Fatal(err)
	}
	readme := string(p.Files["sibling-patches/README.md"])
	for _, r := range []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-platform", "xivo-build-tools"} {
		f := "sibling-patches/" + r + ".diff"
		if len(p.Files[f]) == 0 {
			t.Errorf("no %s", f)
		}
		if !strings.Contains(readme, "## "+r+": `"+r+".diff`") {
			t.Errorf("README does not name %s:\n%s", r, readme)
		}
	}
	if len(p.NotPatched) != 0 {
		t.Errorf("against the baselines, not patched: %v", p.NotPatched)
	}
}

// TestRegistryPatchMakesThePortTaken: with --kit, the patch to the kit's
// internal/ports/registry.yml applies, and the patched registry gives the port to
// the new service and a later `new` the next one.
func TestRegistryPatchMakesThePortTaken(t *testing.T) {
	testenv.RequireCommand(t, "git")
	kit := t.TempDir()
	data, err := os.ReadFile(filepath.Join(kitRoot(t), "internal", "ports", "registry.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(kit, "internal", "ports"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kit, "internal", "ports", "registry.yml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, kit, "init", "-q")
	p, err := Plan(Options{Name: "wazo-exampled", KitDir: kit})
	if err != nil {
		t.Fatal(err)
	}
	patch := filepath.Join(t.TempDir(), "kit.diff")
	if err := os.WriteFile(patch, p.Files["sibling-patches/wazo-servicekit.diff"], 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, kit, "apply", "--check", patch)
	testenv.Git(t, kit, "apply", patch)
	patched, err := os.ReadFile(filepath.Join(kit, "internal", "ports", "registry.yml"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ports.Parse(patched)
	if err != nil {
		t.Fatalf("patched registry: %v", err)
	}
	if got := reg.PortsOf("wazo-exampled"); len(got) != 1 || got[0] != p.Port {
		t.Errorf("patched registry gives wazo-exampled %v, want [%d]", got, p.Port)
	}
	if next, _ := reg.Next(); next <= p.Port {
		t.Errorf("next port after the patch = %d, want above %d", next, p.Port)
	}
	if _, err := Plan(Options{Name: "wazo-other", Port: p.Port, Registry: reg}); err == nil || !strings.Contains(err.Error(), "taken by wazo-exampled") {
		t.Errorf("port %d after the patch: %v, want taken by wazo-exampled", p.Port, err)
	}
}
