// Command wazo-doctord audits the Wazo services of its host against the
// "New service guidelines" checklist and serves the results over a Wazo REST
// API on 127.0.0.1:9504 (behind nginx at https://<host>/api/doctor/).
//
// The go:debug line keeps the semantics of go.mod's language level, Go 1.23
// (ServeMux method patterns, TLS/x509 defaults), when dh-golang builds
// without go.mod, in GOPATH mode, where Go would otherwise fall back to Go
// 1.20 behaviour.
//
//go:debug default=go1.23
package main

import (
	_ "embed"
	"os"

	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/internal/doctor"
)

//go:embed defaults.yml
var defaults []byte

//go:embed dev.yml
var dev []byte

// version is what --version prints: the package's, as debian/changelog
// says.
const version = "0.1.0"

func main() {
	os.Exit(daemon.Run(daemon.App[doctor.Config]{
		Name:     "wazo-doctord",
		Version:  version,
		Defaults: defaults,
		Dev:      dev,
		Handler:  doctor.Handler,
	}, os.Args[1:]))
}
