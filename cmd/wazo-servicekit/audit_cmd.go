package main

import (
	"io"
)

func cmdAudit(args []string, stdout, stderr io.Writer) (int, error) {
	return exitUsage, usagef("audit: not implemented yet")
}
