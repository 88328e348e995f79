package multistage

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/sys/signal"
)

// The checks below decide what is refused where. The renderer
// (internal/dockerfile) quotes and escapes everything that passes them, and
// the round-trip and fuzz tests prove that BuildKit's parser reads back
// exactly what was given.
//
//   - NUL bytes and invalid UTF-8 are refused everywhere: BuildKit's lexer
//     reads runes, so invalid bytes would come back as U+FFFD.
//   - Newlines and carriage returns are refused in every single-line value
//     (env and label values, paths, users, arg defaults, exec-form arguments
//     are fine since JSON escapes them, except where a kernel API forbids
//     them). A Dockerfile has no escape sequence for a newline inside a word.
//     Shell-form Run commands may span lines: they are written as a heredoc.
//   - Keys (env, arg names, label keys) and flag values (mount targets and
//     ids, --chown) are checked against a conservative alphabet, never escaped.

var (
	stageNameRe = regexp.MustCompile(`^[a-z][a-z0-9\-_.]*$`)
	envKeyRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	platformRe  = regexp.MustCompile(`^\$\{?(BUILDPLATFORM|TARGETPLATFORM)\}?$`)
)

func checkStageName(name string) error {
	if !stageNameRe.MatchString(name) {
		return valueError(ErrInvalidStageName, "name", name, "must match ^[a-z][a-z0-9-_.]*$")
	}
	if name == "scratch" || name == "context" {
		return valueError(ErrInvalidStageName, "name", name, "is reserved")
	}
	return nil
}

// checkText accepts any single-line text: no NUL, newline or carriage
// return, valid UTF-8.
func checkText(what, v string) error {
	if !utf8.ValidString(v) {
		return valueError(ErrUnsafeValue, what, v, "is not valid UTF-8")
	}
	if i := strings.IndexAny(v, "\x00\n\r"); i >= 0 {
		return valueError(ErrUnsafeValue, what, v, "contains a NUL, newline or carriage return")
	}
	return nil
}

// checkArgv accepts an exec-form argument list: JSON carries any valid
// UTF-8 string except NUL, which no exec call can pass.
func checkArgv(what string, argv []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return valueError(ErrEmptyCommand, what, strings.Join(argv, " "), "needs at least a program")
	}
	for _, a := range argv {
		if !utf8.ValidString(a) {
			return valueError(ErrUnsafeValue, what, a, "is not valid UTF-8")
		}
		if strings.IndexByte(a, 0) >= 0 {
			return valueError(ErrUnsafeValue, what, a, "contains a NUL byte")
		}
	}
	return nil
}

// checkScript accepts a shell-form command: anything but NUL, carriage
// returns and invalid UTF-8; it must not be blank.
func checkScript(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return valueError(ErrEmptyCommand, what, v, "is blank")
	}
	if !utf8.ValidString(v) {
		return valueError(ErrUnsafeValue, what, v, "is not valid UTF-8")
	}
	if strings.ContainsAny(v, "\x00\r") {
		return valueError(ErrUnsafeValue, what, v, "contains a NUL or carriage return")
	}
	return nil
}

func checkPath(what, p string) error {
	if p == "" {
		return valueError(ErrInvalidValue, what, p, "is empty")
	}
	return checkText(what, p)
}

func checkEnvKey(what, k string) error {
	if !envKeyRe.MatchString(k) {
		return valueError(ErrInvalidValue, what, k, "must match ^[A-Za-z_][A-Za-z0-9_]*$")
	}
	return nil
}

// checkLabelKey allows the characters label keys use in practice
// (reverse-DNS names, slashes, dashes) and nothing that would need quoting.
func checkLabelKey(k string) error {
	if k == "" {
		return valueError(ErrInvalidValue, "label key", k, "is empty")
	}
	if err := checkText("label key", k); err != nil {
		return err
	}
	for _, r := range k {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("\"'\\$=`#", r) {
			return valueError(ErrUnsafeValue, "label key", k, "may not contain spaces, quotes, '\\', '$', '=', '`' or '#'")
		}
	}
	if strings.HasPrefix(k, "-") {
		return valueError(ErrUnsafeValue, "label key", k, "may not start with '-'")
	}
	return nil
}

// checkFlagValue checks a value that is written inside a --flag (a mount
// target, a cache id, a --chown owner): these are parsed as CSV and expanded
// by BuildKit, so the characters that would change their meaning are refused.
func checkFlagValue(what, v string) error {
	if v == "" {
		return valueError(ErrInvalidValue, what, v, "is empty")
	}
	if err := checkText(what, v); err != nil {
		return err
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",\"'\\$=`", r) {
			return valueError(ErrUnsafeValue, what, v, "may not contain spaces, ',', quotes, '\\', '$', '=' or '`'")
		}
	}
	return nil
}

func checkImageRef(ref string) error {
	if ref == "" {
		return valueError(ErrInvalidImageRef, "image", ref, "is empty")
	}
	if ref == "scratch" {
		return nil
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return valueError(ErrInvalidImageRef, "image", ref, err.Error())
	}
	return nil
}

// normalizeImageRef returns the fully qualified form BuildKit resolves
// ("alpine" -> "docker.io/library/alpine:latest").
func normalizeImageRef(ref string) string {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(n).String()
}

func checkPlatform(p string) error {
	if platformRe.MatchString(p) {
		return nil
	}
	if err := checkText("platform", p); err != nil {
		return err
	}
	if strings.ContainsAny(p, "$ \t\"'\\") {
		return valueError(ErrInvalidValue, "platform", p, "must be an os/arch[/variant] or $BUILDPLATFORM or $TARGETPLATFORM")
	}
	if _, err := platforms.Parse(p); err != nil {
		return valueError(ErrInvalidValue, "platform", p, err.Error())
	}
	return nil
}

func checkSignal(sig string) error {
	if err := checkText("signal", sig); err != nil {
		return err
	}
	if strings.ContainsAny(sig, "$ \t\"'\\") {
		return valueError(ErrInvalidValue, "signal", sig, "is not a signal name or number")
	}
	if _, err := signal.ParseSignal(sig); err != nil {
		return valueError(ErrInvalidValue, "signal", sig, err.Error())
	}
	return nil
}
