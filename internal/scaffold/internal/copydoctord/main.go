// Command copydoctord refreshes scaffold/testdata/doctord, the copies of
// wazo-doctord's files that `wazo-servicekit new` derives a service from.
// Run it with `go generate ./scaffold` after changing wazo-doctord's
// packaging, shipped files, main or config layers.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/internal/doctordsrc"
)

func main() {
	root := flag.String("root", "..", "the wazo-servicekit repository root")
	out := flag.String("out", doctordsrc.CopiesDir, "where to write the copies")
	flag.Parse()
	if err := doctordsrc.Copy(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "copydoctord:", err)
		os.Exit(1)
	}
}
