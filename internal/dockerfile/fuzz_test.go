package dockerfile

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/multistage/multistage/internal/ir"
)

// FuzzRenderRoundTrip builds instructions from fuzzed strings and checks
// that Render either refuses them or writes a Dockerfile that BuildKit
// reads back as the same values. Render must not refuse the values that
// the root package accepts for literal fields.
//
// The bits of mode turn on Expand: 1 for ENV, 2 for WORKDIR, 4 for COPY,
// 8 for ARG, 16 for FROM; 32 adds --chown=flag to COPY.
//
// The seed corpus is in testdata/fuzz/FuzzRenderRoundTrip, with the
// inputs that once failed.
func FuzzRenderRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, key, value, labelKey, path, dest, command, arg, flag string, mode uint8) {
		bit := func(b uint8) bool { return mode&b != 0 }
		chown := ""
		if bit(32) {
			chown = flag
		}
		cases := []struct {
			name string
			m    *ir.Build
			// accept is whether Render must accept the build.
			accept bool
		}{
			{"ENV", build(&ir.Env{Key: key, Value: value, Expand: bit(1)}), envKeyOK(key) && !bit(1) && textFits(value)},
			{"LABEL", build(&ir.Label{Key: labelKey, Value: value}), labelKeyOK(labelKey) && textFits(value)},
			{"ARG", build(&ir.ArgDecl{Arg: ir.Arg{Name: key, Default: &value, Expand: bit(8)}}), envKeyOK(key) && !bit(8) && textFits(value)},
			{"WORKDIR", build(&ir.Workdir{Path: path, Expand: bit(2)}), !bit(2) && nonEmpty(path)},
			{"USER", build(&ir.User{User: value}), nonEmpty(value)},
			{"STOPSIGNAL", build(&ir.StopSignal{Signal: arg}), nonEmpty(arg)},
			{"VOLUME", build(&ir.Volume{Paths: []string{path, dest}}), nonEmpty(path) && nonEmpty(dest)},
			{"COPY", build(&ir.Copy{From: ir.Context(), Sources: []string{path, arg}, Dest: dest, Chown: chown, Expand: bit(4)}),
				!bit(4) && chown == "" && nonEmpty(path) && nonEmpty(arg) && nonEmpty(dest)},
			{"COPY --from", &ir.Build{Stages: []*ir.Stage{
				{Name: "build", Base: ir.ImageSource("golang")},
				{Name: "s", Base: ir.ImageSource("alpine"), Instructions: []ir.Instruction{
					&ir.Copy{From: ir.StageSource(0), Sources: []string{path}, Dest: dest, Exclude: []string{flag}},
					&ir.Copy{From: ir.ImageSource(flag), Sources: []string{path}, Dest: dest},
				}},
			}}, false},
			{"RUN", build(&ir.Run{Shell: true, Command: command}), scriptOK(command)},
			{"RUN --mount", build(&ir.Run{Shell: true, Command: command, Network: "none", Mounts: []ir.Mount{
				{Type: ir.MountCache, Target: flag, ID: arg, From: ir.Context()},
				{Type: ir.MountSecret, ID: "id", Env: key, From: ir.Context()},
			}}), false},
			{"RUN exec", build(&ir.Run{Argv: []string{command, arg}}), argOK(command) && argOK(arg)},
			{"CMD", build(&ir.Cmd{Argv: []string{arg, value}}), argOK(arg) && argOK(value)},
			{"HEALTHCHECK", build(&ir.Healthcheck{Shell: true, Test: []string{command}}), healthOK(command)},
			{"FROM", &ir.Build{
				Args:   []ir.Arg{{Name: key, Default: &value, Expand: bit(8)}},
				Stages: []*ir.Stage{{Name: "s", Base: ir.Source{Stage: -1, Image: flag, ExpandImage: bit(16)}, Platform: arg}},
			}, false},
		}
		for _, c := range cases {
			df, err := roundTrip(t, c.m)
			if err != nil && c.accept {
				t.Errorf("%s: Render refuses a value it must accept: %v", c.name, err)
			}
			if t.Failed() {
				t.Fatalf("%s: failed; Dockerfile:\n%s", c.name, clip(df))
			}
		}
	})
}

// The predicates below say what the root package accepts (validate.go),
// within the line length BuildKit reads. A quoted value is at most twice
// as long as the value.

func textFits(v string) bool { return textOK(v) && len(v) < 30000 }

func nonEmpty(v string) bool { return v != "" && textFits(v) }

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func envKeyOK(k string) bool { return envKey.MatchString(k) }

// labelKeyOK is the root package's checkLabelKey, but for a leading byte
// order mark, which the renderer refuses: BuildKit's lexer drops it.
func labelKeyOK(k string) bool {
	if k == "" || k[0] == '-' || !textOK(k) || strings.HasPrefix(k, "\uFEFF") {
		return false
	}
	for _, r := range k {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("\"'\\$=`#", r) {
			return false
		}
	}
	return true
}

func argOK(a string) bool {
	return utf8.ValidString(a) && !strings.Contains(a, "\x00") && len(a) < 10000
}

// scriptOK is the root package's checkScript, less the commands that the
// renderer refuses by design: a heredoc starting with #!.
func scriptOK(cmd string) bool {
	if strings.TrimSpace(cmd) == "" || !utf8.ValidString(cmd) || strings.ContainsAny(cmd, "\x00\r") || len(cmd) > 30000 {
		return false
	}
	return !(ir.ScriptNeedsHeredoc(cmd) && strings.HasPrefix(cmd, "#!"))
}

// healthOK accepts a one-line shell healthcheck that the parser leaves
// alone.
func healthOK(cmd string) bool {
	return nonEmpty(cmd) && strings.TrimSpace(cmd) == cmd && cmd[0] != '[' && !strings.HasSuffix(cmd, `\`)
}
