package multistage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/multistage/multistage"
)

// hostileValue is a value that platforms might pass on from their users,
// with the outcome it must have in every class of slot (see class): nil
// when it renders and BuildKit reads back exactly that value (expanded, for
// the slots that expand), or the sentinel error it is refused with.
type hostileValue struct {
	name   string
	value  string
	reason string
	// want is "class:outcome ..." for every class, where outcome is ok or
	// one of the codes in outcomes.
	want string
	// except overrides want for single slots, by slot name.
	except map[string]string
}

var outcomes = map[string]error{
	"ok":      nil,
	"unsafe":  multistage.ErrUnsafeValue,
	"invalid": multistage.ErrInvalidValue,
	"ref":     multistage.ErrInvalidImageRef,
	"name":    multistage.ErrInvalidStageName,
	"empty":   multistage.ErrEmptyCommand,
}

// outcome returns the outcome wanted in slot sl.
func (h hostileValue) outcome(sl slot) error {
	if h.reason == "" {
		panic("reason must be provided: " + h.name)
	}
	spec := map[string]string{}
	for f := range strings.FieldsSeq(h.want) {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			panic(fmt.Sprintf("%s: bad outcome %q", h.name, f))
		}
		spec[k] = v
	}
	if len(spec) != int(numClasses) {
		panic(fmt.Sprintf("%s: the outcome of every class must be given, have %d of %d", h.name, len(spec), numClasses))
	}
	code, ok := h.except[sl.name]
	if !ok {
		code, ok = spec[sl.class.String()]
	}
	err, known := outcomes[code]
	if !ok || !known {
		panic(fmt.Sprintf("%s: bad outcome %q for %s", h.name, code, sl.class))
	}
	return err
}

const mib = 1 << 20

// hostile are the inputs issue 6 names, and a few more of the same kinds.
// Each says what every class of slot does with it; the classes and the
// slots are in hostile_slots_test.go, and validate.go says why.
var hostile = []hostileValue{
	{name: "plain", value: "hello1",
		reason: "a control: a plain word is accepted wherever its syntax allows",
		want:   "stage:ok image:ok expand-image:ok platform:invalid key:ok label-key:ok text:ok path:ok expand:ok expand-text:ok flag:ok argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "empty", value: "",
		reason: "empty values are fine as values and arguments; a name, path, image, command or flag value must not be empty; Syntax(\"\") is no directive",
		except: map[string]string{"Syntax": "ok"},
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:invalid text:ok path:invalid expand:invalid expand-text:ok flag:invalid argv:ok program:empty script:empty health:empty signal:invalid expand-copy:invalid pattern:invalid"},
	{name: "newline", value: "a\nb",
		reason: "a Dockerfile has no escape for a newline inside a word: only JSON (exec form) and a heredoc (shell-form RUN) carry one",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "carriage return", value: "a\rb",
		reason: "the parser trims a CR at the end of a line, and a heredoc line could end with one: only JSON carries a CR",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:unsafe health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "CRLF", value: "a\r\nb",
		reason: "a Windows line end: as a CR",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:unsafe health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "trailing backslash", value: `C:\dir\`,
		reason: "a '\\' at the end of a line continues it: values are quoted with the '\\' escaped, RUN is written as a heredoc; a template or a one-line healthcheck cannot carry it",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:unsafe signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "lone backslash", value: `\`,
		reason: "as a trailing backslash",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:unsafe signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "double quotes", value: `say "hi"`,
		reason: "quoted with '\"' escaped; a template with a quote must be one shell word, and flag values cannot hold quotes",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "single quote", value: `it's`,
		reason: "a single quote starts a quoted string for the lexer: escaped in values, refused in templates (unterminated) and flag values",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "both quotes", value: `"it's"`,
		reason: "a template that is one complete shell word may hold quotes, which the lexer removes, as the compiler's lexer does",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "dollar", value: "$X",
		reason: "a literal '$' is escaped, never expanded (testEnv defines X, so an unescaped one would read back as \"bad\"); templates expand it in both backends; flag values refuse it",
		want:   "stage:name image:ref expand-image:ok platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "braces", value: "/opt/${X}/bin",
		reason: "as a dollar",
		want:   "stage:name image:ref expand-image:ok platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "default", value: "${UNSET:-fallback}",
		reason: "the lexer's default form: literal in values, expanded the same by both backends in templates",
		want:   "stage:name image:ref expand-image:ok platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "command substitution", value: "$(id -u)",
		reason: "BuildKit does not run commands; the text is literal in values, the shell sees it in RUN; in a template the space outside quotes makes it two words",
		want:   "stage:name image:ref expand-image:unsafe platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "backticks", value: "`id`",
		reason: "backticks mean nothing to BuildKit; they are refused in flag values, where they are never useful",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "comment", value: "# not a comment",
		reason: "'#' starts a comment only at the start of a line, where the renderer never writes a value",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "comment line", value: "echo a\n# comment\necho b",
		reason: "a line starting with '#' inside a heredoc is part of the script",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "heredoc marker", value: "<<EOF",
		reason: "'<<' starts a heredoc in RUN and COPY: escaped in literal paths, written as a heredoc in RUN, harmless in a flag value, an arg name, an env key or after HEALTHCHECK CMD; a COPY template cannot carry it",
		except: map[string]string{"Stage.Arg name": "ok", "Build.Arg name": "ok", "Env key": "ok"},
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:ok argv:ok program:ok script:ok health:ok signal:invalid expand-copy:unsafe pattern:ok"},
	{name: "heredoc script", value: "cat <<EOF\nhello\nEOF",
		reason: "a script that uses a heredoc of its own is written with another delimiter",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "JSON array", value: `["sh","-c","id"]`,
		reason: "a line that starts with '[' is exec form: a RUN is written as a heredoc, a one-line healthcheck cannot start with it",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:unsafe signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "JSON specials", value: `{"k": "\u00e9\t", "l": [1]}`,
		reason: "JSON escapes in the text are literal text",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:unsafe expand-text:unsafe flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "control characters", value: "a\tb\x1b[31mc\x7f",
		reason: "tabs and other control characters are literal text (a label key is quoted); env keys and flag values refuse them",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "invalid UTF-8", value: "caf\xe9",
		reason: "BuildKit's lexer reads runes and would read U+FFFD; JSON would too",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:unsafe program:unsafe script:unsafe health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "NUL", value: "a\x00b",
		reason: "no exec call, file name or environment can carry a NUL byte",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:unsafe program:unsafe script:unsafe health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
	{name: "leading dash", value: "-rf",
		reason: "a value is never a flag of the instruction: it is quoted, or written after a fixed word (RUN as a heredoc); an arg name or env key may start with one '-', as BuildKit declares ARG A=1 # -x",
		except: map[string]string{"Stage.Arg name": "ok", "Build.Arg name": "ok", "Env key": "ok"},
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:ok argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "flag injection", value: "--mount=type=bind,target=/",
		reason: "a value that looks like a flag of RUN or COPY stays a value",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:unsafe text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "mount option injection", value: "/cache,readonly",
		reason: "a ',' in a --mount value would add a field: refused in flag values; an arg name or env key may hold one, as BuildKit declares ARG A=1 # a, b",
		except: map[string]string{"Stage.Arg name": "ok", "Build.Arg name": "ok", "Env key": "ok"},
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "spaces", value: " a b ",
		reason: "values are quoted; the parser trims a line, so a RUN is written as a heredoc and a one-line healthcheck refuses it",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:unsafe signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "Unicode spaces", value: "\u00a0a\u2003b\u3000",
		reason: "no-break, em and ideographic spaces are white space for the parser and the lexer, as ASCII spaces are",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:unsafe signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "line separators", value: "a\u2028b\u0085c",
		reason: "U+2028 and NEL do not end a Dockerfile line; NEL is white space",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "byte order mark", value: "\ufeffa",
		reason: "the lexer drops a U+FEFF at the start of a word: literal values escape it; a template loses it in both backends; a label key is quoted; a flag value refuses it",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:invalid label-key:ok text:ok path:ok expand:ok expand-text:ok flag:unsafe argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:unsafe"},
	{name: "uppercase", value: "Alpine",
		reason: "image repositories are lowercase; env keys may be uppercase; stage names may not",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:ok label-key:ok text:ok path:ok expand:ok expand-text:ok flag:ok argv:ok program:ok script:ok health:ok signal:invalid expand-copy:ok pattern:ok"},
	{name: "1 MiB", value: strings.Repeat("a", mib),
		reason: "BuildKit's parser reads lines of at most 64 KiB: what would not fit on one line is refused at the call",
		want:   "stage:name image:ref expand-image:ref platform:invalid key:unsafe label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:unsafe program:unsafe script:unsafe health:unsafe signal:invalid expand-copy:unsafe pattern:unsafe"},
	{name: "1 MiB script", value: strings.Repeat("echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", mib/80),
		reason: "a long script of short lines is a heredoc; only the lines are limited",
		want:   "stage:name image:ref expand-image:ref platform:unsafe key:invalid label-key:unsafe text:unsafe path:unsafe expand:unsafe expand-text:unsafe flag:unsafe argv:unsafe program:unsafe script:ok health:unsafe signal:unsafe expand-copy:unsafe pattern:unsafe"},
}

// TestHostileValues passes every hostile value through every slot, and
// checks the outcome the table gives: a refusal with the sentinel error,
// naming the stage and the instruction; or a Dockerfile from which
// BuildKit's parser reads back exactly the value, on which dockerfile2llb
// agrees with Compile op for op, and where Compile's image config or LLB
// holds the value.
func TestHostileValues(t *testing.T) {
	for _, h := range hostile {
		for _, sl := range slots {
			want := h.outcome(sl)
			t.Run(h.name+"/"+sl.name, func(t *testing.T) {
				o := try(t, sl, h.value)
				if want != nil {
					if o.err == nil {
						t.Fatalf("accepted, want %v; reason: %s\n%s", want, h.reason, clip(string(o.df)))
					}
					if !errors.Is(o.err, want) {
						t.Fatalf("refused with %v, want %v; reason: %s", o.err, want, h.reason)
					}
					return
				}
				if o.err != nil {
					t.Fatalf("refused: %v; reason: %s", o.err, h.reason)
				}
				if o.wantErr != nil || o.compileErr != nil {
					return // both backends fail to expand it (checked by try)
				}
				b, _ := sl.make(h.value)
				res := crossCheck(t, b, sl.name)
				if sl.compiled == nil {
					return
				}
				got, err := sl.compiled(res.Compiled)
				if err != nil {
					t.Fatal(err)
				}
				if got != o.want && !(sl.class == cScript && got == o.want+"\n") {
					t.Fatalf("Compile uses %q, want %q", clip(got), clip(o.want))
				}
			})
		}
	}
}
