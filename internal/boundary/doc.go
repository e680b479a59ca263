// Package boundary holds the test of the kit's boundary: the packages at the
// module root (the kit, imported by any Wazo daemon and shipped in the -dev
// package) import nothing from the tools under internal/ or the commands
// under cmd/, and debian/rules ships exactly them.
package boundary
