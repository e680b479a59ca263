// Command wazo-exampled is the fixture's daemon.
package main

import (
	"os"

	"github.com/wazo-platform/wazo-servicekit/daemon"

	"example.com/wazo-exampled/exampled"
)

func main() { os.Exit(daemon.Main(exampled.Spec(), os.Args[1:])) }
