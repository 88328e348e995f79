package llbdump

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/client/llb"
)

// Summary describes def in a few words per op, one line each, in canonical
// order: "#3 exec [#2] /bin/sh -c go build" or
// "#4 file [#3 #1] copy /app/myapp -> /root/myapp". Inputs are named by
// their index.
func Summary(def *llb.Definition) (string, error) {
	ops, err := Ops(def, false)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, o := range ops {
		var inputs []string
		for _, in := range list(o.Op["inputs"]) {
			inputs = append(inputs, "#"+str(field(in, "digest")))
		}
		kind, what := describe(o.Op)
		fmt.Fprintf(&b, "#%d %s", o.Index, kind)
		if len(inputs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(inputs, " "))
		}
		if what != "" {
			fmt.Fprintf(&b, " %s", clip(what, 100))
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

func describe(op map[string]any) (kind, what string) {
	switch {
	case op["source"] != nil:
		return "source", str(field(op["source"], "identifier"))
	case op["exec"] != nil:
		args := list(field(field(op["exec"], "meta"), "args"))
		words := make([]string, len(args))
		for i, a := range args {
			words[i] = str(a)
		}
		return "exec", strings.Join(words, " ")
	case op["file"] != nil:
		var acts []string
		for _, a := range list(field(op["file"], "actions")) {
			m, _ := a.(map[string]any)
			for name, v := range m {
				switch name {
				case "copy":
					acts = append(acts, fmt.Sprintf("copy %s -> %s", str(field(v, "src")), str(field(v, "dest"))))
				case "mkdir", "mkfile", "rm", "symlink":
					acts = append(acts, name+" "+str(field(v, "path"))+str(field(v, "newpath")))
				}
			}
		}
		return "file", strings.Join(acts, "; ")
	case op["merge"] != nil:
		return "merge", ""
	case op["diff"] != nil:
		return "diff", ""
	case op["build"] != nil:
		return "build", ""
	}
	return "output", ""
}

func field(v any, name string) any {
	m, _ := v.(map[string]any)
	return m[name]
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
