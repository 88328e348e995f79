package dockerfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// BuildKit's Dockerfile frontend reads a Dockerfile in three passes, and
// every value written here must come through all three unchanged:
//
//  1. The parser (frontend/dockerfile/parser) splits the file into lines of
//     at most 64 KiB - 1, trims white space around each line, continues a
//     line that ends with '\', reads the words of a line that start with
//     "--" as flags (a byte at a time, removing quotes and backslashes), and
//     reads a heredoc after a RUN or COPY line that contains "<<".
//  2. Each instruction splits the rest of the line in its own way: the
//     whole rest (WORKDIR, USER, STOPSIGNAL, shell-form RUN), words separated
//     by white space outside quotes (ENV, LABEL, ARG), or a JSON array
//     (exec forms, and COPY and VOLUME when the line starts with '[').
//  3. The shell lexer (frontend/dockerfile/shell, ProcessWord) expands '$',
//     removes quotes and backslash escapes in the words of ENV, LABEL, ARG,
//     WORKDIR, USER, STOPSIGNAL, COPY and VOLUME, even in JSON form.
//
// All escaping for the lexer is done by escape; the other functions here
// decide which form a value takes, or refuse it.

// maxLine is the longest line BuildKit's parser reads: it scans lines with a
// bufio.Scanner of the default maximum token size, newline included.
const maxLine = bufio.MaxScanTokenSize - 1

// lexContext is where a value stands for BuildKit's shell lexer.
type lexContext int

const (
	// inQuotes is the inside of a double-quoted string, where a backslash
	// escapes only '\', '"' and '$' (shell/lex.go, processDoubleQuote).
	inQuotes lexContext = iota
	// unquoted is a word outside quotes, where a backslash escapes any
	// character.
	unquoted
)

// escape escapes v so that BuildKit's shell lexer reads back v, literally,
// in the context ctx. Inside double quotes that is '\', '"' and '$'. Outside
// quotes it is also a single quote (it would start a quoted string), '<' (a
// COPY path starting with "<<" is a heredoc) and a byte order mark at the
// start of the word (text/scanner drops it). A value that may not contain
// '\n', '\r' or NUL must be checked with checkText first.
func escape(v string, ctx lexContext) string {
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i, r := range v {
		switch r {
		case '\\', '"', '$':
			b.WriteByte('\\')
		case '\'', '<':
			if ctx == unquoted {
				b.WriteByte('\\')
			}
		case '\uFEFF':
			if ctx == unquoted && i == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// quote double-quotes v for the shell lexer.
func quote(v string) string { return `"` + escape(v, inQuotes) + `"` }

// literal renders a value that BuildKit must read back as it is: bare when
// it is plain, else double-quoted.
func literal(v string) string {
	if isBare(v, "") {
		return v
	}
	return quote(v)
}

// template renders a value that BuildKit is to expand (an Expand field).
// Both backends give the value itself to the shell lexer's ProcessWord: the
// compiler expands the IR value, so the frontend must read exactly that
// word, quotes and backslashes included. The value is written
//
//   - bare when it is plain, as a literal would be;
//   - double-quoted, with '$' live, when it has no quote, no backslash and
//     no leading byte order mark: the lexer then expands it inside the
//     quotes just as it would expand the word itself;
//   - as it is, when it is a single complete word: no white space outside
//     quotes, no unterminated quote, no trailing backslash, and no leading
//     '-' or surrounding white space that the parser would take away.
//
// Anything else is refused.
func template(v string) (string, error) {
	if err := checkText(v); err != nil {
		return "", err
	}
	if isBare(v, "") {
		return v, nil
	}
	if !strings.ContainsAny(v, `"'\`) && !strings.HasPrefix(v, "\uFEFF") {
		return `"` + v + `"`, nil
	}
	if !IsWord(v) {
		return "", unsafef("%q contains quotes or backslashes but is not a single, complete shell word", short(v))
	}
	return v, nil
}

// IsWord reports whether v, written as it is after "KEY=" or as the rest of
// a line, reaches the shell lexer unchanged. It follows parseWords in
// BuildKit's parser/line_parsers.go: white space outside quotes splits
// words, a backslash escapes the next character except inside single
// quotes, and a backslash at the end of the line is dropped.
func IsWord(v string) bool {
	if v == "" || v[0] == '-' {
		return false
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if unicode.IsSpace(first) || unicode.IsSpace(last) || last == '\\' {
		return false
	}
	var quote rune
	escaped := false
	for _, r := range v {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case unicode.IsSpace(r):
			return false
		}
	}
	return quote == 0 && !escaped
}

// isBare reports whether v can be written without quotes or escapes:
// letters, digits, the characters _ . / : , + @ % = ~ - and those in extra,
// not starting with '-' (it could be read as a flag).
func isBare(v, extra string) bool {
	if v == "" || v[0] == '-' {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:,+@%=~-"+extra, r)) {
			return false
		}
	}
	return true
}

// isPlainPath reports whether a COPY path can be a word of the
// whitespace-separated form: a bare word, glob characters included, and
// '$', '{' and '}' when the path is to be expanded.
func isPlainPath(p string, expand bool) bool {
	if expand {
		return isBare(p, "*?${}")
	}
	return isBare(p, "*?")
}

// heredocWord matches the words BuildKit's parser reads as a heredoc
// (parser.reHeredoc), which it does for COPY sources even in JSON form.
var heredocWord = regexp.MustCompile(`^\d*<<`)

// checkText refuses what no Dockerfile word can carry: invalid UTF-8 (the
// lexer reads runes and would substitute U+FFFD), NUL, and line breaks (a
// Dockerfile has no escape for them inside a word; the parser trims a
// carriage return at the end of a line).
func checkText(v string) error {
	if !utf8.ValidString(v) {
		return unsafef("%q is not valid UTF-8", short(v))
	}
	if strings.ContainsAny(v, "\x00\n\r") {
		return unsafef("%q contains a NUL, newline or carriage return", short(v))
	}
	return nil
}

// checkScript refuses what a shell-form command cannot carry.
func checkScript(v string) error {
	if strings.TrimSpace(v) == "" {
		return unsafef("blank command")
	}
	if !utf8.ValidString(v) {
		return unsafef("%q is not valid UTF-8", short(v))
	}
	if strings.ContainsAny(v, "\x00\r") {
		return unsafef("%q contains a NUL or carriage return", short(v))
	}
	return nil
}

// checkName accepts environment variable and build arg names.
func checkName(what, k string) error {
	if k == "" {
		return unsafef("empty %s", what)
	}
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return unsafef("%s %q must match ^[A-Za-z_][A-Za-z0-9_]*$", what, short(k))
		}
	}
	return nil
}

// checkArgName accepts an ARG name that BuildKit's parser and lexer read
// back as it is: printable ASCII without white space, quotes, '\\', '=',
// '$' or '`', not starting with "--" (BuildKit takes it for a flag).
func checkArgName(k string) error { return checkWordName("arg name", k) }

// checkWordName is the rule of checkArgName, which ENV keys follow too
// (BuildKit expands them with the lexer, as it reads ARG names).
func checkWordName(what, k string) error {
	for _, r := range k {
		if r <= ' ' || r > '~' || strings.ContainsRune("\"'\\=$`", r) {
			return unsafef("%s %q may only contain printable ASCII without white space, quotes, '\\', '=', '$' or '`'", what, short(k))
		}
	}
	if k == "" || strings.HasPrefix(k, "--") {
		return unsafef("%s %q is empty or starts with \"--\"", what, short(k))
	}
	return nil
}

// labelKey renders a label key. BuildKit's parser splits LABEL words at
// white space outside quotes and each word at its first '=', then the lexer
// reads the key: a literal key is written bare when it is plain, else
// double-quoted (LABEL "my key"=v), and a key that refers to variables as
// a template. A key can hold no '=', which would end it.
func labelKey(k string, expand bool) (string, error) {
	if k == "" {
		return "", unsafef("label key is empty")
	}
	if err := checkText(k); err != nil {
		return "", err
	}
	if strings.Contains(k, "=") {
		return "", unsafef("label key %q contains '='", short(k))
	}
	if !expand {
		return literal(k), nil
	}
	if err := Lexes(k); err != nil {
		return "", unsafef("label key %q: %v", short(k), err)
	}
	return template(k)
}

// checkFlag accepts a value written inside a --flag. BuildKit's parser reads
// flags a byte at a time (parser/split_command.go): it ends a flag at white
// space, removes quotes and backslashes, and turns each byte of a
// multi-byte character into a character of its own. So only printable
// ASCII without quotes and '\' can be written; forbid lists the characters
// that the reader of this particular flag gives a meaning to.
func checkFlag(what, v, forbid string) error {
	if v == "" {
		return unsafef("empty %s", what)
	}
	for _, r := range v {
		if r <= ' ' || r > '~' || strings.ContainsRune(`"'\`+forbid, r) {
			allowed := `printable ASCII without white space, quotes or '\'`
			if forbid != "" {
				allowed = fmt.Sprintf(`printable ASCII without white space, quotes, '\' or any of %q`, forbid)
			}
			return unsafef("%s %q: a flag value may only contain %s", what, short(v), allowed)
		}
	}
	return nil
}

// execForm renders an argument list as the JSON array of the exec form,
// which BuildKit reads with json.Unmarshal and does not expand.
func execForm(argv []string) (string, error) {
	if len(argv) == 0 {
		return "", unsafef("empty argument list")
	}
	for _, a := range argv {
		if !utf8.ValidString(a) || strings.IndexByte(a, 0) >= 0 {
			return "", unsafef("argument %q is not valid UTF-8 or contains NUL", short(a))
		}
	}
	return jsonArray(argv), nil
}

// jsonArray encodes strings on one line, without HTML escaping, elements
// separated by ", " as Dockerfiles conventionally are. The strings must be
// valid UTF-8.
func jsonArray(v []string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	parts := make([]string, len(v))
	for i, s := range v {
		b.Reset()
		if err := enc.Encode(s); err != nil {
			panic(err) // a string always encodes
		}
		parts[i] = strings.TrimSuffix(b.String(), "\n")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// unsafef returns an error wrapping ErrUnsafe.
func unsafef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsafe, fmt.Sprintf(format, args...))
}

// short shortens v for an error message.
func short(v string) string {
	if len(v) > 64 {
		return v[:64] + "..."
	}
	return v
}

// Lexes reports the error BuildKit's shell lexer gives for the template v,
// such as an unclosed "${" or a bad modifier, whatever the variables it
// refers to hold; nil when it reads v.
func Lexes(v string) error {
	_, _, err := shell.NewLex('\\').ProcessWord(v, anyValue{})
	return err
}

// anyValue is an environment in which every variable is set.
type anyValue struct{}

func (anyValue) Get(string) (string, bool) { return "x", true }
func (anyValue) Keys() []string            { return nil }
