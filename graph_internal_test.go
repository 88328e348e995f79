package multistage

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzGraphText checks the escaping of the graph formats: whatever a
// value holds, the Mermaid label has no character that ends it or starts
// markup, the DOT string has no unescaped quote, and both decode back to
// the value (control characters as their control pictures).
func FuzzGraphText(f *testing.F) {
	for _, s := range []string{"", `"`, `\`, "#quot;", "#35;", "<br>", "a|b", "`md`", "&amp;", "\n", "\x00\x7f", "é→☃", `\n`, `\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Map(controlPicture, s)

		m := mermaidText(s)
		if strings.ContainsAny(m, "\"<>|`") || strings.ContainsFunc(m, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("mermaidText(%q) = %q: holds a character Mermaid reads", s, m)
		}
		if got := mermaidDecode(t, m); got != want {
			t.Fatalf("mermaidText(%q) = %q, decodes to %q, want %q", s, m, got, want)
		}

		d := dotText(s)
		if got := dotDecode(t, d); got != want {
			t.Fatalf("dotText(%q) = %q, decodes to %q, want %q", s, d, got, want)
		}
	})
}

var mermaidEntity = regexp.MustCompile(`#(quot|[0-9]+);`)

// mermaidDecode reads entities as Mermaid does, failing on a '#' that
// starts none.
func mermaidDecode(t *testing.T, m string) string {
	rest := mermaidEntity.ReplaceAllString(m, "")
	if strings.Contains(rest, "#") {
		t.Fatalf("%q: a '#' that is no entity", m)
	}
	return mermaidEntity.ReplaceAllStringFunc(m, func(e string) string {
		name := e[1 : len(e)-1]
		if name == "quot" {
			return `"`
		}
		n, err := strconv.Atoi(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(rune(n))
	})
}

// dotDecode reads a DOT string as Graphviz reads a label: backslash
// escapes and the &amp; entity; it fails on an unescaped quote inside.
func dotDecode(t *testing.T, d string) string {
	if len(d) < 2 || d[0] != '"' || d[len(d)-1] != '"' {
		t.Fatalf("%q is not quoted", d)
	}
	in := d[1 : len(d)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		switch c := in[i]; {
		case c == '"':
			t.Fatalf("%q: unescaped quote", d)
		case c == '\\':
			i++
			if i == len(in) || (in[i] != '\\' && in[i] != '"') {
				t.Fatalf("%q: a backslash that escapes no quote or backslash", d)
			}
			b.WriteByte(in[i])
		case strings.HasPrefix(in[i:], "&amp;"):
			b.WriteByte('&')
			i += len("&amp;") - 1
		case c == '&':
			t.Fatalf("%q: a '&' that Graphviz may read as an entity", d)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
