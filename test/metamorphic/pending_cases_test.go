//go:build metamorphic_pending

package metamorphic

// Cases the rules do not pass yet: `go test -tags metamorphic_pending
// ./test/metamorphic` runs them with the others. Each moves to its item's
// file once the rule gives the verdict the checklist's reading asks for.

func init() {
	py := pyService
	register(

		// Misreading: the port a daemon listens on is where its code keeps
		// it, whatever other files (nginx, api.yml) say.
		metaCase{name: "listener's port a constant of another module, a test port", rule: "port-allocation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				codeDefaultsOnlyPort(tr, "rest_api", "9521")
				tr.replace(configPy, "_TALLYD_PORT = 9521\n", "from wazo_tallyd.constants import HTTP_PORT as _TALLYD_PORT\n")
				tr.write("wazo_tallyd/constants.py", "HTTP_PORT = 8080\n")
			}},

		// Misreading: pages and sibling files are wherever wazo-platform.org
		// keeps them today or kept them before.

		// Misreading: a development asset is not the package.

		// The items' readings.
		metaCase{name: "not in the meta-package's Depends", rule: "installs-cleanly", fixture: py, flips: true, want: "fail",
			edit: withoutLine("sib:wazo-platform/debian/control", "         wazo-tallyd,")},
	)
}
