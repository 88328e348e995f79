package dockerfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// BuildKit reads every word of ENV, LABEL, ARG, WORKDIR, USER, STOPSIGNAL,
// COPY and VOLUME through its shell lexer (frontend/dockerfile/shell), which
// expands '$', removes quotes and treats '\' as an escape. All escaping for
// that lexer happens in escapeWord and quote; everything else here decides
// which form a value is written in.

// checkText refuses what no Dockerfile word can carry: invalid UTF-8 (the
// lexer reads runes), NUL, and line breaks (a Dockerfile has no escape for
// them inside a word).
func checkText(v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrUnsafe, v)
	}
	if strings.ContainsAny(v, "\x00\n\r") {
		return fmt.Errorf("%w: %q contains a NUL, newline or carriage return", ErrUnsafe, short(v))
	}
	return nil
}

// checkScript refuses what a shell-form command cannot carry.
func checkScript(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%w: blank command", ErrUnsafe)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrUnsafe, short(v))
	}
	if strings.ContainsAny(v, "\x00\r") {
		return fmt.Errorf("%w: %q contains a NUL or carriage return", ErrUnsafe, short(v))
	}
	return nil
}

func short(v string) string {
	if len(v) > 64 {
		return v[:64] + "..."
	}
	return v
}

// quote double-quotes v for the shell lexer: inside double quotes a
// backslash escapes only '\', '"' and '$'. With expand, '$' stays live.
func quote(v string, expand bool) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '\\', '"':
			b.WriteByte('\\')
		case '$':
			if !expand {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// escapeWord escapes v for the shell lexer outside quotes, where a
// backslash escapes any character: '\', '$', and both quotes.
func escapeWord(v string, expand bool) (string, error) {
	if err := checkText(v); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range v {
		switch r {
		case '\\', '"', '\'':
			b.WriteByte('\\')
		case '$':
			if !expand {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// bare reports whether v can be written as is: characters the lexer and the
// parser leave alone, and no leading '-' (a flag) or '#'.
func bare(v string) bool {
	if v == "" || v[0] == '-' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@%+,=~-", r)) {
			return false
		}
	}
	return true
}

// plainPath reports whether a COPY path can be a bare word of the
// whitespace-separated form: also globs are fine there.
func plainPath(v string, expand bool) bool {
	if v == "" || v[0] == '-' || v[0] == '[' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@%+,=~-*?", r) || (expand && strings.ContainsRune("${}", r))) {
			return false
		}
	}
	return true
}

// value renders an ENV, LABEL or ARG value: bare when plain, else quoted.
func value(v string, expand bool) (string, error) {
	if err := checkText(v); err != nil {
		return "", err
	}
	if bare(v) {
		return v, nil
	}
	return quote(v, expand), nil
}

// word renders the single word of WORKDIR, USER and STOPSIGNAL, which the
// parser takes as the rest of the line.
func word(v string, expand bool) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%w: empty value", ErrUnsafe)
	}
	return value(v, expand)
}

// checkKey accepts env and arg names.
func checkKey(k string) error {
	if k == "" {
		return fmt.Errorf("%w: empty name", ErrUnsafe)
	}
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return fmt.Errorf("%w: name %q", ErrUnsafe, k)
		}
	}
	return nil
}

func checkLabelKey(k string) error {
	if k == "" || k[0] == '-' || !utf8.ValidString(k) {
		return fmt.Errorf("%w: label key %q", ErrUnsafe, k)
	}
	for _, r := range k {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("\"'\\$=`#", r) {
			return fmt.Errorf("%w: label key %q", ErrUnsafe, k)
		}
	}
	return nil
}

// checkFlag accepts a value written inside a --flag, where BuildKit splits
// on whitespace and commas and expands '$'.
func checkFlag(v string) error {
	if v == "" || !utf8.ValidString(v) {
		return fmt.Errorf("%w: flag value %q", ErrUnsafe, v)
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",\"'\\`", r) {
			return fmt.Errorf("%w: flag value %q", ErrUnsafe, short(v))
		}
	}
	return nil
}

// execForm renders an argument list as the JSON array of the exec form.
func execForm(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", fmt.Errorf("%w: empty argument list", ErrUnsafe)
	}
	for _, a := range argv {
		if !utf8.ValidString(a) || strings.IndexByte(a, 0) >= 0 {
			return "", fmt.Errorf("%w: argument %q", ErrUnsafe, short(a))
		}
	}
	return jsonArray(argv)
}

// jsonArray encodes strings as BuildKit's parser reads them back with
// json.Unmarshal: one line, no HTML escaping, elements separated by ", "
// as Dockerfiles conventionally are.
func jsonArray(v []string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	parts := make([]string, len(v))
	for i, s := range v {
		b.Reset()
		if err := enc.Encode(s); err != nil {
			return "", err
		}
		parts[i] = strings.TrimSuffix(b.String(), "\n")
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}
