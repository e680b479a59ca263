package config

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

// unknownKeys lists, as warning notes naming file and line, the keys of a
// file layer that the daemon's config struct t does not have: a typo
// (log_levl) or a key of another daemon is otherwise silently ignored.
// Mappings decoded into maps, and types decoding themselves, take any key.
func unknownKeys(t reflect.Type, n *yaml.Node, file, prefix string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n == nil || n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	fields := map[string]reflect.Type{}
	structFields(t, fields)
	var notes []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		ft, ok := fields[key.Value]
		if !ok {
			notes = append(notes, fmt.Sprintf("%s%s:%d: unknown key %s%s: ignored (a typo, or a key of another version?)", WarningPrefix, file, key.Line, prefix, key.Value))
			continue
		}
		notes = append(notes, unknownKeys(ft, n.Content[i+1], file, prefix+key.Value+".")...)
	}
	return notes
}

// structFields maps the YAML keys of struct t (inline fields flattened)
// to their types.
func structFields(t reflect.Type, into map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structFields(ft, into)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		into[name] = f.Type
	}
}
