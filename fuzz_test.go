package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/testresolver"
)

// The fuzz targets of the public API. Their seeds are the hostile values
// (hostile_test.go) and the files in testdata/fuzz/<FuzzName>/, which also
// keep every input that once found a bug. Run them with
//
//	go test -run XXX -fuzz FuzzStageValues -fuzztime 3m .
//	go test -run XXX -fuzz FuzzCompile -fuzztime 3m .

// FuzzStageValues puts a fuzzed value in every slot of the public API (see
// slots), one slot at a time and then all at once in one stage. One at a
// time, try checks that Validate, Dockerfile and Compile agree, and that
// the value is either refused with a typed error naming the stage and the
// instruction, or rendered so that BuildKit's parser and instructions
// packages read back exactly that value. All at once, the stage must be
// refused exactly when one of the slots refuses the value, with one
// *InstructionError for each such slot, and must otherwise render to a
// Dockerfile that BuildKit reads.
func FuzzStageValues(f *testing.F) {
	for _, h := range hostile {
		if len(h.value) <= 4<<10 {
			f.Add(h.value)
		}
	}
	f.Fuzz(func(t *testing.T, v string) {
		if len(v) > 16<<10 {
			return // the length limits have their own tests
		}
		var refused []string // instructions of the slots that refuse v
		expandFails := false
		for _, sl := range fuzzSlots {
			o := try(t, sl, v)
			if sl.apply == nil {
				continue
			}
			if o.err != nil {
				refused = append(refused, sl.instruction)
			}
			expandFails = expandFails || o.wantErr != nil || o.compileErr != nil
		}

		b := multistage.New()
		s := b.Stage("s").From("alpine:3.20")
		for _, sl := range fuzzSlots {
			if sl.apply != nil {
				sl.apply(s, v)
			}
		}
		verr := b.Validate()
		df, err := b.Dockerfile()
		_, cerr := b.Compile(context.Background())
		if (verr == nil) != (err == nil) || (err != nil && cerr == nil) {
			t.Fatalf("all slots %q: Validate, Dockerfile and Compile disagree:\nValidate: %v\nDockerfile: %v\nCompile: %v", clip(v), verr, err, cerr)
		}
		if (err != nil) != (len(refused) > 0) {
			t.Fatalf("all slots %q: the slots refuse it in %q, the stage: %v", clip(v), refused, err)
		}
		if err != nil {
			var got []string
			for _, e := range unjoin(err) {
				var ie *multistage.InstructionError
				if !errors.As(e, &ie) || ie.Stage != "s" {
					t.Fatalf("all slots %q: %v is not an *InstructionError of stage s", clip(v), e)
				}
				got = append(got, ie.Instruction)
			}
			if !slices.Equal(got, refused) {
				t.Fatalf("all slots %q: refused in %q, want %q:\n%v", clip(v), got, refused, err)
			}
			return
		}
		if _, perr := readBack(df); perr != nil && !(expandFails && errors.Is(perr, errExpand)) {
			t.Fatalf("all slots %q: BuildKit cannot read the Dockerfile: %v\n%s", clip(v), perr, clip(string(df)))
		}
		if cerr != nil && !expandFails {
			t.Fatalf("all slots %q: Dockerfile accepts it, Compile refuses it: %v", clip(v), cerr)
		}
	})
}

// fuzzSlots are the slots of the hostile table and those of the calls
// that it has no class for yet: the shell forms of CMD and ENTRYPOINT,
// MAINTAINER, ONBUILD, ADD, heredoc COPY and the other Expand variants.
// (Their class only tells checkRefusal that the stage is "s".)
var fuzzSlots = append(slices.Clip(slots), moreSlots...)

var moreSlots = []slot{
	{name: "LabelExpand value", class: cText, stage: "s", instruction: "LABEL", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.LabelExpand("l", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.LabelCommand](p)
			if err != nil {
				return "", err
			}
			return c.Labels[0].Value, nil
		}},
	{name: "LabelExpand key", class: cText, stage: "s", instruction: "LABEL", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.LabelExpand(v, "v") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.LabelCommand](p)
			if err != nil {
				return "", err
			}
			if len(c.Labels) != 1 || c.Labels[0].Value != "v" {
				return "", fmt.Errorf("LABEL %v, want one label of value v", c.Labels)
			}
			return c.Labels[0].Key, nil
		}},
	{name: "VolumeExpand", class: cText, stage: "s", instruction: "VOLUME", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.VolumeExpand("/data", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.VolumeCommand](p)
			if err != nil {
				return "", err
			}
			if len(c.Volumes) != 2 || c.Volumes[0] != "/data" {
				return "", fmt.Errorf("VOLUME %q, want /data and one more", c.Volumes)
			}
			return c.Volumes[1], nil
		}},
	{name: "StopSignalExpand", class: cText, stage: "s", instruction: "STOPSIGNAL", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.StopSignalExpand(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.StopSignalCommand](p)
			return c.Signal, err
		}},
	// EXPOSE words are not expanded when parsed: the frontend expands them
	// as the compiler does, so the word itself must come back.
	{name: "ExposeExpand", class: cText, stage: "s", instruction: "EXPOSE",
		want:  func(v string) (string, error) { return v, nil },
		apply: func(s *multistage.Stage, v string) { s.ExposeExpand(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.ExposeCommand](p)
			if err != nil {
				return "", err
			}
			return strings.Join(c.Ports, " "), nil
		}},
	{name: "UserExpand", class: cText, stage: "s", instruction: "USER", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.UserExpand(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.UserCommand](p)
			return c.User, err
		}},
	{name: "EnvExpandAll value", class: cText, stage: "s", instruction: "ENV", want: expandWant,
		apply: func(s *multistage.Stage, v string) { s.EnvExpandAll("V", v, "W", "w") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EnvCommand](p)
			if err != nil {
				return "", err
			}
			if len(c.Env) != 2 || c.Env[1].Key != "W" || c.Env[1].Value != "w" {
				return "", fmt.Errorf("ENV %v, want V and W=w", c.Env)
			}
			return c.Env[0].Value, nil
		}},
	{name: "CmdShell", class: cText, stage: "s", instruction: "CMD",
		apply: func(s *multistage.Stage, v string) { s.CmdShell(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CmdCommand](p)
			if err != nil {
				return "", err
			}
			if !c.PrependShell || len(c.CmdLine) != 1 {
				return "", fmt.Errorf("CMD %q is not in shell form", c.CmdLine)
			}
			return c.CmdLine[0], nil
		}},
	{name: "EntrypointShell", class: cText, stage: "s", instruction: "ENTRYPOINT",
		apply: func(s *multistage.Stage, v string) { s.EntrypointShell(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.EntrypointCommand](p)
			if err != nil {
				return "", err
			}
			if !c.PrependShell || len(c.CmdLine) != 1 {
				return "", fmt.Errorf("ENTRYPOINT %q is not in shell form", c.CmdLine)
			}
			return c.CmdLine[0], nil
		}},
	{name: "Maintainer", class: cText, stage: "s", instruction: "MAINTAINER",
		apply: func(s *multistage.Stage, v string) { s.Maintainer(v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.MaintainerCommand](p)
			return c.Maintainer, err
		}},
	{name: "Add src", class: cText, stage: "s", instruction: "ADD",
		apply: func(s *multistage.Stage, v string) { s.Add(v, "/dst/") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.AddCommand](p)
			if err != nil {
				return "", err
			}
			return at(c.SourcePaths, 0)
		}},
	{name: "Add dst", class: cText, stage: "s", instruction: "ADD",
		apply: func(s *multistage.Stage, v string) { s.Add("a.tgz", v) },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.AddCommand](p)
			return c.DestPath, err
		}},
	{name: "CopyContent content", class: cText, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.CopyContent("f", v+"\n", "/f") },
		want:  func(v string) (string, error) { return v + "\n", nil },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			if len(c.SourceContents) != 1 || c.SourceContents[0].Expand {
				return "", fmt.Errorf("COPY has contents %+v, want one literal heredoc", c.SourceContents)
			}
			return c.SourceContents[0].Data, nil
		}},
	{name: "CopyContent name", class: cText, stage: "s", instruction: "COPY",
		apply: func(s *multistage.Stage, v string) { s.CopyContent(v, "data\n", "/d/") },
		read: func(p *parsed) (string, error) {
			c, err := command[*instructions.CopyCommand](p)
			if err != nil {
				return "", err
			}
			if len(c.SourceContents) != 1 {
				return "", fmt.Errorf("COPY has contents %+v, want one", c.SourceContents)
			}
			return c.SourceContents[0].Path, nil
		}},
	{name: "OnBuild", class: cText, stage: "s", instruction: "ONBUILD",
		apply: func(s *multistage.Stage, v string) { s.OnBuild(v) },
		// BuildKit keeps the trigger as it is written; that it parses,
		// is accepted by Compile as by the frontend, is what counts.
		read: func(p *parsed) (string, error) {
			_, err := command[*instructions.OnbuildCommand](p)
			return "", err
		},
		same: func(_, _ string) bool { return true }},
}

// unjoin returns the errors joined in err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// FuzzCompile builds a multi-stage build from a fuzzed program (see
// fuzzProgram) and checks that Validate, Dockerfile and Compile never
// panic and agree, that every refusal wraps a sentinel error, and that
// Compile and BuildKit's dockerfile2llb on the rendered Dockerfile either
// both fail or agree op for op and on the image config
// (internal/crosscheck, with internal/testresolver for the base images).
func FuzzCompile(f *testing.F) {
	f.Add([]byte{0, 1, 0, 8, 1, 4, 2, 3, 12, 4, 0, 0, 0, 2, 0, 15, 0, 5, 1, 0, 17, 6}, "")
	f.Add([]byte{24, 3, 1, 0, 3, 3, 6, 3, 1, 7, 2, 5, 12, 9, 1, 3, 2, 14, 4, 1, 1, 3, 20, 1, 0, 0}, "/src\x1e$X\x1ea b")
	f.Add([]byte{0, 1, 0, 0, 1, 0, 2, 0, 0, 1, 12, 4, 3, 1, 0, 0, 15, 0, 2, 3, 3, 27, 1}, "")
	f.Add([]byte{25, 0, 0, 1, 0, 25, 1, 26, 2, 0, 9, 4, 11, 5, 6, 10, 7, 19, 0, 18, 1, 21, 2, 22, 3, 23, 80}, "é\x1e\ufeff\x1e${A:-x}")
	f.Fuzz(func(t *testing.T, prog []byte, values string) {
		if len(prog) > 256 || len(values) > 4<<10 {
			return
		}
		p := newFuzzProgram(prog, values)
		b, o := p.build()
		opts := o.BuildOptions()
		verr := b.Validate(opts...)
		df, err := b.Dockerfile(opts...)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate and Dockerfile disagree:\nValidate: %v\nDockerfile: %v\n%s", verr, err, p)
		}
		res := testresolver.New()
		c, cerr := b.Compile(context.Background(), append(opts, multistage.WithMetaResolver(res))...)
		if err != nil {
			if cerr == nil {
				t.Fatalf("Dockerfile refuses the build, Compile accepts it: %v\n%s", err, p)
			}
			for _, e := range unjoin(err) {
				if !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(e, s) }) {
					t.Fatalf("the error wraps no sentinel: %v\n%s", e, p)
				}
			}
			return
		}
		def, img, ferr := crosscheck.Frontend(context.Background(), df, p.target(), o)
		switch {
		case cerr != nil && ferr != nil:
			return
		case cerr != nil:
			t.Fatalf("Compile fails, dockerfile2llb compiles: %v\n%s\n%s", cerr, df, p)
		case ferr != nil:
			t.Fatalf("Compile compiles, dockerfile2llb fails: %v\n%s", ferr, p)
		}
		diff, err := crosscheck.Compare(def, img, c)
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Fatalf("Compile and dockerfile2llb disagree on\n%s\n%s\n%s", df, diff, p)
		}
	})
}

// fuzzProgram turns fuzzed bytes into calls of the public API: each op
// byte selects a method, and the bytes after it select its arguments from
// a pool of values, which holds typical and tricky values and the fuzzed
// values (split at U+001E).
type fuzzProgram struct {
	prog   []byte
	pool   []string
	stages []*multistage.Stage
	tgt    *multistage.Stage
	args   map[string]string
	log    []string
}

var fuzzPool = []string{
	"", "/app", "/src", ".", "out", "a b", "$X", "${A:-def}", "/src/${TARGETARCH}", "$HOME/bin:$PATH",
	"alpine:3.20", "golang:1.22", "go build ./...", "echo hi > /out", "*.md", "1000:1000", "app",
	"A", "PATH", "HOME", "-x", "\"q\"", "it's", `C:\dir\`, "#!/bin/sh\necho", "line1\nline2", "é", "\ufeffa",
}

var fuzzImages = []string{"alpine:3.20", "golang:1.22", "scratch", "busybox", "debian:bookworm", "${IMG}", "alpine:${V}"}

var fuzzNames = []string{"a", "b", "build", "c-1", "d.e", "f_g", "alpine", "scratch", "Bad"}

func newFuzzProgram(prog []byte, values string) *fuzzProgram {
	p := &fuzzProgram{prog: prog, pool: slices.Clone(fuzzPool), args: map[string]string{}}
	if values != "" {
		p.pool = append(p.pool, strings.Split(values, "\x1e")...)
	}
	return p
}

func (p *fuzzProgram) next() int {
	if len(p.prog) == 0 {
		return 0
	}
	c := p.prog[0]
	p.prog = p.prog[1:]
	return int(c)
}

func (p *fuzzProgram) str() string          { return p.pool[p.next()%len(p.pool)] }
func (p *fuzzProgram) of(s []string) string { return s[p.next()%len(s)] }

// stage returns one of the stages made so far, or nil.
func (p *fuzzProgram) stage() *multistage.Stage {
	if len(p.stages) == 0 {
		return nil
	}
	return p.stages[p.next()%len(p.stages)]
}

func stageName(s *multistage.Stage) string {
	if s == nil {
		return "nil"
	}
	return s.Name()
}

func (p *fuzzProgram) logf(format string, args ...any) {
	p.log = append(p.log, fmt.Sprintf(format, args...))
}

func (p *fuzzProgram) String() string { return "program:\n\t" + strings.Join(p.log, "\n\t") }

// target is the name of the stage built.
func (p *fuzzProgram) target() string {
	switch {
	case p.tgt != nil:
		return p.tgt.Name()
	case len(p.stages) > 0:
		return p.stages[len(p.stages)-1].Name()
	}
	return ""
}

func (p *fuzzProgram) build() (*multistage.Build, crosscheck.Options) {
	b := multistage.New()
	var cur *multistage.Stage
	for len(p.prog) > 0 {
		op := p.next() % 42
		if cur == nil && op > 2 && op != 24 && op != 26 && op != 29 {
			op = 0
		}
		switch op {
		case 0, 1, 2:
			name := p.of(fuzzNames)
			if op == 2 {
				name = p.str()
			}
			cur = b.Stage(name)
			p.stages = append(p.stages, cur)
			p.logf("Stage(%q)", name)
			switch k := p.next() % 4; {
			case k == 0:
				ref := p.of(fuzzImages)
				cur.FromExpand(ref)
				p.logf("FromExpand(%q)", ref)
			case k == 1 && len(p.stages) > 1:
				base := p.stages[p.next()%len(p.stages)]
				cur.FromStage(base)
				p.logf("FromStage(%s)", base.Name())
			case k == 2:
				ref := p.str()
				cur.From(ref)
				p.logf("From(%q)", ref)
			default:
				ref := p.of(fuzzImages[:5])
				cur.From(ref)
				p.logf("From(%q)", ref)
			}
		case 3:
			k, v := p.of([]string{"A", "PATH", "X", "V", "GOFLAGS", p.str()}), p.str()
			cur.Env(k, v)
			p.logf("Env(%q, %q)", k, v)
		case 4:
			k, v := p.of([]string{"A", "PATH", "X", "V"}), p.str()
			cur.EnvExpand(k, v)
			p.logf("EnvExpand(%q, %q)", k, v)
		case 5:
			k := p.of([]string{"A", "V", "IMG", "TARGETARCH", "X"})
			if p.next()%2 == 0 {
				cur.Arg(k)
				p.logf("Arg(%q)", k)
			} else {
				v := p.str()
				cur.Arg(k, v)
				p.logf("Arg(%q, %q)", k, v)
			}
		case 6:
			k, v := p.of([]string{"A", "V", "X"}), p.str()
			cur.ArgExpand(k, v)
			p.logf("ArgExpand(%q, %q)", k, v)
		case 7:
			v := p.str()
			cur.Workdir(v)
			p.logf("Workdir(%q)", v)
		case 8:
			v := p.str()
			cur.WorkdirExpand(v)
			p.logf("WorkdirExpand(%q)", v)
		case 9:
			v := p.str()
			cur.User(v)
			p.logf("User(%q)", v)
		case 10:
			k, v := p.of([]string{"org.opencontainers.image.source", "a", "com.example/x-y", p.str()}), p.str()
			cur.Label(k, v)
			p.logf("Label(%q, %q)", k, v)
		case 11, 12:
			cmd := p.str()
			opts := p.runOptions()
			cur.Run(cmd, opts...)
			p.logf("Run(%q, %d options)", cmd, len(opts))
		case 13:
			argv := []string{p.str(), p.str()}
			opts := p.runOptions()
			cur.RunExec(argv, opts...)
			p.logf("RunExec(%q, %d options)", argv, len(opts))
		case 14:
			src, dst := p.str(), p.str()
			cur.Copy(src, dst, p.copyOptions()...)
			p.logf("Copy(%q, %q)", src, dst)
		case 15:
			from, src, dst := p.stage(), p.str(), p.str()
			cur.CopyFrom(from, src, dst, p.copyOptions()...)
			p.logf("CopyFrom(%s, %q, %q)", stageName(from), src, dst)
		case 16:
			ref, src, dst := p.of(fuzzImages[:5]), p.str(), p.str()
			cur.CopyFromImage(ref, src, dst, p.copyOptions()...)
			p.logf("CopyFromImage(%q, %q, %q)", ref, src, dst)
		case 17:
			argv := []string{p.str(), p.str()}
			cur.Entrypoint(argv...)
			p.logf("Entrypoint(%q)", argv)
		case 18:
			argv := []string{p.str()}
			cur.Cmd(argv...)
			p.logf("Cmd(%q)", argv)
		case 19:
			argv := []string{p.of([]string{"/bin/sh", "/bin/bash", "pwsh"}), "-c"}
			cur.Shell(argv...)
			p.logf("Shell(%q)", argv)
		case 20:
			var opts []multistage.HealthcheckOption
			if p.next()%2 == 0 {
				opts = append(opts, multistage.Interval(time.Duration(p.next())*time.Second), multistage.Retries(p.next()%5))
			}
			if p.next()%2 == 0 {
				cmd := p.str()
				cur.HealthcheckShell(cmd, opts...)
				p.logf("HealthcheckShell(%q)", cmd)
			} else {
				argv := []string{p.str(), p.str()}
				cur.Healthcheck(argv, opts...)
				p.logf("Healthcheck(%q)", argv)
			}
		case 21:
			sig := p.of([]string{"SIGTERM", "9", "QUIT", "SIGRTMIN+3", p.str()})
			cur.StopSignal(sig)
			p.logf("StopSignal(%q)", sig)
		case 22:
			v := p.str()
			cur.Volume(v)
			p.logf("Volume(%q)", v)
		case 23:
			port := p.next()*256 + p.next()
			if p.next()%2 == 0 {
				cur.Expose(port)
			} else {
				cur.ExposeUDP(port)
			}
			p.logf("Expose(%d)", port)
		case 24:
			k := p.of([]string{"A", "V", "IMG", "X"})
			if p.next()%2 == 0 {
				b.Arg(k)
				p.logf("Build.Arg(%q)", k)
			} else {
				v := p.of(append([]string{"3.20", "alpine", "busybox:latest"}, p.str()))
				b.Arg(k, v)
				p.logf("Build.Arg(%q, %q)", k, v)
			}
		case 25:
			v := p.of([]string{multistage.BuildPlatform, multistage.TargetPlatform, "linux/arm64", "linux/amd64", p.str()})
			cur.Platform(v)
			p.logf("Platform(%q)", v)
		case 26:
			k, v := p.of([]string{"A", "V", "IMG", "X"}), p.of([]string{"3.19", "busybox", "golang:1.22", p.str()})
			p.args[k] = v
			p.logf("BuildArg(%q, %q)", k, v)
		case 27:
			p.tgt = p.stage()
			p.logf("Target(%s)", stageName(p.tgt))
		case 28:
			cur.NoHealthcheck()
			p.logf("NoHealthcheck()")
		case 29:
			k, v := p.of([]string{"A", "V", "IMG"}), p.str()
			b.ArgExpand(k, v)
			p.logf("Build.ArgExpand(%q, %q)", k, v)
		case 30:
			k, v := p.of([]string{"l", "org.opencontainers.image.version", p.str()}), p.str()
			cur.LabelExpand(k, v)
			p.logf("LabelExpand(%q, %q)", k, v)
		case 31:
			v := p.of([]string{"${UID:-1000}", "app:$G", p.str()})
			cur.UserExpand(v)
			p.logf("UserExpand(%q)", v)
		case 32:
			kv := []string{p.of([]string{"A", "V", "PATH"}), p.str(), p.of([]string{"B", "A", "X"}), p.str()}
			cur.EnvExpandAll(kv...)
			p.logf("EnvExpandAll(%q)", kv)
		case 33:
			v := p.of([]string{"/app --serve", "echo $HOME", p.str()})
			if p.next()%2 == 0 {
				cur.CmdShell(v)
				p.logf("CmdShell(%q)", v)
			} else {
				cur.EntrypointShell(v)
				p.logf("EntrypointShell(%q)", v)
			}
		case 34:
			src, dst := p.of([]string{"a.tgz", "vendor/", p.str()}), p.str()
			cur.Add(src, dst)
			p.logf("Add(%q, %q)", src, dst)
		case 35:
			name, content, dst := p.of([]string{"f", "app.conf", p.str()}), p.str()+"\n", p.str()
			var opts []multistage.CopyOption
			if p.next()%2 == 0 {
				opts = append(opts, multistage.Expand())
			}
			cur.CopyContent(name, content, dst, opts...)
			p.logf("CopyContent(%q, %q, %q, %d options)", name, content, dst, len(opts))
		case 36:
			v := p.of([]string{"RUN echo hi > /onbuild", "ENV ONBUILT=1", "WORKDIR /ob", "COPY . /ob/", "LABEL ob=1", "ARG OB=x", "USER nobody", "ENV A=1 B=$A", "LABEL a=1 b=\"x y\"", "EXPOSE 80 8000-8002/udp", "COPY --from=busybox /bin/busybox /bb", "COPY --from=a /x /y", "RUN --mount=from=build,target=/m ls /m", p.str()})
			cur.OnBuild(v)
			p.logf("OnBuild(%q)", v)
		case 37:
			v := p.of([]string{"<<EOF\necho hi\nEOF", "python3 <<EOF\nprint(1)\nEOF", "<<EOF\n#!/bin/sh\necho hi\nEOF", "cat <<A <<B\na\nA\nb\nB", p.str()})
			cur.RunHeredoc(v, p.runOptions()...)
			p.logf("RunHeredoc(%q)", v)
		case 38:
			v := p.str()
			cur.Maintainer(v)
			p.logf("Maintainer(%q)", v)
		case 39:
			switch p.next() % 4 {
			case 0:
				v := p.of([]string{"${PORT}", "$P/udp", "${A:-80}", "8000-8010/udp", "53/sctp", "127.0.0.1:80:80", "$X", p.str()})
				cur.ExposeExpand(v)
				p.logf("ExposeExpand(%q)", v)
			case 1:
				v := p.of([]string{"$HOME/data", "/d/${X}", "${A:-/v}", p.str()})
				cur.VolumeExpand(v, "/plain")
				p.logf("VolumeExpand(%q, /plain)", v)
			case 2:
				v := p.of([]string{"${SIG:-SIGTERM}", "$X", "SIG$A", p.str()})
				cur.StopSignalExpand(v)
				p.logf("StopSignalExpand(%q)", v)
			default:
				port := p.next()*256 + p.next()
				cur.ExposeSCTP(port)
				p.logf("ExposeSCTP(%d)", port)
			}
		case 40:
			switch p.next() % 3 {
			case 0:
				cur.ClearEntrypoint()
				p.logf("ClearEntrypoint()")
			case 1:
				cur.ClearCmd()
				p.logf("ClearCmd()")
			default:
				src, more, dst := p.of([]string{"${URL}", "a.tgz", "https://example.com/x.tgz", p.str()}),
					p.of([]string{"https://example.com/y.txt", "https://github.com/a/b.git#v1", "$F", p.str()}), p.str()
				opts := []multistage.AddOption{multistage.MoreSources(more)}
				if p.next()%2 == 0 {
					opts = append(opts, multistage.Expand())
				}
				cur.Add(src, dst, opts...)
				p.logf("Add(%q, %q, MoreSources(%q), %d options)", src, dst, more, len(opts))
			}
		default:
			v := p.str()
			cur.With(func(s *multistage.Stage) { s.Env("F", v).Run("true") })
			p.logf("With(Env(F, %q), Run(true))", v)
		}
	}
	o := crosscheck.Options{Target: p.tgt, BuildArgs: p.args}
	return b, o
}

func (p *fuzzProgram) runOptions() []multistage.RunOption {
	var opts []multistage.RunOption
	for n := p.next() % 4; n > 0; n-- {
		switch p.next() % 8 {
		case 0:
			var mo []multistage.MountOption
			if p.next()%2 == 0 {
				mo = append(mo, multistage.MountID(p.str()))
			}
			if p.next()%2 == 0 {
				mo = append(mo, multistage.Sharing(p.of([]string{"shared", "private", "locked"})))
			}
			if p.next()%3 == 0 {
				mo = append(mo, multistage.MountFrom(p.stage()))
			}
			opts = append(opts, multistage.CacheMount(p.str(), mo...))
		case 1:
			var mo []multistage.MountOption
			if s := p.stage(); s != nil && p.next()%2 == 0 {
				mo = append(mo, multistage.MountFrom(s))
			}
			if p.next()%2 == 0 {
				mo = append(mo, multistage.MountSource(p.str()))
			}
			if p.next()%3 == 0 {
				mo = append(mo, multistage.ReadWrite())
			}
			opts = append(opts, multistage.BindMount(p.str(), mo...))
		case 2:
			var mo []multistage.MountOption
			if p.next()%2 == 0 {
				mo = append(mo, multistage.SecretEnv(p.of([]string{"TOKEN", "A", p.str()})))
			}
			if p.next()%2 == 0 {
				mo = append(mo, multistage.MountTarget(p.str()))
			}
			if p.next()%2 == 0 {
				mo = append(mo, multistage.Required(), multistage.Mode(fs.FileMode(p.next())), multistage.UID(uint32(p.next())))
			}
			opts = append(opts, multistage.SecretMount(p.of([]string{"token", "npmrc", p.str()}), mo...))
		case 3:
			opts = append(opts, multistage.TmpfsMount(p.str(), multistage.Size(int64(p.next())<<uint(p.next()%64))))
		case 4:
			opts = append(opts, multistage.SSHMount())
		case 5:
			opts = append(opts, multistage.Network(p.of([]string{"default", "none", "host", p.str()})))
		case 6:
			opts = append(opts, multistage.BindMount(p.str(), multistage.MountFromImage(p.of(fuzzImages))))
		default:
			mo := []multistage.MountOption{multistage.UID(uint32(p.next())), multistage.GID(uint32(p.next()))}
			if p.next()%2 == 0 {
				key := p.of([]string{"uid", "gid", "mode", "sharing", "readonly", "rw", p.str()})
				word := p.of([]string{"${UID:-1000}", "$X", "${S:-locked}", "${RO:-true}", "0${M:-755}", p.str()})
				mo = append(mo, multistage.MountOptionExpand(key, word))
			}
			opts = append(opts, multistage.CacheMount(p.str(), mo...))
		}
	}
	return opts
}

func (p *fuzzProgram) copyOptions() []multistage.CopyOption {
	var opts []multistage.CopyOption
	for n := p.next() % 4; n > 0; n-- {
		switch p.next() % 7 {
		case 0:
			opts = append(opts, multistage.Chown(p.of([]string{"app", "1000:1000", "app:app", "${UID}:${GID:-0}", p.str()})))
			if p.next()%3 == 0 {
				opts = append(opts, multistage.ChmodSymbolic(p.of([]string{"u+x", "${MODE:-0755}", "$M", p.str()})))
			}
		case 1:
			opts = append(opts, multistage.Chmod(fs.FileMode(p.next()*8+p.next())))
		case 2:
			opts = append(opts, multistage.Link())
		case 3:
			opts = append(opts, multistage.Exclude(p.str()))
		case 4:
			opts = append(opts, multistage.Expand())
		case 5:
			opts = append(opts, multistage.Parents())
		default:
			opts = append(opts, multistage.MoreSources(p.str()))
		}
	}
	return opts
}
