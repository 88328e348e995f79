package multistage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestRefusedAtTheCall lists the values that issue 6 found accepted by the
// root API and then refused by the renderer, or read back by BuildKit with
// another meaning. Each must now be refused by Validate, Dockerfile and
// Compile alike, with an *InstructionError that names the stage and the
// instruction and wraps the sentinel.
func TestRefusedAtTheCall(t *testing.T) {
	const kib64 = 64 << 10
	tests := []struct {
		name        string
		apply       func(s *multistage.Stage)
		want        error
		instruction string
		reason      string
	}{
		{name: "FromExpand with a space", want: multistage.ErrUnsafeValue, instruction: "FROM",
			apply:  func(s *multistage.Stage) { s.FromExpand("alpine:${V} x") },
			reason: "FROM is read like a flag value: a space would end the word"},
		{name: "FromExpand with an open quote", want: multistage.ErrUnsafeValue, instruction: "FROM",
			apply:  func(s *multistage.Stage) { s.FromExpand(`"alpine:${V}`) },
			reason: "quotes are read by the lexer, as the compiler reads them (alpine:\"${TAG}\"), and must close"},
		{name: "FromExpand non-ASCII", want: multistage.ErrUnsafeValue, instruction: "FROM",
			apply:  func(s *multistage.Stage) { s.FromExpand("alpïne:${V}") },
			reason: "no image reference holds non-ASCII, and the FROM word is read a byte at a time"},
		{name: "FromExpand leading dash", want: multistage.ErrUnsafeValue, instruction: "FROM",
			apply:  func(s *multistage.Stage) { s.FromExpand("-${V}") },
			reason: "a word after FROM that starts with '-' could be read as a flag"},
		{name: "FromExpand backslash", want: multistage.ErrUnsafeValue, instruction: "FROM",
			apply:  func(s *multistage.Stage) { s.FromExpand(`alpine:\${V}`) },
			reason: "the lexer removes a '\\'"},
		{name: "Exclude with a space", want: multistage.ErrUnsafeValue, instruction: "COPY",
			apply:  func(s *multistage.Stage) { s.Copy(".", "/app", multistage.Exclude("a b")) },
			reason: "--exclude is a flag: a space ends it"},
		{name: "Exclude with a quote", want: multistage.ErrUnsafeValue, instruction: "COPY",
			apply:  func(s *multistage.Stage) { s.Copy(".", "/app", multistage.Exclude(`"*.md"`)) },
			reason: "the parser drops quotes in flags"},
		{name: "Exclude non-ASCII", want: multistage.ErrUnsafeValue, instruction: "COPY",
			apply:  func(s *multistage.Stage) { s.Copy(".", "/app", multistage.Exclude("é")) },
			reason: "flags are read a byte at a time"},
		{name: "Exclude empty", want: multistage.ErrInvalidValue, instruction: "COPY",
			apply:  func(s *multistage.Stage) { s.Copy(".", "/app", multistage.Exclude("")) },
			reason: "an empty --exclude= is no pattern"},
		{name: "cache target non-ASCII", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("make", multistage.CacheMount("/cäche")) },
			reason: "flags are read a byte at a time: a rune above '~' is not safe in a --mount value"},
		{name: "secret id non-ASCII", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("make", multistage.SecretMount("tökén")) },
			reason: "as a cache target"},
		{name: "chown non-ASCII", want: multistage.ErrUnsafeValue, instruction: "COPY",
			apply:  func(s *multistage.Stage) { s.Copy(".", "/app", multistage.Chown("ünïcode")) },
			reason: "as a cache target"},
		{name: "cache target /", want: multistage.ErrInvalidValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("make", multistage.CacheMount("/tmp/..")) },
			reason: "BuildKit refuses a mount over /"},
		{name: "label key with '='", want: multistage.ErrUnsafeValue, instruction: "LABEL",
			apply:  func(s *multistage.Stage) { s.Label("a=b", "v") },
			reason: "BuildKit splits a LABEL word at its first '=': no quoting keeps one in a key"},
		{name: "1 MiB env value", want: multistage.ErrUnsafeValue, instruction: "ENV",
			apply:  func(s *multistage.Stage) { s.Env("V", strings.Repeat("a", 1<<20)) },
			reason: "BuildKit's parser reads lines of at most 64 KiB (bufio.Scanner) and fails on a longer one"},
		{name: "64 KiB label value", want: multistage.ErrUnsafeValue, instruction: "LABEL",
			apply:  func(s *multistage.Stage) { s.Label("l", strings.Repeat("a", kib64)) },
			reason: "as an env value"},
		{name: "64 KiB RUN line", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("echo " + strings.Repeat("a", kib64)) },
			reason: "a one-line RUN is one Dockerfile line"},
		{name: "64 KiB line in a RUN script", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("set -e\necho " + strings.Repeat("a", kib64)) },
			reason: "every line of a heredoc is a Dockerfile line too"},
		{name: "64 KiB exec arg", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.RunExec([]string{"echo", strings.Repeat("a", kib64)}) },
			reason: "the JSON array is on one line"},
		{name: "tmpfs size above 2^53", want: multistage.ErrInvalidValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("make", multistage.TmpfsMount("/tmp", multistage.Size(1<<53+1))) },
			reason: "BuildKit reads the size as a float64, which would round it"},
		{name: "tmpfs size zero", want: multistage.ErrInvalidValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("make", multistage.TmpfsMount("/tmp", multistage.Size(0))) },
			reason: "size=0 means no limit to BuildKit, not an empty tmpfs"},
		{name: "EnvExpand open quote", want: multistage.ErrUnsafeValue, instruction: "ENV",
			apply:  func(s *multistage.Stage) { s.EnvExpand("V", `"$HOME`) },
			reason: "an unbalanced quote would swallow the rest of the line"},
		{name: "EnvExpand two words", want: multistage.ErrUnsafeValue, instruction: "ENV",
			apply:  func(s *multistage.Stage) { s.EnvExpand("V", `"a" b`) },
			reason: "with quotes the value is written bare, where a space would make two words"},
		{name: "EnvExpand trailing backslash", want: multistage.ErrUnsafeValue, instruction: "ENV",
			apply:  func(s *multistage.Stage) { s.EnvExpand("V", `a\`) },
			reason: "a '\\' at the end of the line continues it"},
		{name: "WorkdirExpand open single quote", want: multistage.ErrUnsafeValue, instruction: "WORKDIR",
			apply:  func(s *multistage.Stage) { s.WorkdirExpand(`/src/'$APP`) },
			reason: "as EnvExpand"},
		{name: "ArgExpand leading dash with a quote", want: multistage.ErrUnsafeValue, instruction: "ARG",
			apply:  func(s *multistage.Stage) { s.ArgExpand("A", `-"x"`) },
			reason: "a bare word may not start with '-'"},
		{name: "HealthcheckShell leading space", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell(" curl -f localhost") },
			reason: "the parser trims the line, so the command would change"},
		{name: "HealthcheckShell trailing tab", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell("curl -f localhost\t") },
			reason: "as a leading space"},
		{name: "HealthcheckShell trailing no-break space", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell("curl -f localhost\u00a0") },
			reason: "Unicode white space is trimmed too"},
		{name: "HealthcheckShell JSON", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell(`["curl", "-f", "localhost"]`) },
			reason: "a line that starts with '[' is exec form"},
		{name: "HealthcheckShell continuation", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell(`curl -f localhost \`) },
			reason: "a '\\' at the end of the line joins the next line"},
		{name: "HealthcheckShell two lines", want: multistage.ErrUnsafeValue, instruction: "HEALTHCHECK",
			apply:  func(s *multistage.Stage) { s.HealthcheckShell("curl -f localhost\nexit 1") },
			reason: "HEALTHCHECK has no heredoc"},
		{name: "multi-line Run with a shebang", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("#!/usr/bin/env python3\nprint('hi')") },
			reason: "BuildKit runs a heredoc that starts with #! as a script file, not with the stage's shell"},
		{name: "Run with a shebang and a leading dash line", want: multistage.ErrUnsafeValue, instruction: "RUN",
			apply:  func(s *multistage.Stage) { s.Run("#!/bin/sh -e\\") },
			reason: "a one-line command that needs a heredoc (trailing '\\') is a heredoc too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reason == "" {
				panic("reason must be provided")
			}
			b := multistage.New()
			b.Arg("V", "3.20")
			s := b.Stage("s")
			if !strings.HasPrefix(tt.name, "FromExpand") {
				s.From("alpine:3.20")
			}
			tt.apply(s)
			for name, err := range map[string]error{
				"Validate":   b.Validate(),
				"Dockerfile": second(b.Dockerfile()),
				"Compile":    second(b.Compile(context.Background())),
			} {
				if !errors.Is(err, tt.want) {
					t.Fatalf("%s: got %v, want %v; reason: %s", name, err, tt.want, tt.reason)
				}
				var ie *multistage.InstructionError
				if !errors.As(err, &ie) || ie.Stage != "s" || ie.Instruction != tt.instruction {
					t.Fatalf("%s: %v does not name stage s, %s", name, err, tt.instruction)
				}
				if n := strings.Count(err.Error(), multistage.ErrUnsafeValue.Error()); n > 1 {
					t.Errorf("%s: the message repeats %q: %v", name, multistage.ErrUnsafeValue, err)
				}
			}
		})
	}
}

// TestAcceptedRunScripts are the shell-form commands next to the refused
// ones above, which must still build.
func TestAcceptedRunScripts(t *testing.T) {
	for _, cmd := range []string{
		"#!/bin/sh is just a comment here",
		"echo a\n#!/bin/sh\necho b",
		" #!/bin/sh\necho hi",
	} {
		b := multistage.New()
		b.Stage("s").From("alpine:3.20").Run(cmd)
		crossCheck(t, b, cmd)
	}
}

// TestLongValueFits checks that a value of up to 10 KiB, the length
// validate.go promises always fits, renders and builds in both backends.
func TestLongValueFits(t *testing.T) {
	v := strings.Repeat(`a"$\'<`, 10<<10/6)
	b := multistage.New()
	b.Stage("s").From("alpine:3.20").
		Env("V", v).
		Label("l", v).
		Run("echo "+strings.Repeat("a", 10<<10)).
		Copy(v, "/dst").
		RunExec([]string{"echo", v})
	crossCheck(t, b, "10 KiB values")
}

func second[T any](_ T, err error) error { return err }

// TestUnusedStageChecked is the first bug FuzzCompile found: BuildKit's
// frontend expands and parses the base of every stage of a Dockerfile,
// also of a stage the target does not need, and fails on one that
// expands to no valid reference; Compile now does the same. With Target,
// the unused stage is not rendered, and both build.
func TestUnusedStageChecked(t *testing.T) {
	for _, base := range []string{"alpine:${V}", "${V}", "alpine:${V:?unset}"} {
		b := multistage.New()
		b.Stage("unused").FromExpand(base)
		a := b.Stage("a").From("alpine:3.20")
		df, err := b.Dockerfile()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Compile(context.Background()); err == nil {
			t.Errorf("%s: Compile accepts a stage whose base expands to no reference", base)
		}
		if _, _, err := crosscheck.Frontend(context.Background(), df, "a", crosscheck.Options{}); err == nil {
			t.Errorf("%s: dockerfile2llb accepts\n%s", base, df)
		}
		if _, _, err := crosscheck.Check(context.Background(), b, crosscheck.Options{Target: a}); err != nil {
			t.Errorf("%s: with Target(a): %v", base, err)
		}
	}
}

// TestErrorIndexCountsRefusedCalls: the Index of an InstructionError is the
// position of the call in the stage, also after calls that were refused
// and added nothing.
func TestErrorIndexCountsRefusedCalls(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine:3.20").
		Run("true").                                                // 0
		Env("A B", "x").                                            // 1: refused
		Copy("", "/x", multistage.Chown("a b"), multistage.Link()). // 2: refused, three problems
		Run("true").                                                // 3
		Expose(0)                                                   // 4: refused
	var got []int
	for _, err := range unjoin(b.Validate()) {
		var ie *multistage.InstructionError
		if !errors.As(err, &ie) {
			t.Fatalf("not an InstructionError: %v", err)
		}
		got = append(got, ie.Index)
	}
	if want := []int{1, 2, 2, 2, 4}; !slices.Equal(got, want) {
		t.Errorf("indexes %v, want %v: %v", got, want, b.Validate())
	}
}

// TestErrorMessages checks that refusals say what is wrong in the
// caller's terms: no line numbers of a Dockerfile the caller never wrote,
// argument lists shown as lists.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		reason string
		f      func(b *multistage.Build) error
		want   error
		has    string
		hasNot string
	}{
		{"an ONBUILD trigger BuildKit's parser refuses", func(b *multistage.Build) error {
			b.Stage("s").From("alpine:3.20").OnBuild("ENV")
			return b.Validate()
		}, multistage.ErrInvalidValue, "ENV requires at least one argument", "line 2"},
		{"an ONBUILD trigger with a stage index", func(b *multistage.Build) error {
			b.Stage("s").From("alpine:3.20").OnBuild("COPY --from=0 /a /b")
			return b.Validate()
		}, multistage.ErrInvalidValue, "by index", "defined before"},
		{"a healthcheck whose program is empty", func(b *multistage.Build) error {
			b.Stage("s").From("alpine:3.20").Healthcheck([]string{"", "x"})
			return b.Validate()
		}, multistage.ErrEmptyCommand, `["" "x"]`, `" x"`},
		{"a build arg without a name", func(b *multistage.Build) error {
			b.Stage("s").From("alpine:3.20").Run("true")
			return b.Validate(multistage.BuildArg("", "x"))
		}, multistage.ErrInvalidValue, "BuildArg", ""},
		{"a target platform without OS or architecture", func(b *multistage.Build) error {
			b.Stage("s").From("alpine:3.20").Run("true")
			return b.Validate(multistage.WithPlatform(ocispecs.Platform{}))
		}, multistage.ErrInvalidValue, "needs an OS and an architecture", ""},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			err := tc.f(multistage.New())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.has) || tc.hasNot != "" && strings.Contains(msg, tc.hasNot) {
				t.Errorf("message %q: want %q in it and not %q", msg, tc.has, tc.hasNot)
			}
		})
	}
}

// TestPlatformArg: a stage platform may name a build arg declared before
// the first stage, or an automatic one, and no other.
func TestPlatformArg(t *testing.T) {
	b := multistage.New()
	b.Arg("PLAT", "linux/arm64")
	b.Stage("s").From("alpine:3.20").Platform("${PLAT}").Run("true")
	diff, _, err := crosscheck.Check(context.Background(), b, crosscheck.Options{})
	if err != nil || diff != "" {
		t.Errorf("a declared arg: %v\n%s", err, diff)
	}
	b = multistage.New()
	b.Stage("s").From("alpine:3.20").Platform("$PLAT").Run("true")
	var ie *multistage.InstructionError
	if err := b.Validate(); !errors.Is(err, multistage.ErrInvalidValue) || !errors.As(err, &ie) || ie.Instruction != "FROM" {
		t.Errorf("an undeclared arg: Validate = %v, want ErrInvalidValue on FROM", err)
	}
}
