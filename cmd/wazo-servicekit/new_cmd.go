package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// newAbout is new's description in its --help; the flags document themselves.
const newAbout = `Writes DIR/wazo-<name>: a Go daemon on the kit that passes the "New service
guidelines" checklist (debian/, etc/, api.yml, /status, /config, an example
resource), and under sibling-patches/ the diffs for wazo-service, wazo-backup,
wazo-acceptance and wazo-platform.org. An existing directory is never overwritten.`

func newCommand() command {
	return command{name: "new", args: "wazo-<name> [flags]", summary: "a new compliant service and its sibling-repo patches", about: newAbout, define: defineNew,
		values: map[string]completion{"dir": completeDir, "siblings": completeDir, "kit": completeDir, "ha-group": completeWords("default", "wazo"), "dist": completeWords("trixie", "bookworm")},
		files:  []doc{{installedKitDir, "the kit from golang-github-wazo-platform-wazo-servicekit-dev: its scripts/service.mk is what a generated Makefile includes when no checkout is beside it"}},
		examples: []example{
			{"wazo-servicekit new wazo-example --dir ..", "../wazo-example beside the kit's checkout, on the next free port, with its sibling patches against built-in baselines"},
			{"wazo-servicekit new wazo-example --dir ~/src --siblings ~/src --acl confd.users.read", "patches against the checkouts in ~/src; a service key with that ACL"},
		}}
}

func defineNew(fs *flag.FlagSet) action {
	var opts scaffold.Options
	fs.StringVar(&opts.Dir, "dir", "", "parent `DIR`ectory, which must exist (default: the current directory)")
	fs.IntVar(&opts.Port, "port", 0, "HTTP `port` (default: the next free one in the port registry)")
	fs.StringVar(&opts.APIVersion, "api-version", "1.0", "API `version`, the basePath")
	fs.StringVar(&opts.HAGroup, "ha-group", "default", "`group`: default (keeps running on HA secondaries) or wazo (stopped there)")
	fs.StringVar(&opts.Description, "description", "", "one line, the package synopsis, in words (no < > { } [ ] ` \\ |: it goes into Markdown and MDX pages)")
	fs.Func("acl", "`ACL[,ACL...]` the service calls on other Wazo APIs with its own identity (e.g. confd.users.read):\nit then ships a wazo-auth-keys definition and reads its service key (default: none, no key)", func(v string) error {
		opts.ACLs = append(opts.ACLs, strings.Split(v, ",")...)
		return nil
	})
	fs.BoolVar(&opts.Installer, "installer", false, "wazo-ansible installs the package itself (a patch of its uc-engine role),\nnot only through the wazo-platform meta-package")
	fs.StringVar(&opts.SiblingsDir, "siblings", "", "`DIR` holding checkouts wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/\n(and, when there, wazo-platform/, xivo-build-tools/, wazo-auth-keys/, wazo-sdk/, wazo-ansible/)\nto compute the patches against (default: built-in baselines of those repositories)")
	fs.StringVar(&opts.KitDir, "kit", "", "a wazo-servicekit checkout `DIR` whose port registry gets a patch adding the service\n(default: the checkout this wazo-servicekit was built in, when run as its bin/wazo-servicekit)")
	fs.StringVar(&opts.Dist, "dist", "trixie", "the Debian `distribution` the service targets: trixie (Debian 13) or bookworm (Debian 12)")
	return func(pos []string, stdout, _ io.Writer) (int, error) { return runNew(opts, pos, stdout) }
}

func runNew(opts scaffold.Options, pos []string, stdout io.Writer) (int, error) {
	if len(pos) != 1 {
		return exitUsage, usagef("new: want exactly one service name (wazo-<name>), got %d", len(pos))
	}
	if err := validateSiblings(opts.SiblingsDir); err != nil {
		return exitUsage, err
	}
	opts.Name = pos[0]
	if opts.KitDir == "" {
		opts.KitDir = ownCheckout()
	} else if st, err := os.Stat(filepath.Join(opts.KitDir, "internal", "ports", "registry.yml")); err != nil || !st.Mode().IsRegular() {
		return exitUsage, usagef("new: --kit %s: no internal/ports/registry.yml there (want a wazo-servicekit checkout)", opts.KitDir)
	}
	p, err := scaffold.Plan(opts)
	if errors.Is(err, scaffold.ErrInternal) {
		return exitCouldNotRun, fmt.Errorf("new: %v", err)
	} else if err != nil {
		return exitUsage, usagef("new: %v", err)
	}
	if st, err := os.Stat(filepath.Dir(p.Root)); err != nil || !st.IsDir() {
		return exitUsage, usagef("new: --dir %s: no such directory; create it first or choose another --dir", filepath.Dir(p.Root))
	}
	if _, err := os.Lstat(p.Root); err == nil {
		return exitUsage, usagef("new: %s already exists: wazo-servicekit new never overwrites; choose another --dir or remove it", p.Root)
	}
	if err := p.Write(); err != nil {
		return exitCouldNotRun, fmt.Errorf("new: %v", err)
	}
	wpep, err := writeWPEP(p, opts.SiblingsDir)
	if err != nil {
		return exitCouldNotRun, fmt.Errorf("new: the WPEP draft: %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d files)\n", p.Root, len(p.Files)+1)
	fmt.Fprintf(stdout, "wpep %s: the draft to propose to wazo-platform/wpep before writing the service\n", wpep)
	fmt.Fprintf(stdout, "port %d: %s\n", p.Port, p.PortReason)
	for _, f := range p.Patches {
		if len(p.Files[f]) > 0 {
			fmt.Fprintf(stdout, "patch %s\n", filepath.Join(p.Root, f))
		}
	}
	for _, np := range p.NotPatched {
		fmt.Fprintf(stdout, "warning: %s; edit it by hand (see sibling-patches/README.md)\n", np)
	}
	kit := ""
	switch where := kitFor(p.Root); where {
	case "":
		kit = " KIT=" + opts.KitDir
		if opts.KitDir == "" {
			kit = " KIT=path/to/wazo-servicekit"
		}
		fmt.Fprintf(stdout, "kit: no wazo-servicekit checkout beside %s and no kit package installed: make needs KIT=DIR\n", p.Root)
	case installedKitDir:
		fmt.Fprintf(stdout, "kit: the installed package's sources, %s (make links them into vendor/)\n", where)
	default:
		fmt.Fprintf(stdout, "kit: the checkout beside it, %s (make writes a go.work that builds against it)\n", where)
	}
	fmt.Fprintf(stdout, "next: cd %s && make test%s; add the port to wazo-servicekit's internal/ports/registry.yml (see sibling-patches/README.md)\n", p.Root, kit)
	return exitClean, nil
}

// ownCheckout is the wazo-servicekit checkout this program was built in,
// when it runs as that checkout's bin/wazo-servicekit; "" otherwise.
func ownCheckout() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil || filepath.Base(filepath.Dir(exe)) != "bin" {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(exe))
	for _, f := range []string{"go.mod", "internal/ports/registry.yml", "scripts/service.mk"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return ""
		}
	}
	return dir
}

// installedKitDir is where golang-github-wazo-platform-wazo-servicekit-dev
// installs the kit.
const installedKitDir = "/usr/share/gocode/src/github.com/wazo-platform/wazo-servicekit"

// kitFor is where the generated Makefile finds a kit for root without
// KIT=: a wazo-servicekit checkout beside it, or the installed -dev
// package; "" when neither is there.
func kitFor(root string) string {
	beside := filepath.Join(filepath.Dir(root), "wazo-servicekit")
	for _, dir := range []string{beside, installedKitDir} {
		if st, err := os.Stat(filepath.Join(dir, "scripts", "service.mk")); err == nil && st.Mode().IsRegular() {
			return dir
		}
	}
	return ""
}

// writeWPEP checks the repository just written, as `check` does, and adds
// the WPEP draft with that checklist status. The draft is written once: it
// is not among the files `update` re-renders.
func writeWPEP(p *scaffold.Project, siblings string) (string, error) {
	rep, err := rules.Check(p.Root, rules.CheckOptions{Siblings: siblings})
	if err != nil {
		return "", err
	}
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	worst := map[string]rules.Result{}
	var order []string
	for _, r := range rep.Results() {
		prev, seen := worst[r.Rule]
		if !seen {
			order = append(order, r.Rule)
		}
		if !seen || rank[r.Status] > rank[prev.Status] {
			worst[r.Rule] = r
		}
	}
	var items []scaffold.ChecklistItem
	for _, id := range order {
		rule, err := rules.ByID(id)
		if err != nil {
			return "", err
		}
		r := worst[id]
		items = append(items, scaffold.ChecklistItem{Rule: id, Checklist: rule.Checklist, Status: string(r.Status), Message: r.Message, Practice: rule.IsPractice()})
	}
	rel := p.WPEPPath()
	return filepath.Join(p.Root, rel), safefile.WriteIn(p.Root, filepath.FromSlash(rel), p.WPEPDraft(items, time.Now().UTC()), 0o644)
}
