package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// Corpus size of BenchmarkCheckCorpus: as many repositories as the
// platform's verdict table, each with a code tree the size of a mid-sized
// Wazo daemon's.
const (
	benchRepos   = 36
	benchModules = 120
)

// BenchmarkCheckCorpus is check over a platform-sized fleet in one call
// (the sibling checkouts read once, the repositories side by side) and,
// for the ratio, the same fleet one call per repository. Goal for the
// real corpus: under 1 s and 100 MB.
func BenchmarkCheckCorpus(b *testing.B) {
	dirs := benchCorpus(b)
	siblings := "../../internal/rules/testdata/siblings"
	check := func(dirs ...string) {
		args := append([]string{"check", "--siblings", siblings, "--format", "json"}, dirs...)
		if code := run(args, io.Discard, io.Discard); code != exitClean && code != exitFindings {
			b.Fatalf("check exited %d", code)
		}
	}
	b.Run("one-call", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			check(dirs...)
		}
	})
	b.Run("call-per-repository", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, d := range dirs {
				check(d)
			}
		}
	})
}

// benchCorpus lays out benchRepos checkouts: copies of the Python and Go
// service fixtures (three Python to one Go, as on the platform), each with
// benchModules Python modules of its own.
func benchCorpus(b *testing.B) []string {
	root := b.TempDir()
	var dirs []string
	for i := 0; i < benchRepos; i++ {
		src, pkg := "../../internal/rules/testdata/python-service", "wazo_webhookd"
		if i%4 == 3 {
			src, pkg = goFixture, "exampled"
		}
		dir := filepath.Join(root, fmt.Sprintf("service-%02d", i))
		if err := os.Rename(testenv.CopyTree(b, src, nil), dir); err != nil {
			b.Fatal(err)
		}
		gen := filepath.Join(dir, pkg, "resources")
		if err := os.MkdirAll(gen, 0o755); err != nil {
			b.Fatal(err)
		}
		for m := 0; m < benchModules; m++ {
			if err := os.WriteFile(filepath.Join(gen, fmt.Sprintf("resource_%03d.py", m)), benchModule(m), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

// benchModule is a Python module in the shape of a daemon's REST resource
// (imports, a schema, a resource class with its handlers), about 3 kB.
func benchModule(m int) []byte {
	var s strings.Builder
	fmt.Fprintf(&s, "# Copyright 2026 The Wazo Authors  (see the AUTHORS file)\n# SPDX-License-Identifier: GPL-3.0-or-later\n\n")
	fmt.Fprintf(&s, "import logging\n\nfrom flask import request\nfrom marshmallow import fields\n\nlogger = logging.getLogger(__name__)\n\n")
	fmt.Fprintf(&s, "class Item%dSchema:\n", m)
	for f := 0; f < 12; f++ {
		fmt.Fprintf(&s, "    field_%d = fields.String(validate=Length(max=%d), allow_none=True)\n", f, 64+f)
	}
	fmt.Fprintf(&s, "\n\nclass Item%dResource:\n", m)
	for _, verb := range []string{"get", "post", "put", "delete"} {
		fmt.Fprintf(&s, "    @required_acl('webhookd.items.%d.%s')\n    def %s(self, item_uuid):\n", m, verb, verb)
		fmt.Fprintf(&s, "        logger.debug('%s item %%s', item_uuid)\n        body = request.get_json(force=True)\n", verb)
		fmt.Fprintf(&s, "        result = self._service.%s(item_uuid, body)\n        return Item%dSchema().dump(result), 200\n\n", verb, m)
	}
	return []byte(s.String())
}
