package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

const newUsage = `usage: wazo-servicekit new wazo-<name> [flags]

Writes DIR/wazo-<name>: a Go daemon on the kit that passes the "New service
guidelines" checklist (debian/, etc/, api.yml, /status, /config, an example
resource), and under sibling-patches/ the diffs for wazo-service, wazo-backup,
wazo-acceptance and wazo-platform.org. An existing directory is never overwritten.

flags:
  --dir DIR            parent directory (default: the current directory)
  --port N             HTTP port (default: the next free one in the port registry)
  --api-version V      API version, the basePath (default 1.0)
  --ha-group G         default (keeps running on HA secondaries) or wazo (stopped there)
  --description TEXT   one line, the package synopsis
  --acl ACL[,ACL...]   what the service calls on other Wazo APIs with its own
                       identity (e.g. confd.users.read): it then ships a
                       wazo-auth-keys definition and reads its service key
                       (default: none, no key)
  --siblings DIR       checkouts wazo-service/, wazo-backup/, wazo-acceptance/,
                       wazo-platform.org/ to compute the patches against
                       (default: built-in baselines of those repositories)
  --kit DIR            a wazo-servicekit checkout for go.mod's replace line
                       (default: the installed kit package's sources,
                       /usr/share/gocode/src/github.com/wazo-platform/wazo-servicekit,
                       so the repository builds offline)
`

func cmdNew(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var opts scaffold.Options
	fs.StringVar(&opts.Dir, "dir", "", "parent directory")
	fs.IntVar(&opts.Port, "port", 0, "HTTP port")
	fs.StringVar(&opts.APIVersion, "api-version", "1.0", "API version")
	fs.StringVar(&opts.HAGroup, "ha-group", "default", "default or wazo")
	fs.StringVar(&opts.Description, "description", "", "one-line description")
	fs.Func("acl", "ACLs the service calls other Wazo APIs with", func(v string) error {
		opts.ACLs = append(opts.ACLs, strings.Split(v, ",")...)
		return nil
	})
	fs.StringVar(&opts.SiblingsDir, "siblings", "", "sibling checkouts directory")
	fs.StringVar(&opts.KitDir, "kit", "", "wazo-servicekit checkout for go.mod's replace")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprint(stdout, newUsage)
		return err
	}
	if len(pos) != 1 {
		return usagef("new: want exactly one service name (wazo-<name>), got %d\n%s", len(pos), newUsage)
	}
	opts.Name = pos[0]
	if opts.KitDir == "" {
		if dir := scaffold.InstalledKitDir(); dir != "" {
			opts.KitDir, opts.KitSource = dir, scaffold.KitPackage
		}
	} else {
		opts.KitSource = scaffold.KitFor(opts.KitDir)
	}
	if opts.KitDir != "" {
		if st, err := os.Stat(filepath.Join(opts.KitDir, "go.mod")); err != nil || st.IsDir() {
			return usagef("new: --kit %s: no go.mod there (want a wazo-servicekit checkout)", opts.KitDir)
		}
	}
	p, err := scaffold.Plan(opts)
	if err != nil {
		return usagef("new: %v", err)
	}
	if _, err := os.Lstat(p.Root); err == nil {
		return usagef("new: %s already exists: wazo-servicekit new never overwrites; choose another --dir or remove it", p.Root)
	}
	if err := p.Write(); err != nil {
		return fmt.Errorf("new: %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d files)\n", p.Root, len(p.Files))
	fmt.Fprintf(stdout, "port %d: %s\n", p.Port, p.PortReason)
	for _, f := range p.Patches {
		if len(p.Files[f]) > 0 {
			fmt.Fprintf(stdout, "patch %s\n", filepath.Join(p.Root, f))
		}
	}
	for _, np := range p.NotPatched {
		fmt.Fprintf(stdout, "warning: %s; edit it by hand (see sibling-patches/README.md)\n", np)
	}
	switch opts.KitSource {
	case "":
		fmt.Fprintf(stdout, "note: go.mod requires the published wazo-servicekit module; to build offline, install golang-github-wazo-platform-wazo-servicekit-dev or run new with --kit DIR (a checkout)\n")
	case scaffold.KitPackage:
		fmt.Fprintf(stdout, "kit: the installed package's sources, %s\n", opts.KitDir)
	}
	fmt.Fprintf(stdout, "next: cd %s && make test; add the port to wazo-servicekit's internal/ports/registry.yml (see sibling-patches/README.md)\n", p.Root)
	return nil
}
