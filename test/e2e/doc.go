// Package e2e holds the end-to-end tests of wazo-servicekit's deliverables.
// They need root, network access for the first root of each Debian distribution and minutes of
// run time, so they only build with the e2e tag: `make e2e` runs them.
package e2e
