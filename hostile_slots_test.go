package multistage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
)

// This file holds what the hostile-input table test (hostile_test.go) and the
// fuzz targets (fuzz_test.go) share: the slots, one for every string that a
// caller passes and that reaches the Dockerfile, and the reading back of a
// rendered Dockerfile with BuildKit's own parser and shell lexer.

// testEnv is the environment that every word BuildKit expands is expanded
// in when a Dockerfile is read back. It defines the variables the hostile
// values use, so that a '$' the renderer should have escaped shows up as
// "bad" in the value read back.
var testEnv = shell.EnvsFromSlice([]string{"X=bad", "Y=why", "HOME=/bad", "PATH=/bad", "A=bad", "K=bad", "EMPTY="})

// errExpand marks a failure of BuildKit's shell lexer on a word, as opposed
// to a Dockerfile that BuildKit cannot read.
var errExpand = errors.New("shell lexer fails on the word")

func expandWord(w string) (string, error) {
	v, _, err := shell.NewLex('\\').ProcessWord(w, testEnv)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", errExpand, w, err)
	}
	return v, nil
}

// parsed is a Dockerfile as BuildKit reads it: the "# syntax=" directive,
// the global ARGs and the stages, with every word that the frontend
// expands expanded in testEnv.
type parsed struct {
	syntax string
	args   []instructions.KeyValuePairOptional
	stages []instructions.Stage
}

// readBack reads df with parser.Parse and instructions.Parse, as BuildKit's
// Dockerfile frontend does, and expands every command that the frontend
// expands (instructions.SupportsSingleWordExpansion), the platform and the
// base name of every stage. A parser warning is an error: the renderer
// never writes a Dockerfile that BuildKit warns about.
func readBack(df []byte) (*parsed, error) {
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		return nil, fmt.Errorf("parser.Parse: %w", err)
	}
	if len(res.Warnings) > 0 {
		return nil, fmt.Errorf("parser warning: %s", res.Warnings[0].Short)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, fmt.Errorf("instructions.Parse: %w", err)
	}
	p := &parsed{stages: stages}
	if syntax, _, _, ok := parser.DetectSyntax(df); ok {
		p.syntax = syntax
	}
	for _, a := range metaArgs {
		if err := a.Expand(expandWord); err != nil {
			return nil, err
		}
		p.args = append(p.args, a.Args...)
	}
	for i := range p.stages {
		st := &p.stages[i]
		if st.BaseName, err = expandWord(st.BaseName); err != nil {
			return nil, err
		}
		for _, c := range st.Commands {
			if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
				if err := e.Expand(expandWord); err != nil {
					return nil, err
				}
			}
		}
	}
	return p, nil
}

// stage returns the stage named name.
func (p *parsed) stage(name string) (*instructions.Stage, error) {
	for i := range p.stages {
		if p.stages[i].Name == name {
			return &p.stages[i], nil
		}
	}
	return nil, fmt.Errorf("no stage %q", name)
}

// command returns the first command of type T in the stage "s".
func command[T instructions.Command](p *parsed) (T, error) {
	var zero T
	st, err := p.stage("s")
	if err != nil {
		return zero, err
	}
	for _, c := range st.Commands {
		if x, ok := c.(T); ok {
			return x, nil
		}
	}
	return zero, fmt.Errorf("stage s has no %T", zero)
}

// mount returns the first mount of the first RUN of the stage "s".
func mount(p *parsed) (*instructions.Mount, error) {
	r, err := command[*instructions.RunCommand](p)
	if err != nil {
		return nil, err
	}
	ms := instructions.GetMounts(r)
	if len(ms) == 0 {
		return nil, errors.New("RUN has no mount")
	}
	return ms[0], nil
}

// shellCommand is the text that BuildKit gives the shell for a shell-form
// RUN: the rest of the line, or the text of a heredoc less the newline
// the heredoc adds (checked here).
func shellCommand(r *instructions.RunCommand) (string, error) {
	if !r.PrependShell || len(r.CmdLine) != 1 {
		return "", fmt.Errorf("not a one-line shell-form RUN: %q", r.CmdLine)
	}
	if len(r.Files) == 0 {
		return r.CmdLine[0], nil
	}
	h := parser.MustParseHeredoc(r.CmdLine[0])
	if len(r.Files) != 1 || h == nil || h.Name != r.Files[0].Name || h.Expand || h.Chomp {
		return "", fmt.Errorf("RUN %q is not one quoted heredoc: %+v", r.CmdLine, r.Files)
	}
	data, ok := strings.CutSuffix(r.Files[0].Data, "\n")
	if !ok {
		return "", fmt.Errorf("heredoc %q does not end with a newline", r.Files[0].Data)
	}
	return data, nil
}

// at returns argv[i], or an error.
func at(argv []string, i int) (string, error) {
	if i >= len(argv) {
		return "", fmt.Errorf("%q has no element %d", argv, i)
	}
	return argv[i], nil
}

// class groups the slots that treat a value the same way; the hostile
// table gives the expected outcome of every value for every class.
type class int

const (
	cStage       class = iota // stage names: BuildKit's ^[a-z][a-z0-9-_.]*$
	cImage                    // image references, checked with distribution/reference
	cExpandImage              // FromExpand: a template of an image reference, a flag value
	cPlatform                 // os/arch[/variant] or $BUILDPLATFORM, $TARGETPLATFORM
	cKey                      // env keys, arg names, secret env names: ^[A-Za-z_][A-Za-z0-9_]*$
	cLabelKey                 // label keys: one line of text without '=', quoted when not plain
	cText                     // env and label values, arg defaults: any one line of text
	cPath                     // WORKDIR, USER, COPY paths, VOLUME: one line of text, not empty
	cExpand                   // WorkdirExpand, COPY with Expand: a path template for the shell lexer
	cExpandText               // EnvExpand, ArgExpand: a value template for the shell lexer
	cExpandCopy               // COPY paths with Expand: any path but a heredoc, lexed by both backends
	cFlag                     // values written inside --mount and --chown: mount targets, ids and sources, owners
	cPattern                  // --exclude patterns: a flag value that BuildKit does not expand
	cArgv                     // exec-form arguments (RUN, ENTRYPOINT, CMD, SHELL, HEALTHCHECK): JSON
	cProgram                  // the first exec-form argument: JSON, not empty
	cScript                   // shell-form RUN: a line, or a heredoc
	cHealth                   // shell-form HEALTHCHECK: one line, no heredoc
	cSignal                   // STOPSIGNAL: a signal name or number
	numClasses
)

var classNames = [numClasses]string{"stage", "image", "expand-image", "platform", "key", "label-key", "text", "path", "expand", "expand-text", "expand-copy", "flag", "pattern", "argv", "program", "script", "health", "signal"}

func (c class) String() string { return classNames[c] }

// slot is one string parameter of the public API that reaches the
// Dockerfile, with a build that uses a value there and the way to read the
// value back from the Dockerfile.
type slot struct {
	name  string
	class class
	// apply uses v in the stage "s", for the slots of a stage's
	// instructions. The build is then a stage "s" from alpine.
	apply func(s *multistage.Stage, v string)
	// build, for the other slots, builds with v in the slot: a stage "s"
	// or one stage named v, whatever else it needs, and the options for
	// Dockerfile and Compile.
	build func(v string) (*multistage.Build, []multistage.Option)
	// read returns the value BuildKit reads back.
	read func(p *parsed) (string, error)
	// want is the value BuildKit must read back; v itself when nil. A
	// slot that expands returns v expanded in testEnv, or an error
	// wrapping errExpand when the lexer fails on it.
	want func(v string) (string, error)
	// same compares the value wanted with the value read back; ==
	// when nil.
	same func(want, got string) bool
	// stage and instruction are what an error must name; instruction
	// alone (stage "") for the ARGs before the first stage and the
	// syntax directive, which belong to no stage.
	stage, instruction string
	// compiled, when set, returns the value Compile used, found in its
	// image config or LLB, so that it can be compared with want directly.
	compiled func(c *multistage.Compiled) (string, error)
}

// make builds with v in the slot.
func (sl slot) make(v string) (*multistage.Build, []multistage.Option) {
	if sl.build != nil {
		return sl.build(v)
	}
	b := multistage.New()
	sl.apply(b.Stage("s").From("alpine:3.20"), v)
	return b, nil
}

func expandWant(v string) (string, error) { return expandWord(v) }

// runWant is the script a shell-form Run passes to the shell: a final
// unescaped '\' escaped, which /bin/sh reads as the same '\', so that the
// heredoc's newline does not make it a line continuation.
func runWant(v string) (string, error) {
	if n := len(v) - len(strings.TrimRight(v, `\`)); n%2 == 1 {
		return v + `\`, nil
	}
	return v, nil
}

// asIs is the want of a slot that BuildKit reads back as it is, but whose
// value may still fail Compile, and BuildKit's frontend, once it is known
// where the build runs: a platform that refers to build args, or a
// relative mount target, joined to the working directory.
func asIs(v string) (string, error) { return v, nil }

// sameImage compares image references by what they name: the renderer
// writes a reference fully qualified when it would otherwise be read as a
// stage name.
func sameImage(want, got string) bool {
	if want == got {
		return true
	}
	w, err1 := reference.ParseNormalizedNamed(want)
	g, err2 := reference.ParseNormalizedNamed(got)
	return err1 == nil && err2 == nil && reference.TagNameOnly(w).String() == reference.TagNameOnly(g).String()
}

// configEnv returns the value of key in the image config of c.
func configEnv(key string) func(c *multistage.Compiled) (string, error) {
	return func(c *multistage.Compiled) (string, error) {
		for _, kv := range c.Image.Config.Env {
			if k, v, _ := strings.Cut(kv, "="); k == key {
				return v, nil
			}
		}
		return "", fmt.Errorf("no %s in the image env %q", key, c.Image.Config.Env)
	}
}

// execArgs returns the args of the exec ops of a definition, in the order
// of the definition.
func execArgs(def *llb.Definition) ([][]string, error) {
	var out [][]string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if e := op.GetExec(); e != nil {
			out = append(out, e.Meta.Args)
		}
	}
	return out, nil
}

// lastExecArg returns the last argument of the one exec op of c.
func lastExecArg(c *multistage.Compiled) (string, error) {
	execs, err := execArgs(c.Definition)
	if err != nil {
		return "", err
	}
	if len(execs) != 1 || len(execs[0]) == 0 {
		return "", fmt.Errorf("want one exec op, have %q", execs)
	}
	return execs[0][len(execs[0])-1], nil
}

// slots are all the string parameters of the public API that reach the
// Dockerfile. (BuildArg reaches only Compile; Chmod, Expose, UID, GID,
// Mode and Size take numbers.)
var slots = []slot{
	{name: "Build.Stage name", class: cStage, instruction: "FROM",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			b.Stage(v).From("alpine:3.20")
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			if len(p.stages) != 1 {
				return "", fmt.Errorf("%d stages", len(p.stages))
			}
			return p.stages[0].Name, nil
		},
		compiled: func(c *multistage.Compiled) (string, error) { return c.Target, nil }},
	{name: "From", class: cImage, stage: "s", instruction: "FROM", same: sameImage,
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			b.Stage("s").From(v)
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			st, err := p.stage("s")
			if err != nil {
				return "", err
			}
			return st.BaseName, nil
		}},
	{name: "FromExpand", class: cExpandImage, stage: "s", instruction: "FROM", want: expandWant, same: sameImage,
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			b.Stage("s").FromExpand(v)
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			st, err := p.stage("s")
			if err != nil {
				return "", err
			}
			return st.BaseName, nil
		}},
	{name: "Platform", class: cPlatform, stage: "s", instruction: "FROM", want: asIs,
		apply: func(s *multistage.Stage, v string) { s.Platform(v) },
		read: func(p *parsed) (string, error) {
			st, err := p.stage("s")
			if err != nil {
				return "", err
			}
			// The platform is expanded with the automatic platform
			// args, which testEnv does not define: read it raw.
			return st.Platform, nil
		}},
	{name: "Syntax", class: cImage, instruction: "syntax",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			b.Stage("s").From("alpine:3.20")
			return b, []multistage.Option{multistage.Syntax(v)}
		},
		read: func(p *parsed) (string, error) { return p.syntax, nil }},
	{name: "CopyFromImage ref", class: cImage, stage: "s", instruction: "COPY", same: sameImage,
		apply: func(s *multistage.Stage, v string) { s.CopyFromImage(v, "/etc/os-release", "/") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			return c.From, err
		}},
	{name: "MountFromImage ref", class: cImage, stage: "s", instruction: "RUN", same: sameImage,
		apply: func(s *multistage.Stage, v string) {
			s.Run("ls /mnt", multistage.BindMount("/mnt", multistage.MountFromImage(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.From, nil
		}},

	{name: "Workdir", class: cPath, stage: "s", instruction: "WORKDIR",
		apply: func(s *multistage.Stage, v string) { s.Workdir(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.WorkdirCommand](p)
			return c.Path, err
		}},
	{name: "WorkdirExpand", class: cExpand, stage: "s", instruction: "WORKDIR", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.WorkdirExpand(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.WorkdirCommand](p)
			return c.Path, err
		}},
	{name: "Env key", class: cKey, stage: "s", instruction: "ENV",
		apply: func(s *multistage.Stage, v string) { s.Env(v, "value") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EnvCommand](p)
			if err != nil {
				return "", err
			}
			return c.Env[0].Key, nil
		}},
	{name: "Env value", class: cText, stage: "s", instruction: "ENV", compiled: configEnv("V"),
		apply: func(s *multistage.Stage, v string) { s.Env("V", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EnvCommand](p)
			if err != nil {
				return "", err
			}
			return c.Env[0].Value, nil
		}},
	{name: "EnvExpand value", class: cExpandText, stage: "s", instruction: "ENV", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.EnvExpand("V", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EnvCommand](p)
			if err != nil {
				return "", err
			}
			return c.Env[0].Value, nil
		}},
	{name: "Label key", class: cLabelKey, stage: "s", instruction: "LABEL",
		apply: func(s *multistage.Stage, v string) { s.Label(v, "value") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.LabelCommand](p)
			if err != nil {
				return "", err
			}
			return c.Labels[0].Key, nil
		}},
	{name: "Label value", class: cText, stage: "s", instruction: "LABEL",
		apply: func(s *multistage.Stage, v string) { s.Label("l", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.LabelCommand](p)
			if err != nil {
				return "", err
			}
			return c.Labels[0].Value, nil
		},
		compiled: func(c *multistage.Compiled) (string, error) {
			v, ok := c.Image.Config.Labels["l"]
			if !ok {
				return "", fmt.Errorf("no label l in %v", c.Image.Config.Labels)
			}
			return v, nil
		}},
	{name: "Stage.Arg name", class: cKey, stage: "s", instruction: "ARG",
		apply: func(s *multistage.Stage, v string) { s.Arg(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.ArgCommand](p)
			if err != nil {
				return "", err
			}
			return c.Args[0].Key, nil
		}},
	{name: "Stage.Arg default", class: cText, stage: "s", instruction: "ARG",
		apply: func(s *multistage.Stage, v string) { s.Arg("A", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.ArgCommand](p)
			if err != nil {
				return "", err
			}
			if c.Args[0].Value == nil {
				return "", errors.New("ARG without a default")
			}
			return *c.Args[0].Value, nil
		}},
	{name: "Stage.ArgExpand default", class: cExpandText, stage: "s", instruction: "ARG", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.ArgExpand("A", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.ArgCommand](p)
			if err != nil {
				return "", err
			}
			if c.Args[0].Value == nil {
				return "", errors.New("ARG without a default")
			}
			return *c.Args[0].Value, nil
		}},
	{name: "Build.Arg name", class: cKey, instruction: "ARG",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New().Arg(v)
			b.Stage("s").From("alpine:3.20")
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			if len(p.args) != 1 {
				return "", fmt.Errorf("%d global args", len(p.args))
			}
			return p.args[0].Key, nil
		}},
	{name: "Build.Arg default", class: cText, instruction: "ARG",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New().Arg("A", v)
			b.Stage("s").From("alpine:3.20")
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			if len(p.args) != 1 || p.args[0].Value == nil {
				return "", fmt.Errorf("global args %+v", p.args)
			}
			return *p.args[0].Value, nil
		}},
	{name: "Build.ArgExpand default", class: cExpandText, instruction: "ARG", want: expandWant,
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New().ArgExpand("A", v)
			b.Stage("s").From("alpine:3.20")
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			if len(p.args) != 1 || p.args[0].Value == nil {
				return "", fmt.Errorf("global args %+v", p.args)
			}
			return *p.args[0].Value, nil
		}},
	{name: "User", class: cPath, stage: "s", instruction: "USER",
		apply: func(s *multistage.Stage, v string) { s.User(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.UserCommand](p)
			return c.User, err
		},
		compiled: func(c *multistage.Compiled) (string, error) { return c.Image.Config.User, nil }},
	{name: "Copy src", class: cPath, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.Copy(v, "/dst/") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.SourcePaths, 0)
		}},
	{name: "Copy dst", class: cPath, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.Copy("src", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			return c.DestPath, err
		}},
	{name: "Copy src with Expand", class: cExpandCopy, stage: "s", instruction: "COPY", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.Copy(v, "/dst/", multistage.Expand()) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.SourcePaths, 0)
		}},
	{name: "CopyFrom src", class: cPath, stage: "s", instruction: "COPY",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			dep := b.Stage("dep").From("golang:1.22")
			b.Stage("s").From("alpine:3.20").CopyFrom(dep, v, "/dst")
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.SourcePaths, 0)
		}},
	{name: "CopyFrom dst", class: cPath, stage: "s", instruction: "COPY",
		build: func(v string) (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			dep := b.Stage("dep").From("golang:1.22")
			b.Stage("s").From("alpine:3.20").CopyFrom(dep, "/out/app", v)
			return b, nil
		},
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			return c.DestPath, err
		}},
	{name: "Chown", class: cFlag, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.Copy("src", "/dst", multistage.Chown(v)) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			return c.Chown, err
		}},
	{name: "Exclude", class: cPattern, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.Copy(".", "/dst", multistage.Exclude(v)) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.ExcludePatterns, 0)
		}},
	{name: "Volume", class: cPath, stage: "s", instruction: "VOLUME",
		apply: func(s *multistage.Stage, v string) { s.Volume(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.VolumeCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.Volumes, 0)
		}},
	{name: "StopSignal", class: cSignal, stage: "s", instruction: "STOPSIGNAL",
		apply: func(s *multistage.Stage, v string) { s.StopSignal(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.StopSignalCommand](p)
			return c.Signal, err
		},
		compiled: func(c *multistage.Compiled) (string, error) { return c.Image.Config.StopSignal, nil }},
	{name: "Run", class: cScript, stage: "s", instruction: "RUN", want: runWant,
		apply: func(s *multistage.Stage, v string) { s.Run(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.RunCommand](p)
			if err != nil {
				return "", err
			}
			return shellCommand(c)
		},
		compiled: func(c *multistage.Compiled) (string, error) {
			arg, err := lastExecArg(c)
			if err != nil {
				return "", err
			}
			// A heredoc gives the shell the script and a newline; the
			// table checks that the read-back value agrees (shellCommand).
			execs, _ := execArgs(c.Definition)
			if len(execs[0]) != 3 || execs[0][0] != "/bin/sh" || execs[0][1] != "-c" {
				return "", fmt.Errorf("not run by /bin/sh -c: %q", execs[0])
			}
			return arg, nil
		}},
	{name: "RunExec arg", class: cArgv, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) { s.RunExec([]string{"/bin/echo", v}) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.RunCommand](p)
			if err != nil {
				return "", err
			}
			if c.PrependShell {
				return "", errors.New("shell form")
			}
			return at(c.CmdLine, 1)
		},
		compiled: lastExecArg},
	{name: "RunExec argv[0]", class: cProgram, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) { s.RunExec([]string{v}) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.RunCommand](p)
			if err != nil {
				return "", err
			}
			if c.PrependShell {
				return "", errors.New("shell form")
			}
			return at(c.CmdLine, 0)
		}},
	{name: "Entrypoint arg", class: cArgv, stage: "s", instruction: "ENTRYPOINT",
		apply: func(s *multistage.Stage, v string) { s.Entrypoint("/app", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EntrypointCommand](p)
			if err != nil {
				return "", err
			}
			if c.PrependShell {
				return "", errors.New("shell form")
			}
			return at(c.CmdLine, 1)
		},
		compiled: func(c *multistage.Compiled) (string, error) { return at(c.Image.Config.Entrypoint, 1) }},
	{name: "Cmd arg", class: cArgv, stage: "s", instruction: "CMD",
		apply: func(s *multistage.Stage, v string) { s.Cmd("/app", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CmdCommand](p)
			if err != nil {
				return "", err
			}
			if c.PrependShell {
				return "", errors.New("shell form")
			}
			return at(c.CmdLine, 1)
		},
		compiled: func(c *multistage.Compiled) (string, error) { return at(c.Image.Config.Cmd, 1) }},
	{name: "Shell arg", class: cArgv, stage: "s", instruction: "SHELL",
		apply: func(s *multistage.Stage, v string) { s.Shell("/bin/bash", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.ShellCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.Shell, 1)
		},
		compiled: func(c *multistage.Compiled) (string, error) { return at(c.DockerImage.Config.Shell, 1) }},
	{name: "Healthcheck arg", class: cArgv, stage: "s", instruction: "HEALTHCHECK",
		apply: func(s *multistage.Stage, v string) { s.Healthcheck([]string{"/check", v}) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.HealthCheckCommand](p)
			if err != nil {
				return "", err
			}
			if t := c.Health.Test; len(t) != 3 || t[0] != "CMD" {
				return "", fmt.Errorf("healthcheck test %q", t)
			}
			return c.Health.Test[2], nil
		},
		compiled: func(c *multistage.Compiled) (string, error) {
			if c.DockerImage.Config.Healthcheck == nil {
				return "", errors.New("no healthcheck")
			}
			return at(c.DockerImage.Config.Healthcheck.Test, 2)
		}},
	{name: "HealthcheckShell", class: cHealth, stage: "s", instruction: "HEALTHCHECK",
		apply: func(s *multistage.Stage, v string) { s.HealthcheckShell(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.HealthCheckCommand](p)
			if err != nil {
				return "", err
			}
			if t := c.Health.Test; len(t) != 2 || t[0] != "CMD-SHELL" {
				return "", fmt.Errorf("healthcheck test %q", t)
			}
			return c.Health.Test[1], nil
		},
		compiled: func(c *multistage.Compiled) (string, error) {
			if c.DockerImage.Config.Healthcheck == nil {
				return "", errors.New("no healthcheck")
			}
			return at(c.DockerImage.Config.Healthcheck.Test, 1)
		}},
	{name: "CacheMount target", class: cFlag, stage: "s", instruction: "RUN", want: asIs,
		apply: func(s *multistage.Stage, v string) { s.Run("make", multistage.CacheMount(v)) },
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.Target, nil
		}},
	{name: "CacheMount MountID", class: cFlag, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) {
			s.Run("make", multistage.CacheMount("/cache", multistage.MountID(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.CacheID, nil
		}},
	{name: "BindMount target", class: cFlag, stage: "s", instruction: "RUN", want: asIs,
		apply: func(s *multistage.Stage, v string) { s.Run("make", multistage.BindMount(v)) },
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.Target, nil
		}},
	{name: "BindMount MountSource", class: cFlag, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) {
			s.Run("make", multistage.BindMount("/mnt", multistage.MountSource(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.Source, nil
		}},
	{name: "TmpfsMount target", class: cFlag, stage: "s", instruction: "RUN", want: asIs,
		apply: func(s *multistage.Stage, v string) { s.Run("make", multistage.TmpfsMount(v)) },
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.Target, nil
		}},
	{name: "SecretMount id", class: cFlag, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) { s.Run("make", multistage.SecretMount(v)) },
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.CacheID, nil
		}},
	{name: "SecretMount MountTarget", class: cFlag, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) {
			s.Run("make", multistage.SecretMount("npmrc", multistage.MountTarget(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.Target, nil
		}},
	{name: "SecretEnv", class: cKey, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) {
			s.Run("make", multistage.SecretMount("token", multistage.SecretEnv(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			if m.Env == nil {
				return "", errors.New("no env")
			}
			return *m.Env, nil
		}},
	{name: "SSHMount MountID", class: cFlag, stage: "s", instruction: "RUN",
		apply: func(s *multistage.Stage, v string) {
			s.Run("git fetch", multistage.SSHMount(multistage.MountID(v)))
		},
		read: func(p *parsed) (string, error) {
			m, err := mount(p)
			if err != nil {
				return "", err
			}
			return m.CacheID, nil
		}},
}

// sentinels are the errors every refusal must wrap one of.
var sentinels = []error{
	multistage.ErrInvalidStageName, multistage.ErrDuplicateStage, multistage.ErrInvalidImageRef,
	multistage.ErrNoBase, multistage.ErrForeignStage, multistage.ErrCycle, multistage.ErrEmptyCommand,
	multistage.ErrInvalidPort, multistage.ErrUnsafeValue, multistage.ErrInvalidValue,
	multistage.ErrNoStages, multistage.ErrTargetNotLast,
}

// outcome is what the public API does with v in slot sl: the error of
// Dockerfile (after checking that Validate and Compile agree with it and
// that it names where the problem is), or the value BuildKit reads back
// and the Dockerfile.
type outcome struct {
	err error
	// compileErr is the error of Compile on a value that it fails to
	// expand, as dockerfile2llb does.
	compileErr error
	df         []byte
	got        string
	want       string
	// wantErr is the error of expanding the value, when the slot
	// expands and the lexer fails on the value.
	wantErr error
}

// try runs v through slot sl and checks the properties that hold for
// every value, whatever the outcome:
//
//   - Validate, Dockerfile and Compile (without a resolver) accept or
//     refuse the value together;
//   - a refusal wraps one of the sentinel errors and is an
//     [*multistage.InstructionError] that names the stage and the
//     instruction of the slot (or, for the slots outside any stage, names
//     the instruction in its message);
//   - an accepted value renders to a Dockerfile that BuildKit reads without
//     an error or a warning, the same bytes every time, and BuildKit reads
//     back the value wanted, or fails to expand it exactly when the
//     library's own expansion does.
func try(t testing.TB, sl slot, v string) outcome {
	t.Helper()
	b, opts := sl.make(v)
	verr := b.Validate(opts...)
	df, err := b.Dockerfile(opts...)
	_, cerr := b.Compile(context.Background(), opts...)
	if (verr == nil) != (err == nil) || (err != nil && cerr == nil) {
		t.Fatalf("%s %q: Validate, Dockerfile and Compile disagree:\nValidate: %v\nDockerfile: %v\nCompile: %v", sl.name, clip(v), verr, err, cerr)
	}
	if err != nil {
		checkRefusal(t, sl, v, err)
		return outcome{err: err}
	}
	if cerr != nil {
		// Only an expansion, which Validate cannot foresee, may fail in
		// Compile; then it fails in BuildKit's frontend too.
		if sl.want == nil {
			t.Fatalf("%s %q: Dockerfile accepts the value, Compile refuses it: %v\n%s", sl.name, clip(v), cerr, clip(string(df)))
		}
		if _, _, ferr := crosscheck.Frontend(context.Background(), df, "s", crosscheck.Options{}); ferr == nil {
			t.Fatalf("%s %q: Compile fails (%v), dockerfile2llb compiles\n%s", sl.name, clip(v), cerr, clip(string(df)))
		}
	}
	if again, err := b.Dockerfile(opts...); err != nil || !bytes.Equal(df, again) {
		t.Fatalf("%s %q: Dockerfile is not deterministic: %v", sl.name, clip(v), err)
	}
	o := outcome{df: df, want: v, compileErr: cerr}
	if sl.want != nil {
		o.want, o.wantErr = sl.want(v)
	}
	p, perr := readBack(df)
	switch {
	case o.wantErr != nil:
		if !errors.Is(perr, errExpand) {
			t.Fatalf("%s %q: the value does not expand (%v) but BuildKit reads it (%v):\n%s", sl.name, clip(v), o.wantErr, perr, clip(string(df)))
		}
		return o
	case perr != nil:
		t.Fatalf("%s %q: BuildKit cannot read the Dockerfile: %v\n%s", sl.name, clip(v), perr, clip(string(df)))
	}
	got, err := sl.read(p)
	if err != nil {
		t.Fatalf("%s %q: reading back: %v\n%s", sl.name, clip(v), err, clip(string(df)))
	}
	o.got = got
	same := sl.same
	if same == nil {
		same = func(a, b string) bool { return a == b }
	}
	if !same(o.want, got) {
		t.Fatalf("%s %q: BuildKit reads back %q, want %q\n%s", sl.name, clip(v), clip(got), clip(o.want), clip(string(df)))
	}
	return o
}

// checkRefusal checks that err, the refusal of v in slot sl, is typed and
// says where the problem is.
func checkRefusal(t testing.TB, sl slot, v string, err error) {
	t.Helper()
	if !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(err, s) }) {
		t.Fatalf("%s %q: the error wraps no sentinel: %v", sl.name, clip(v), err)
	}
	if sl.stage == "" && sl.class != cStage {
		if !strings.Contains(err.Error(), sl.instruction) {
			t.Fatalf("%s %q: the error does not name %s: %v", sl.name, clip(v), sl.instruction, err)
		}
		return
	}
	stage := sl.stage
	if sl.class == cStage {
		stage = v
	}
	var ie *multistage.InstructionError
	if !errors.As(err, &ie) {
		t.Fatalf("%s %q: the error is not an *InstructionError: %v", sl.name, clip(v), err)
	}
	if ie.Stage != stage || ie.Instruction != sl.instruction {
		t.Fatalf("%s %q: the error names stage %q, %s; want stage %q, %s: %v", sl.name, clip(v), ie.Stage, ie.Instruction, stage, sl.instruction, err)
	}
}

// crossCheck compiles b with Compile and with dockerfile2llb on its
// Dockerfile and fails t when they disagree.
func crossCheck(t testing.TB, b *multistage.Build, what string) *crosscheck.Result {
	t.Helper()
	diff, res, err := crosscheck.Check(context.Background(), b, crosscheck.Options{})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if diff != "" {
		t.Fatalf("%s: Compile and dockerfile2llb disagree on\n%s\n%s", what, clip(string(res.Dockerfile)), clip(diff))
	}
	return res
}

// clip shortens a value for a message.
func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("[... %d bytes]", len(s))
	}
	return s
}
