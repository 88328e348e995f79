package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/multistage/multistage/internal/ir"
)

// The round-trip tests render IR, read the Dockerfile back with BuildKit's
// own parser (parser.Parse, instructions.Parse), expand every word that the
// frontend expands with BuildKit's shell lexer, turn the result back into
// IR, and compare it with the IR given, resolved the way the compiler
// resolves it.

// testEnv is the environment words are expanded in. It defines variables,
// so that a '$' that should have been escaped shows in the result.
var testEnv = shell.EnvsFromSlice([]string{"X=bad", "HOME=/bad", "A=bad", "PATH=/bad", "Y=why", "EMPTY="})

// errExpansion marks an error of the shell lexer while expanding a word,
// as opposed to an error reading the Dockerfile.
var errExpansion = errors.New("expansion failed")

func expandWord(w string) (string, error) {
	v, _, err := shell.NewLex('\\').ProcessWord(w, testEnv)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", errExpansion, w, err)
	}
	return v, nil
}

// expandRaw expands heredoc content as the frontend does (ExpandRaw):
// without processing quotes.
func expandRaw(w string) (string, error) {
	lex := shell.NewLex('\\')
	lex.SkipProcessQuotes = true
	v, _, err := lex.ProcessWord(w, testEnv)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", errExpansion, w, err)
	}
	return v, nil
}

// resolve returns m as BuildKit should see it once it has read the
// Dockerfile: the Expand fields expanded in testEnv (as the compiler expands
// them), and each shell-form command as the text BuildKit gives the shell
// (with the newline a heredoc adds). An error wraps errExpansion.
func resolve(m *ir.Build) (*ir.Build, error) {
	out := &ir.Build{Syntax: m.Syntax}
	arg := func(a ir.Arg) (ir.Arg, error) {
		if a.Default == nil || !a.Expand {
			return ir.Arg{Name: a.Name, Default: a.Default}, nil
		}
		v, err := expandWord(*a.Default)
		return ir.Arg{Name: a.Name, Default: &v}, err
	}
	for _, a := range m.Args {
		a, err := arg(a)
		if err != nil {
			return nil, err
		}
		out.Args = append(out.Args, a)
	}
	for _, st := range m.Stages {
		s := &ir.Stage{Name: st.Name, Base: st.Base}
		var err error
		if s.Platform, err = expandWord(st.Platform); err != nil {
			return nil, err
		}
		if st.Base.ExpandImage {
			if s.Base.Image, err = expandWord(st.Base.Image); err != nil {
				return nil, err
			}
			s.Base.ExpandImage = false
		}
		for _, in := range st.Instructions {
			orig := in
			switch x := in.(type) {
			case *ir.Workdir:
				w := *x
				if w.Expand {
					if w.Path, err = expandWord(w.Path); err != nil {
						return nil, err
					}
					w.Expand = false
				}
				in = &w
			case *ir.Env:
				e := *x
				if e.Expand {
					if e.Value, err = expandWord(e.Value); err != nil {
						return nil, err
					}
					e.Expand = false
				}
				in = &e
			case *ir.ArgDecl:
				a, err := arg(x.Arg)
				if err != nil {
					return nil, err
				}
				in = &ir.ArgDecl{Arg: a}
			case *ir.Copy:
				cp := *x
				if cp.Expand {
					cp.Sources = slices.Clone(cp.Sources)
					for i := range cp.Sources {
						if cp.Sources[i], err = expandWord(cp.Sources[i]); err != nil {
							return nil, err
						}
					}
					if cp.Dest, err = expandWord(cp.Dest); err != nil {
						return nil, err
					}
					if cp.Chown, err = expandWord(cp.Chown); err != nil {
						return nil, err
					}
					cp.Expand = false
				}
				in = &cp
			case *ir.Run:
				r := *x
				switch {
				case r.Heredoc:
					hr, err := ir.ParseHeredocRun(r.Command)
					if err != nil {
						return nil, err
					}
					r.Heredoc, r.Command = false, hr.Script
					if hr.Single && strings.HasPrefix(hr.Data, "#!") {
						r.Command = "#!file:" + hr.Name + "\n" + hr.Data
					}
				case r.Shell && ir.ScriptNeedsHeredoc(r.Command):
					r.Command += "\n"
				}
				r.Mounts = slices.Clone(r.Mounts)
				for i := range r.Mounts {
					m := &r.Mounts[i]
					if m.Expand {
						for _, f := range []*string{&m.Target, &m.ID, &m.Source} {
							if *f, err = expandWord(*f); err != nil {
								return nil, err
							}
						}
						m.Expand = false
					}
				}
				in = &r
			case *ir.User:
				u := *x
				if u.Expand {
					if u.User, err = expandWord(u.User); err != nil {
						return nil, err
					}
					u.Expand = false
				}
				in = &u
			case *ir.Label:
				l := *x
				if l.Expand {
					if l.Value, err = expandWord(l.Value); err != nil {
						return nil, err
					}
					l.Expand = false
				}
				in = &l
			case *ir.EnvGroup:
				// Read back as one Env per variable.
				for _, e := range x.Vars {
					if e.Expand {
						if e.Value, err = expandWord(e.Value); err != nil {
							return nil, err
						}
						e.Expand = false
					}
					s.Instructions = append(s.Instructions, &e)
				}
				continue
			case *ir.OnBuild:
				in = &ir.OnBuild{Expression: x.Expression}
			}
			if cp, ok := in.(*ir.Copy); ok && len(cp.Contents) > 0 {
				cp.Contents = slices.Clone(cp.Contents)
				for i := range cp.Contents {
					if orig.(*ir.Copy).Expand {
						if cp.Contents[i].Data, err = expandRaw(cp.Contents[i].Data); err != nil {
							return nil, err
						}
					}
				}
			}
			if cp, ok := in.(*ir.Copy); ok && orig.(*ir.Copy).Expand && cp.Checksum != "" {
				if cp.Checksum, err = expandWord(cp.Checksum); err != nil {
					return nil, err
				}
			}
			s.Instructions = append(s.Instructions, in)
		}
		out.Stages = append(out.Stages, s)
	}
	return out, nil
}

// readBack reads a Dockerfile the way BuildKit's frontend does and returns
// the IR it stands for, every word expanded in testEnv. An error of the
// shell lexer wraps errExpansion; any other error means that BuildKit
// cannot read the file, or reads something the renderer never writes.
func readBack(df []byte) (*ir.Build, error) {
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		return nil, fmt.Errorf("parser.Parse: %w", err)
	}
	if len(res.Warnings) > 0 {
		return nil, fmt.Errorf("parser warnings: %v", res.Warnings[0].Short)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, fmt.Errorf("instructions.Parse: %w", err)
	}
	got := &ir.Build{}
	if syntax, _, _, ok := parser.DetectSyntax(df); ok {
		got.Syntax = syntax
	}
	for _, a := range metaArgs {
		if err := a.Expand(expandWord); err != nil {
			return nil, err
		}
		for _, kv := range a.Args {
			got.Args = append(got.Args, ir.Arg{Name: kv.Key, Default: kv.Value})
		}
	}
	names := map[string]int{}
	for i, st := range stages {
		s := &ir.Stage{Name: st.Name}
		if s.Platform, err = expandWord(st.Platform); err != nil {
			return nil, err
		}
		base, err := expandWord(st.BaseName)
		if err != nil {
			return nil, err
		}
		// FROM looks up earlier stages by exact name (dispatchStates.addState).
		if j, ok := names[base]; ok {
			s.Base = ir.StageSource(j)
		} else {
			s.Base = ir.ImageSource(base)
		}
		for _, c := range st.Commands {
			if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
				if err := e.Expand(expandWord); err != nil {
					return nil, err
				}
			}
			if e, ok := c.(instructions.SupportsSingleWordExpansionRaw); ok {
				if err := e.ExpandRaw(expandRaw); err != nil {
					return nil, err
				}
			}
			ins, err := commandIR(c, names)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Name(), err)
			}
			s.Instructions = append(s.Instructions, ins...)
		}
		names[st.Name] = i
		got.Stages = append(got.Stages, s)
	}
	return got, nil
}

// fromSource is how COPY --from and RUN --mount from= read a source name
// (dockerfile2llb: toCommand, detectRunMount).
func fromSource(from string, names map[string]int) ir.Source {
	if from == "" {
		return ir.Context()
	}
	if j, ok := names[strings.ToLower(from)]; ok {
		return ir.StageSource(j)
	}
	return ir.ImageSource(from)
}

// commandIR turns an expanded BuildKit command into IR instructions.
func commandIR(c instructions.Command, names map[string]int) ([]ir.Instruction, error) {
	switch x := c.(type) {
	case *instructions.EnvCommand:
		var out []ir.Instruction
		for _, kv := range x.Env {
			if kv.NoDelim {
				return nil, errors.New("legacy ENV key value form")
			}
			out = append(out, &ir.Env{Key: kv.Key, Value: kv.Value})
		}
		return out, nil
	case *instructions.LabelCommand:
		var out []ir.Instruction
		for _, kv := range x.Labels {
			if kv.NoDelim {
				return nil, errors.New("legacy LABEL key value form")
			}
			out = append(out, &ir.Label{Key: kv.Key, Value: kv.Value})
		}
		return out, nil
	case *instructions.ArgCommand:
		var out []ir.Instruction
		for _, kv := range x.Args {
			out = append(out, &ir.ArgDecl{Arg: ir.Arg{Name: kv.Key, Default: kv.Value}})
		}
		return out, nil
	case *instructions.WorkdirCommand:
		return []ir.Instruction{&ir.Workdir{Path: x.Path}}, nil
	case *instructions.UserCommand:
		return []ir.Instruction{&ir.User{User: x.User}}, nil
	case *instructions.StopSignalCommand:
		return []ir.Instruction{&ir.StopSignal{Signal: x.Signal}}, nil
	case *instructions.VolumeCommand:
		return []ir.Instruction{&ir.Volume{Paths: x.Volumes}}, nil
	case *instructions.ExposeCommand:
		var out []ir.Instruction
		for _, p := range x.Ports {
			port, proto, _ := strings.Cut(p, "/")
			if proto == "" {
				proto = "tcp"
			}
			n, err := strconv.Atoi(port)
			if err != nil {
				return nil, err
			}
			out = append(out, &ir.Expose{Port: n, Proto: proto})
		}
		return out, nil
	case *instructions.AddCommand:
		return []ir.Instruction{&ir.Copy{
			Add: true, From: ir.Context(), Sources: x.SourcePaths, Contents: contentsIR(x.SourceContents), Dest: x.DestPath,
			Chown: x.Chown, Chmod: x.Chmod, Link: x.Link, Exclude: x.ExcludePatterns,
			Checksum: x.Checksum, KeepGitDir: x.KeepGitDir, Unpack: x.Unpack,
		}}, nil
	case *instructions.MaintainerCommand:
		return []ir.Instruction{&ir.Maintainer{Name: x.Maintainer}}, nil
	case *instructions.OnbuildCommand:
		return []ir.Instruction{&ir.OnBuild{Expression: x.Expression}}, nil
	case *instructions.CopyCommand:
		from := ir.Context()
		if x.From != "" {
			// dockerfile2llb refuses a --from that the lexer would change,
			// and reads a number as a stage index.
			if v, _, err := shell.NewLex('\\').ProcessWord(x.From, shell.EnvsFromSlice(nil)); err != nil || v != x.From {
				return nil, fmt.Errorf("--from=%s is expanded", x.From)
			}
			if _, err := strconv.Atoi(x.From); err == nil {
				return nil, fmt.Errorf("--from=%s is a stage index", x.From)
			}
			from = fromSource(x.From, names)
		}
		return []ir.Instruction{&ir.Copy{
			From: from, Sources: x.SourcePaths, Contents: contentsIR(x.SourceContents), Dest: x.DestPath,
			Chown: x.Chown, Chmod: x.Chmod, Link: x.Link, Parents: x.Parents, Exclude: x.ExcludePatterns,
		}}, nil
	case *instructions.RunCommand:
		return runIR(x, names)
	case *instructions.CmdCommand:
		return []ir.Instruction{&ir.Cmd{Argv: x.CmdLine, Shell: x.PrependShell}}, nil
	case *instructions.EntrypointCommand:
		return []ir.Instruction{&ir.Entrypoint{Argv: x.CmdLine, Shell: x.PrependShell}}, nil
	case *instructions.ShellCommand:
		return []ir.Instruction{&ir.Shell{Argv: x.Shell}}, nil
	case *instructions.HealthCheckCommand:
		h := x.Health
		out := &ir.Healthcheck{Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, StartInterval: h.StartInterval, Retries: h.Retries}
		switch {
		case len(h.Test) == 1 && h.Test[0] == "NONE":
			out.None = true
		case len(h.Test) > 1 && h.Test[0] == "CMD":
			out.Test = h.Test[1:]
		case len(h.Test) > 1 && h.Test[0] == "CMD-SHELL":
			out.Shell, out.Test = true, h.Test[1:]
		default:
			return nil, fmt.Errorf("healthcheck test %q", h.Test)
		}
		return []ir.Instruction{out}, nil
	}
	return nil, fmt.Errorf("unexpected command %T", c)
}

// contentsIR turns heredoc sources into IR.
func contentsIR(cs []instructions.SourceContent) []ir.Content {
	var out []ir.Content
	for _, c := range cs {
		out = append(out, ir.Content{Name: c.Path, Data: c.Data})
	}
	return out
}

// runIR turns a RUN into IR: the shell-form command is the text BuildKit
// gives the shell.
func runIR(x *instructions.RunCommand, names map[string]int) ([]ir.Instruction, error) {
	r := &ir.Run{Shell: x.PrependShell}
	if slices.Contains(x.FlagsUsed, "network") {
		r.Network = instructions.GetNetwork(x)
	}
	if slices.Contains(x.FlagsUsed, "security") {
		r.Security = instructions.GetSecurity(x)
	}
	switch {
	case !x.PrependShell:
		if len(x.Files) > 0 {
			return nil, errors.New("exec form with heredoc")
		}
		r.Argv = x.CmdLine
	case len(x.Files) == 0:
		if len(x.CmdLine) != 1 {
			return nil, fmt.Errorf("shell form %q", x.CmdLine)
		}
		r.Command = x.CmdLine[0]
	case len(x.CmdLine) != 1:
		return nil, fmt.Errorf("heredoc with %q", x.CmdLine)
	case len(x.Files) != 1 || parser.MustParseHeredoc(x.CmdLine[0]) == nil:
		// The shell gets the whole text (dispatchRun).
		var b strings.Builder
		b.WriteString(x.CmdLine[0])
		for _, f := range x.Files {
			b.WriteString("\n" + f.Data + f.Name)
		}
		r.Command = b.String()
	default:
		data := x.Files[0].Data
		if x.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		r.Command = data
		if strings.HasPrefix(data, "#!") {
			// Run as a script file.
			r.Command = "#!file:" + x.Files[0].Name + "\n" + data
		}
	}
	for _, m := range instructions.GetMounts(x) {
		im := ir.Mount{
			Type: ir.MountType(m.Type), Target: m.Target, From: fromSource(m.From, names), Source: m.Source,
			ID: m.CacheID, Sharing: string(m.CacheSharing), Required: m.Required, Size: m.SizeLimit,
		}
		switch m.Type {
		case instructions.MountTypeBind:
			im.ReadWrite = !m.ReadOnly
		case instructions.MountTypeCache, instructions.MountTypeTmpfs:
			im.ReadOnly = m.ReadOnly
		}
		if m.Env != nil {
			im.Env = *m.Env
		}
		for _, p := range []struct {
			in  *uint64
			out **uint32
		}{{m.UID, &im.UID}, {m.GID, &im.GID}, {m.Mode, &im.Mode}} {
			if p.in != nil {
				if *p.in > math.MaxUint32 {
					return nil, fmt.Errorf("mount value %d", *p.in)
				}
				v := uint32(*p.in)
				*p.out = &v
			}
		}
		r.Mounts = append(r.Mounts, im)
	}
	return []ir.Instruction{r}, nil
}

// roundTrip renders m and checks that BuildKit reads it back as m. It
// returns the Dockerfile, or the error of Render.
func roundTrip(t testing.TB, m *ir.Build) ([]byte, error) {
	t.Helper()
	df, err := Render(m)
	if err != nil {
		if !errors.Is(err, ErrUnsafe) {
			t.Errorf("Render error does not wrap ErrUnsafe: %v", err)
		}
		return nil, err
	}
	again, err := Render(m)
	if err != nil || !bytes.Equal(df, again) {
		t.Errorf("Render is not deterministic:\n%s\n---\n%s (%v)", df, again, err)
	}
	want, wantErr := resolve(m)
	got, gotErr := readBack(df)
	switch {
	case wantErr != nil:
		// The compiler would fail to expand a value: so must BuildKit.
		if !errors.Is(gotErr, errExpansion) {
			t.Errorf("the IR does not expand (%v), but BuildKit reads the Dockerfile (%v):\n%s", wantErr, gotErr, df)
		}
	case gotErr != nil:
		t.Errorf("BuildKit cannot read the Dockerfile: %v\n%s", gotErr, clip(df))
	default:
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("BuildKit reads back other values (-want +got):\n%s\nDockerfile:\n%s", clip([]byte(diff)), clip(df))
		}
	}
	return df, nil
}

// clip shortens a Dockerfile or a diff for a test log.
func clip(b []byte) string {
	if len(b) > 4000 {
		return string(b[:4000]) + "\n[...]"
	}
	return string(b)
}

// build returns a build of one stage "s" from alpine with the instructions.
func build(ins ...ir.Instruction) *ir.Build {
	return &ir.Build{Stages: []*ir.Stage{{Name: "s", Base: ir.ImageSource("alpine"), Instructions: ins}}}
}

func ptr[T any](v T) *T { return &v }

// nasty are values that stress every layer of BuildKit's reading.
var nasty = []string{
	"",
	"plain",
	"two words",
	" leading space",
	"trailing space ",
	"\ttab",
	"tab\t",
	"\vvertical tab\f",
	"line\nbreak",
	"trailing newline\n",
	"cr\rhere",
	"trailing cr\r",
	"nul\x00byte",
	"invalid \xff\xfe utf-8",
	`back\slash`,
	`trailing\`,
	`trailing\ `,
	`\`,
	`\\`,
	`C:\Program Files\`,
	`"double"`,
	`'single'`,
	`"`,
	`'`,
	`mixed "' quotes`,
	`it's`,
	`$X`,
	`${X}`,
	`$(id -u)`,
	"`id -u`",
	`$`,
	`a$`,
	`$$`,
	`${X:-default}`,
	`${X`,
	`\$X`,
	`$HOME/bin:$PATH`,
	"#comment",
	"# syntax=evil",
	"<<EOF",
	"1<<EOF",
	"<<-EOF",
	"a<<b",
	"<< EOF",
	"<",
	"[",
	`["json", "array"]`,
	"[1]",
	`{"a": 1}`,
	"-x",
	"--from=x",
	"--",
	"-",
	"--mount=type=bind,target=/ rm -rf",
	"\u00a0nbsp",
	"nbsp\u00a0",
	"\u3000ideographic",
	"ideographic\u3000",
	"mid\u00a0dle",
	"\u2028line separator",
	"\u0085next line",
	"\ufeffbom",
	"mid\ufeffbom",
	"=",
	"a=b",
	"key=value with space",
	"ünïcödé ☃ 🐳",
	"*?[glob]",
	"EOF",
	"a,b",
	"\x01control\x7f",
	"\\\n",
	strings.Repeat("x", 1<<20),
}

// textOK reports whether v is a valid single-line value: what the root
// package accepts for literal values.
// restOfLineOK reports whether v can be written as the rest of a line.
func restOfLineOK(v string) bool {
	return v != "" && textOK(v) && strings.TrimSpace(v) == v && !strings.HasSuffix(v, `\`) && !strings.HasPrefix(v, "--")
}

func textOK(v string) bool {
	return utf8.ValidString(v) && !strings.ContainsAny(v, "\x00\n\r") && len(v) < 60000
}

func TestRoundTripNasty(t *testing.T) {
	type field struct {
		name        string
		instruction string
		make        func(v string) ir.Instruction
		ok          func(v string) bool
	}
	nonEmpty := func(v string) bool { return v != "" && textOK(v) }
	fields := []field{
		{"env value", "ENV", func(v string) ir.Instruction { return &ir.Env{Key: "K", Value: v} }, textOK},
		{"label value", "LABEL", func(v string) ir.Instruction { return &ir.Label{Key: "org.example.k", Value: v} }, textOK},
		{"arg default", "ARG", func(v string) ir.Instruction { return &ir.ArgDecl{Arg: ir.Arg{Name: "K", Default: &v}} }, textOK},
		{"workdir", "WORKDIR", func(v string) ir.Instruction { return &ir.Workdir{Path: v} }, nonEmpty},
		{"user", "USER", func(v string) ir.Instruction { return &ir.User{User: v} }, nonEmpty},
		{"stopsignal", "STOPSIGNAL", func(v string) ir.Instruction { return &ir.StopSignal{Signal: v} }, nonEmpty},
		{"copy source", "COPY", func(v string) ir.Instruction {
			return &ir.Copy{From: ir.Context(), Sources: []string{v}, Dest: "/dst/"}
		}, nonEmpty},
		{"copy destination", "COPY", func(v string) ir.Instruction {
			return &ir.Copy{From: ir.Context(), Sources: []string{"a", "b"}, Dest: v}
		}, nonEmpty},
		{"copy from stage", "COPY", func(v string) ir.Instruction {
			return &ir.Copy{From: ir.StageSource(0), Sources: []string{"/out/" + v}, Dest: v, Chown: "1000:1000", Link: true}
		}, nonEmpty},
		{"volume", "VOLUME", func(v string) ir.Instruction { return &ir.Volume{Paths: []string{"/data", v}} }, nonEmpty},
		{"exec argument", "CMD", func(v string) ir.Instruction { return &ir.Cmd{Argv: []string{"/bin/app", v}} },
			func(v string) bool { return utf8.ValidString(v) && !strings.Contains(v, "\x00") && len(v) < 60000 }},
		{"run exec argument", "RUN", func(v string) ir.Instruction { return &ir.Run{Argv: []string{v}, Network: "none"} },
			func(v string) bool { return utf8.ValidString(v) && !strings.Contains(v, "\x00") && len(v) < 60000 }},
		{"run command", "RUN", func(v string) ir.Instruction {
			return &ir.Run{Shell: true, Command: v, Mounts: []ir.Mount{{Type: ir.MountCache, Target: "/root/.cache", From: ir.Context()}}}
		}, func(v string) bool {
			return strings.TrimSpace(v) != "" && utf8.ValidString(v) && !strings.ContainsAny(v, "\x00\r") && len(v) < 60000
		}},
		{"copy content", "COPY", func(v string) ir.Instruction {
			return &ir.Copy{From: ir.Context(), Contents: []ir.Content{{Name: "EOF", Data: v + "\n"}}, Dest: "/x"}
		}, func(v string) bool {
			return utf8.ValidString(v) && !strings.ContainsAny(v, "\x00\r") && !slices.Contains(strings.Split(v, "\n"), "EOF") && len(v) < 60000
		}},
		{"copy content path", "COPY", func(v string) ir.Instruction {
			return &ir.Copy{From: ir.Context(), Sources: []string{v}, Contents: []ir.Content{{Name: "a.txt", Data: "x\n"}}, Dest: v}
		}, func(v string) bool { return nonEmpty(v) && strings.IndexFunc(v, unicode.IsSpace) < 0 }},
		{"add source", "ADD", func(v string) ir.Instruction {
			return &ir.Copy{Add: true, From: ir.Context(), Sources: []string{v}, Dest: "/d/", Chmod: "go-w"}
		}, nonEmpty},
		{"maintainer", "MAINTAINER", func(v string) ir.Instruction { return &ir.Maintainer{Name: v} }, restOfLineOK},
		{"onbuild", "ONBUILD", func(v string) ir.Instruction { return &ir.OnBuild{Expression: "RUN " + v} }, func(v string) bool {
			if !restOfLineOK("RUN " + v) {
				return false
			}
			// The parser must read one ONBUILD, the instruction as written
			// (no heredoc, no bad JSON).
			res, err := parser.Parse(strings.NewReader("ONBUILD RUN " + v + "\n"))
			if err != nil || len(res.AST.Children) != 1 {
				return false
			}
			c, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], linter.New(&linter.Config{}))
			ob, ok := c.(*instructions.OnbuildCommand)
			return err == nil && ok && ob.Expression == "RUN "+v
		}},
		{"shell-form cmd", "CMD", func(v string) ir.Instruction { return &ir.Cmd{Argv: []string{v}, Shell: true} }, func(v string) bool {
			return restOfLineOK(v) && !ir.ParsedAsJSON(v)
		}},
		{"shell-form entrypoint", "ENTRYPOINT", func(v string) ir.Instruction { return &ir.Entrypoint{Argv: []string{v}, Shell: true} }, func(v string) bool {
			return restOfLineOK(v) && !ir.ParsedAsJSON(v)
		}},
		{"healthcheck command", "HEALTHCHECK", func(v string) ir.Instruction {
			return &ir.Healthcheck{Shell: true, Test: []string{v}, Interval: 10 * time.Second}
		}, func(v string) bool {
			return v != "" && textOK(v) && strings.TrimSpace(v) == v && !ir.ParsedAsJSON(v) && !strings.HasSuffix(v, `\`)
		}},
	}
	for _, f := range fields {
		for _, v := range nasty {
			t.Run(f.name+"/"+strconv.QuoteToASCII(short(v)), func(t *testing.T) {
				m := build(f.make(v))
				if f.name == "copy from stage" {
					m.Stages = append([]*ir.Stage{{Name: "build", Base: ir.ImageSource("golang")}}, m.Stages...)
				}
				df, err := roundTrip(t, m)
				switch {
				case err == nil && !f.ok(v):
					t.Errorf("Render accepts %q:\n%s", short(v), clip(df))
				case err != nil && f.ok(v):
					t.Errorf("Render refuses %q: %v", short(v), err)
				case err != nil:
					var de *Error
					if !errors.As(err, &de) || de.Stage != "s" || de.Instruction != f.instruction || de.Index != 0 {
						t.Errorf("error does not name stage s, instruction 1 (%s): %v", f.instruction, err)
					}
				}
			})
		}
	}
}

func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("x", maxLine-len("ENV K="))
	var script strings.Builder
	for i := 0; script.Len() < 1<<20; i++ {
		fmt.Fprintf(&script, "echo %d %s\n", i, strings.Repeat("y", 100))
	}
	tests := []struct {
		name   string
		reason string
		build  *ir.Build
		// wantErr is a part of the error; empty when Render must succeed.
		wantErr string
	}{
		{
			name:   "syntax-and-global-args",
			reason: "the syntax directive and the args before FROM come back, defaults literal",
			build: &ir.Build{
				Syntax: "docker/dockerfile:1.7",
				Args:   []ir.Arg{{Name: "GO_VERSION", Default: ptr("1.22")}, {Name: "BASE"}, {Name: "LIT", Default: ptr("$X \"q\"")}, {Name: "E", Default: ptr("")}},
				Stages: []*ir.Stage{{Name: "s", Base: ir.Source{Stage: -1, Image: "golang:${GO_VERSION}", ExpandImage: true}}},
			},
		},
		{
			name:   "global-arg-expand",
			reason: "an arg default with Expand refers to earlier args",
			build: &ir.Build{
				Args:   []ir.Arg{{Name: "V", Default: ptr("$Y-${X:-d}"), Expand: true}},
				Stages: []*ir.Stage{{Name: "s", Base: ir.ImageSource("alpine")}},
			},
		},
		{
			name:   "stages",
			reason: "stage bases and --from name earlier stages and images; the platform is expanded",
			build: &ir.Build{Stages: []*ir.Stage{
				{Name: "build", Base: ir.ImageSource("golang:1.22"), Platform: "$BUILDPLATFORM"},
				{Name: "test", Base: ir.StageSource(0), Platform: "linux/arm64/v8"},
				{Name: "final", Base: ir.ImageSource("scratch"), Instructions: []ir.Instruction{
					&ir.Copy{From: ir.StageSource(0), Sources: []string{"/out/app"}, Dest: "/app"},
					&ir.Copy{From: ir.StageSource(1), Sources: []string{"/x"}, Dest: "/y"},
					&ir.Copy{From: ir.ImageSource("nginx:alpine"), Sources: []string{"/etc/nginx/nginx.conf"}, Dest: "/etc/nginx/"},
					&ir.Copy{From: ir.ImageSource("alpine@sha256:0123456789012345678901234567890123456789012345678901234567890123"), Sources: []string{"/a"}, Dest: "/b"},
				}},
			}},
		},
		{
			name:   "env-expand",
			reason: "Expand values reach the lexer as the compiler expands them: bare, quoted with '$' live, or as they are",
			build: build(
				&ir.Env{Key: "PATH", Value: "/opt/bin:$PATH", Expand: true},
				&ir.Env{Key: "GOBIN", Value: "${HOME}/bin", Expand: true},
				&ir.Env{Key: "SPACES", Value: "a b $X", Expand: true},
				&ir.Env{Key: "QUOTED", Value: `"$HOME"/x`, Expand: true},
				&ir.Env{Key: "ESCAPED", Value: `\$HOME`, Expand: true},
				&ir.Env{Key: "SINGLE", Value: `'$HOME'`, Expand: true},
				&ir.Env{Key: "WIN", Value: `C:\dir`, Expand: true},
				&ir.Env{Key: "DEFAULT", Value: `${EMPTY:-"a b"}`, Expand: true},
				&ir.Env{Key: "EMPTYV", Value: "", Expand: true},
				&ir.Env{Key: "BOM", Value: "\ufeff$X", Expand: true},
				&ir.Env{Key: "DASH", Value: "-$X", Expand: true},
				&ir.ArgDecl{Arg: ir.Arg{Name: "ARGX", Default: ptr(`"$Y"`), Expand: true}},
				&ir.Workdir{Path: "/srv/$Y", Expand: true},
				&ir.Workdir{Path: `"/my dir/$Y"`, Expand: true},
				&ir.Workdir{Path: "/a b/${Y}", Expand: true},
			),
		},
		{
			name:    "env-expand-two-words",
			reason:  "an Expand value with quotes and white space outside them is not one word",
			build:   build(&ir.Env{Key: "K", Value: `a "b" c`, Expand: true}),
			wantErr: "single, complete shell word",
		},
		{
			name:    "env-expand-unterminated",
			reason:  "an Expand value with an unterminated quote is not one word",
			build:   build(&ir.Env{Key: "K", Value: `"abc`, Expand: true}),
			wantErr: "single, complete shell word",
		},
		{
			name:    "env-expand-escaped-trailing-space",
			reason:  "the parser trims the escaped space and continues the line",
			build:   build(&ir.Env{Key: "K", Value: `a\ `, Expand: true}),
			wantErr: "single, complete shell word",
		},
		{
			name:    "workdir-expand-dash",
			reason:  "a verbatim word starting with - could be a flag",
			build:   build(&ir.Workdir{Path: `--x="a"`, Expand: true}),
			wantErr: "single, complete shell word",
		},
		{
			name:   "copy",
			reason: "COPY flags and paths in plain form, globs included",
			build: build(&ir.Copy{From: ir.Context(), Sources: []string{"go.mod", "go.sum*", "**/*.??proj"}, Dest: "./",
				Chown: "1000:1000", Chmod: "0755", Link: true, Parents: true, Exclude: []string{"**/bin", "*.md", "$notexpanded", "a,b=c"}}),
		},
		{
			name:   "copy-json",
			reason: "a path that is not plain makes the whole COPY JSON, each string escaped for the lexer",
			build:  build(&ir.Copy{From: ir.Context(), Sources: []string{"docs dir", "$X", `"q"`, `\`, "<<EOF", "1<<EOF", "\ufeffbom", "[a]", "-x", "--from=evil"}, Dest: "/dst dir/"}),
		},
		{
			name:   "copy-expand",
			reason: "Expand copies expand sources, destination and --chown; JSON strings are given to the lexer as they are",
			build: build(
				&ir.Copy{From: ir.Context(), Sources: []string{"bin/${Y}", "$X"}, Dest: "$HOME/", Chown: "${Y}:$X", Expand: true},
				&ir.Copy{From: ir.Context(), Sources: []string{"my $Y", `"$X"`}, Dest: `C:\dir\`, Expand: true},
			),
		},
		{
			name:    "copy-expand-heredoc",
			reason:  "BuildKit reads a COPY source starting with << as a heredoc, even in JSON form",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"<<EOF $X"}, Dest: "/", Expand: true}),
			wantErr: "heredoc",
		},
		{
			name:    "copy-chown-dollar",
			reason:  "BuildKit expands --chown, and a flag cannot escape '$'",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"a"}, Dest: "b", Chown: "$X"}),
			wantErr: "--chown",
		},
		{
			name:    "copy-chown-unicode",
			reason:  "BuildKit reads flags a byte at a time",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"a"}, Dest: "b", Chown: "ü"}),
			wantErr: "printable ASCII",
		},
		{
			name:    "copy-exclude-space",
			reason:  "a flag ends at white space",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"a"}, Dest: "b", Exclude: []string{"a b"}}),
			wantErr: "--exclude",
		},
		{
			name:   "add-forms",
			reason: "ADD of a local archive, a URL with a checksum, a git repository with --keep-git-dir, and a symbolic chmod",
			build: build(
				&ir.Copy{Add: true, From: ir.Context(), Sources: []string{"a.tar.gz", "b c.tar"}, Dest: "/d/", Chown: "1:2", Link: true},
				&ir.Copy{Add: true, From: ir.Context(), Sources: []string{"https://example.com/a?b=c"}, Dest: "/x", Checksum: "sha256:00", Chmod: "u+x,go-w"},
				&ir.Copy{Add: true, From: ir.Context(), Sources: []string{"https://github.com/a/b.git#v1:dir"}, Dest: "/src", KeepGitDir: ptr(true)},
				&ir.Copy{Add: true, From: ir.Context(), Sources: []string{"a.tgz"}, Dest: "/src", Unpack: ptr(false)},
			),
		},
		{
			name:    "copy-checksum",
			reason:  "COPY has no --checksum",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"a"}, Dest: "b", Checksum: "sha256:00"}),
			wantErr: "checksum",
		},
		{
			name:   "copy-contents",
			reason: "heredoc sources: quoted and literal, or unquoted and expanded; a file and two heredocs; an empty one",
			build: build(
				&ir.Copy{From: ir.Context(), Contents: []ir.Content{{Name: "EOF", Data: "$X 'q' \"d\" \\ <<EOF1\nEOF2\n"}}, Dest: "/a"},
				&ir.Copy{From: ir.Context(), Contents: []ir.Content{{Name: "EOF", Data: "${Y} 'q' \"$X\"\n"}}, Dest: "/b/$Y", Expand: true},
				&ir.Copy{From: ir.Context(), Sources: []string{"--f", "$x"}, Contents: []ir.Content{{Name: "a.txt", Data: "a\n"}, {Name: "b", Data: ""}}, Dest: "/c/"},
			),
		},
		{
			name:    "copy-content-delimiter",
			reason:  "a line of the content that is its delimiter would end the heredoc",
			build:   build(&ir.Copy{From: ir.Context(), Contents: []ir.Content{{Name: "EOF", Data: "a\nEOF\n"}}, Dest: "/a"}),
			wantErr: "delimiter",
		},
		{
			name:    "copy-content-newline",
			reason:  "heredoc content ends with a newline",
			build:   build(&ir.Copy{From: ir.Context(), Contents: []ir.Content{{Name: "EOF", Data: "a"}}, Dest: "/a"}),
			wantErr: "newline",
		},
		{
			name:   "run-heredocs",
			reason: "RUN with here-documents is written as it is: for the shell, a single one, a #! script, a chomped one",
			build: build(
				&ir.Run{Shell: true, Heredoc: true, Command: "python3 <<EOF\nprint('$X')\nEOF"},
				&ir.Run{Shell: true, Heredoc: true, Command: "cat <<A <<'B' > /x\n$X\nA\n$Y\nB"},
				&ir.Run{Shell: true, Heredoc: true, Command: "<<EOF\necho one\nEOF"},
				&ir.Run{Shell: true, Heredoc: true, Command: "<<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF", Network: "none"},
				&ir.Run{Shell: true, Heredoc: true, Command: "<<-EOF\n\techo tab\nEOF"},
			),
		},
		{
			name:   "mount-expand",
			reason: "the target, id and source of a mount with Expand are expanded",
			build: build(&ir.Run{Shell: true, Command: "make", Mounts: []ir.Mount{
				{Type: ir.MountCache, Target: "/c/$Y", ID: "id-${Y}", Source: "s$X", From: ir.Context(), Expand: true},
				{Type: ir.MountSecret, ID: "tok-$Y", From: ir.Context(), Expand: true},
			}}),
		},
		{
			name:    "run-heredoc-unterminated",
			reason:  "BuildKit must read back the same command",
			build:   build(&ir.Run{Shell: true, Heredoc: true, Command: "cat <<EOF\nno end"}),
			wantErr: "here-documents",
		},
		{
			name:   "config-forms",
			reason: "shell-form CMD and ENTRYPOINT, MAINTAINER, ONBUILD, ENV of several variables, USER and LABEL expanded",
			build: build(
				&ir.Cmd{Argv: []string{`echo "$HOME" <<EOF`}, Shell: true},
				&ir.Entrypoint{Argv: []string{"exec app"}, Shell: true},
				&ir.Maintainer{Name: `Jane "J" Doe <j@example.com> $X`},
				&ir.OnBuild{Expression: "COPY --chown=1:1 a b"},
				&ir.EnvGroup{Vars: []ir.Env{{Key: "A", Value: "$X \"q\"", Expand: false}, {Key: "B", Value: "${Y}-$X", Expand: true}}},
				&ir.User{User: "${Y}:$X", Expand: true},
				&ir.Label{Key: "v", Value: "v$Y", Expand: true},
			),
		},
		{
			name:    "onbuild-from",
			reason:  "ONBUILD FROM is refused by BuildKit",
			build:   build(&ir.OnBuild{Expression: "FROM alpine"}),
			wantErr: "FROM",
		},
		{
			name:    "copy-chmod",
			reason:  "chmod is an octal or a symbolic mode",
			build:   build(&ir.Copy{From: ir.Context(), Sources: []string{"a"}, Dest: "b", Chmod: "u+q"}),
			wantErr: "octal",
		},
		{
			name:    "copy-no-sources",
			reason:  "COPY needs a source",
			build:   build(&ir.Copy{From: ir.Context(), Dest: "b"}),
			wantErr: "no sources",
		},
		{
			name:   "copy-from-image-like-stage",
			reason: "BuildKit reads --from=<a stage name> as the stage, in any case",
			build: &ir.Build{Stages: []*ir.Stage{
				{Name: "build", Base: ir.ImageSource("alpine")},
				{Name: "s", Base: ir.ImageSource("alpine"), Instructions: []ir.Instruction{&ir.Copy{From: ir.ImageSource("Build"), Sources: []string{"a"}, Dest: "b"}}},
			}},
			wantErr: "would be read as stage",
		},
		{
			name:    "copy-from-number",
			reason:  "BuildKit reads --from=<number> as a stage index",
			build:   build(&ir.Copy{From: ir.ImageSource("0"), Sources: []string{"a"}, Dest: "b"}),
			wantErr: "stage index",
		},
		{
			name:    "copy-from-later-stage",
			reason:  "stages refer to earlier stages only",
			build:   build(&ir.Copy{From: ir.StageSource(0), Sources: []string{"a"}, Dest: "b"}),
			wantErr: "not an earlier stage",
		},
		{
			name:    "copy-from-expand",
			reason:  "BuildKit does not expand --from",
			build:   build(&ir.Copy{From: ir.Source{Stage: -1, Image: "alpine:${V}", ExpandImage: true}, Sources: []string{"a"}, Dest: "b"}),
			wantErr: "cannot be expanded here",
		},
		{
			name:   "run",
			reason: "RUN flags, mounts of every type, shell and exec forms",
			build: &ir.Build{Stages: []*ir.Stage{
				{Name: "build", Base: ir.ImageSource("golang")},
				{Name: "s", Base: ir.ImageSource("alpine"), Instructions: []ir.Instruction{
					&ir.Run{Shell: true, Command: "go build ./...", Network: "none", Security: "insecure", Mounts: []ir.Mount{
						{Type: ir.MountCache, Target: "/root/.cache/go-build", From: ir.Context(), ID: "gobuild", Sharing: "locked", UID: ptr[uint32](1000), GID: ptr[uint32](0), Mode: ptr[uint32](0o700)},
						{Type: ir.MountCache, Target: "/cache", From: ir.StageSource(0), Source: "/seed", ReadOnly: true},
						{Type: ir.MountSecret, ID: "npmrc", Target: "/root/.npmrc", Required: true, Mode: ptr[uint32](0o400), From: ir.Context()},
						{Type: ir.MountSecret, ID: "token", Env: "GITHUB_TOKEN", From: ir.Context()},
						{Type: ir.MountSSH, From: ir.Context()},
						{Type: ir.MountSSH, ID: "github", Target: "/ssh.sock", Required: true, UID: ptr[uint32](1), From: ir.Context()},
						{Type: ir.MountBind, Target: "go.sum", Source: "go.sum", From: ir.Context()},
						{Type: ir.MountBind, Target: "/mnt", Source: "/etc", From: ir.ImageSource("alpine:3"), ReadWrite: true},
						{Type: ir.MountBind, Target: "/src", From: ir.StageSource(0)},
						{Type: ir.MountTmpfs, Target: "/tmp", Size: 64 << 20, From: ir.Context()},
						{Type: ir.MountTmpfs, Target: "/big", Size: maxExactSize, From: ir.Context()},
					}},
					&ir.Run{Argv: []string{"go", "version"}, Network: "default", Security: "sandbox"},
					&ir.Run{Shell: true, Command: "echo 'single' \"double\" $HOME `id` \\ # not a comment"},
					&ir.Run{Shell: true, Command: "#!/bin/sh on one line is a comment for sh -c"},
				}},
			}},
		},
		{
			name:   "run-heredoc",
			reason: "a command that cannot be on the line is a heredoc; the delimiter is not a line of it",
			build: build(
				&ir.Run{Shell: true, Command: "set -e\necho EOF\nEOF\nEOF1\n  EOF2\ncat <<EOF3\nx\nEOF3", Network: "none"},
				&ir.Run{Shell: true, Command: "--version"},
				&ir.Run{Shell: true, Command: "[ -f x ] && echo y"},
				&ir.Run{Shell: true, Command: " leading space"},
				&ir.Run{Shell: true, Command: "ends with \\"},
				&ir.Run{Shell: true, Command: "nbsp\u00a0"},
				&ir.Run{Shell: true, Command: "a<<b"},
				&ir.Run{Shell: true, Command: "\n\necho x\n"},
				&ir.Run{Shell: true, Command: "\t#!/bin/sh\n"},
			),
		},
		{
			name:   "run-heredoc-1MiB",
			reason: "a 1 MiB script of short lines is fine as a heredoc",
			build:  build(&ir.Run{Shell: true, Command: script.String()}),
		},
		{
			name:    "run-shebang-heredoc",
			reason:  "BuildKit runs a heredoc starting with #! as a script file, not with the shell",
			build:   build(&ir.Run{Shell: true, Command: "#!/usr/bin/env python3\nprint(1)"}),
			wantErr: "#!",
		},
		{
			name:    "run-blank",
			reason:  "a blank command runs nothing",
			build:   build(&ir.Run{Shell: true, Command: " \n\t"}),
			wantErr: "blank",
		},
		{
			name:    "run-network",
			reason:  "network is an enumeration",
			build:   build(&ir.Run{Argv: []string{"a"}, Network: "bridge"}),
			wantErr: "network",
		},
		{
			name:    "run-both-forms",
			reason:  "an exec-form RUN has no shell command",
			build:   build(&ir.Run{Argv: []string{"a"}, Command: "b"}),
			wantErr: "exec-form RUN",
		},
		{
			name:    "mount-target-dollar",
			reason:  "BuildKit expands mount values",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountCache, Target: "/$X", From: ir.Context()}}}),
			wantErr: "mount target",
		},
		{
			name:    "mount-target-comma",
			reason:  "BuildKit reads mounts as CSV",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountBind, Target: "/a,rw", From: ir.Context()}}}),
			wantErr: "mount target",
		},
		{
			name:    "mount-mode-on-bind",
			reason:  "BuildKit refuses mode for bind mounts",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountBind, Target: "/a", From: ir.Context(), Mode: ptr[uint32](0o755)}}}),
			wantErr: "no uid, gid or mode",
		},
		{
			name:    "mount-from-on-secret",
			reason:  "a field the mount type does not have is refused, not dropped",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountSecret, ID: "x", From: ir.StageSource(0)}}}),
			wantErr: "no from",
		},
		{
			name:    "mount-zero-from",
			reason:  "the zero Source is stage 0, which is not an earlier stage of stage 0",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountCache, Target: "/c"}}}),
			wantErr: "not an earlier stage",
		},
		{
			name:    "mount-secret-no-id",
			reason:  "BuildKit needs an id or a target for a secret",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountSecret, From: ir.Context()}}}),
			wantErr: "id or a target",
		},
		{
			name:    "mount-size-inexact",
			reason:  "BuildKit parses sizes as float64",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountTmpfs, Target: "/t", Size: maxExactSize + 1, From: ir.Context()}}}),
			wantErr: "tmpfs size",
		},
		{
			name:    "mount-sharing",
			reason:  "sharing is an enumeration",
			build:   build(&ir.Run{Argv: []string{"a"}, Mounts: []ir.Mount{{Type: ir.MountCache, Target: "/c", Sharing: "all", From: ir.Context()}}}),
			wantErr: "sharing",
		},
		{
			name:   "healthcheck",
			reason: "durations come back exactly from Duration.String, down to the nanosecond",
			build: build(
				&ir.Healthcheck{Test: []string{"/app", "-health"}, Interval: 30 * time.Second, Timeout: 1500 * time.Millisecond, StartPeriod: time.Hour + time.Nanosecond, StartInterval: time.Millisecond, Retries: math.MaxInt32},
				&ir.Healthcheck{Shell: true, Test: []string{"wget -q --spider http://localhost/ || exit 1"}, Interval: math.MaxInt64, Timeout: time.Millisecond + 1},
				&ir.Healthcheck{Shell: true, Test: []string{"-x <<EOF $HOME"}},
				&ir.Healthcheck{None: true},
			),
		},
		{
			name:    "healthcheck-short-duration",
			reason:  "BuildKit refuses durations below 1ms",
			build:   build(&ir.Healthcheck{Test: []string{"a"}, Interval: time.Microsecond}),
			wantErr: "below 1ms",
		},
		{
			name:    "healthcheck-none-with-test",
			reason:  "HEALTHCHECK NONE has no test",
			build:   build(&ir.Healthcheck{None: true, Test: []string{"a"}}),
			wantErr: "NONE",
		},
		{
			name:   "misc",
			reason: "EXPOSE, USER, STOPSIGNAL, SHELL, ENTRYPOINT, LABEL keys",
			build: build(
				&ir.Expose{Port: 8080, Proto: "tcp"},
				&ir.Expose{Port: 53, Proto: "udp"},
				&ir.User{User: "65534:65534"},
				&ir.StopSignal{Signal: "SIGQUIT"},
				&ir.Shell{Argv: []string{"/bin/bash", "-o", "pipefail", "-c"}},
				&ir.Entrypoint{Argv: []string{"/app", "\"", "\\", "$X", "\n", "\u2028", "<&>"}},
				&ir.Label{Key: "org.opencontainers.image.source", Value: "https://example.com/r"},
				&ir.Label{Key: "ünï/cödé#<>", Value: "v"},
				&ir.Label{Key: "a key with spaces", Value: "v"},
				&ir.Label{Key: "\ufeffkey", Value: "v"},
				&ir.Label{Key: `-"quoted" $X \`, Value: "v"},
			),
		},
		{
			name:    "label-key-equals",
			reason:  "BuildKit splits a LABEL word at its first '=', even inside quotes",
			build:   build(&ir.Label{Key: "a=b", Value: "v"}),
			wantErr: "label key",
		},
		{
			name:    "env-key",
			reason:  "env keys are identifiers",
			build:   build(&ir.Env{Key: "A B", Value: "v"}),
			wantErr: "env key",
		},
		{
			name:    "expose-proto",
			reason:  "tcp, udp or sctp",
			build:   build(&ir.Expose{Port: 1, Proto: "quic"}),
			wantErr: "protocol",
		},
		{
			name:   "longest-line",
			reason: "BuildKit reads lines of up to 64 KiB - 1",
			build:  build(&ir.Env{Key: "K", Value: long}),
		},
		{
			name:    "line-too-long",
			reason:  "one byte more is a parse error",
			build:   build(&ir.Env{Key: "K", Value: long + "x"}),
			wantErr: "longer than",
		},
		{
			name:    "stage-name",
			reason:  "BuildKit lowercases and checks stage names",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "Build", Base: ir.ImageSource("alpine")}}},
			wantErr: "stage name",
		},
		{
			name: "duplicate-stage",
			build: &ir.Build{Stages: []*ir.Stage{
				{Name: "a", Base: ir.ImageSource("alpine")},
				{Name: "a", Base: ir.ImageSource("alpine")},
			}},
			reason:  "names must be unique",
			wantErr: "duplicate",
		},
		{
			name:    "base-dollar",
			reason:  "a literal image is expanded by BuildKit's FROM",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "a", Base: ir.ImageSource("alpine:$X")}}},
			wantErr: "base image",
		},
		{
			name:    "base-expand-space",
			reason:  "FROM splits at white space",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "a", Base: ir.Source{Stage: -1, Image: "alpine ${X}", ExpandImage: true}}}},
			wantErr: "base image",
		},
		{
			name:    "base-expand-open-quote",
			reason:  "quotes in FROM are read by the lexer, and must close",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "a", Base: ir.Source{Stage: -1, Image: `alpine:"${X}`, ExpandImage: true}}}},
			wantErr: "base image",
		},
		{
			name:    "base-flag",
			reason:  "a base starting with -- is a flag",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "a", Base: ir.Source{Stage: -1, Image: "--platform=x", ExpandImage: true}}}},
			wantErr: "base image",
		},
		{
			name:    "base-context",
			reason:  "a stage cannot start from the build context",
			build:   &ir.Build{Stages: []*ir.Stage{{Name: "a", Base: ir.Context()}}},
			wantErr: "empty base image",
		},
		{
			name:    "syntax-space",
			reason:  "the directive is one word",
			build:   &ir.Build{Syntax: "a b", Stages: []*ir.Stage{{Name: "a", Base: ir.ImageSource("alpine")}}},
			wantErr: "syntax",
		},
		{
			name:    "no-stages",
			reason:  "BuildKit needs a FROM",
			build:   &ir.Build{},
			wantErr: "no stages",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reason == "" {
				t.Fatal("reason must be provided")
			}
			df, err := roundTrip(t, tt.build)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Render: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Render succeeds, want an error about %q:\n%s", tt.wantErr, clip(df))
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Render error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestRoundTripDurations(t *testing.T) {
	// Duration.String must give back the same time.Duration from
	// BuildKit's parseOptInterval for every duration it accepts.
	rng := rand.New(rand.NewPCG(1, 2))
	durations := []time.Duration{time.Millisecond, time.Millisecond + 1, time.Second - 1, time.Minute + 1, math.MaxInt64}
	for range 2000 {
		durations = append(durations, time.Millisecond+time.Duration(rng.Int64N(math.MaxInt64-int64(time.Millisecond))))
		durations = append(durations, time.Millisecond+time.Duration(rng.Int64N(int64(time.Hour))))
	}
	for _, d := range durations {
		m := build(&ir.Healthcheck{Test: []string{"a"}, Interval: d, Timeout: d, StartPeriod: d, StartInterval: d})
		if _, err := roundTrip(t, m); err != nil {
			t.Errorf("%d: %v", d, err)
		}
	}
}
