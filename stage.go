package multistage

import (
	"fmt"
	"strings"

	"github.com/multistage/multistage/internal/ir"
)

// Stage is one stage of a [Build]: a base (an image, scratch or another
// stage) and the instructions that follow it. Its methods append an
// instruction and return the same *Stage, so calls chain:
//
//	build := b.Stage("build").From("golang:1.22").
//		Workdir("/src").
//		Copy(".", ".").
//		Run("go build -o /out/app .")
//
// A method that is given a bad value records the problem, and
// [Build.Dockerfile], [Build.Compile] and [Build.Validate] report it with
// every other problem of the build. Instructions already appended are never
// changed afterwards.
type Stage struct {
	build *Build
	name  string
	index int

	base     ir.Source
	baseSet  bool
	baseFrom *Stage
	platform string

	instrs []instr
	errs   []error
	// refused counts the calls that added no instruction because they
	// failed, so that the errors of later calls still count every call.
	refused int
}

// instr is an appended instruction with the stages it refers to, which
// become indexes when the build is lowered to the IR.
type instr struct {
	name  string
	ir    ir.Instruction
	from  *Stage   // COPY --from
	mount []*Stage // RUN --mount from=, by mount position
}

// Name returns the stage name.
func (s *Stage) Name() string { return s.name }

// Build returns the build the stage belongs to.
func (s *Stage) Build() *Build { return s.build }

func (s *Stage) fail(instruction string, err error) *Stage {
	return s.failAll(instruction, []error{err})
}

// failAll records the problems of one refused call, all at its position.
func (s *Stage) failAll(instruction string, errs []error) *Stage {
	index := len(s.instrs) + s.refused
	s.refused++
	for _, err := range errs {
		s.errs = append(s.errs, &InstructionError{Stage: s.name, Index: index, Instruction: instruction, Err: err})
	}
	return s
}

func (s *Stage) failFrom(err error) *Stage {
	s.errs = append(s.errs, &InstructionError{Stage: s.name, Index: -1, Instruction: "FROM", Err: err})
	return s
}

func (s *Stage) add(in instr) *Stage {
	if err := checkLine(in); err != nil {
		return s.fail(in.name, err)
	}
	s.instrs = append(s.instrs, in)
	return s
}

// lock serializes changes to the stages of one build.
func (s *Stage) lock() func() {
	s.build.mu.Lock()
	return s.build.mu.Unlock
}

// From sets the base image of the stage:
//
//	FROM golang:1.22 AS build
//
// ref is an image reference such as "alpine", "golang:1.22",
// "registry:5000/team/app:v1" or "alpine@sha256:…"; "scratch" is the empty
// image. A reference that does not parse is reported with
// [ErrInvalidImageRef].
func (s *Stage) From(ref string) *Stage {
	defer s.lock()()
	if err := checkImageRef(ref); err != nil {
		return s.failFrom(err)
	}
	return s.setBase(ir.ImageSource(ref), nil)
}

// FromExpand is [Stage.From] with build-arg expansion: ref may use the args
// declared with [Build.Arg], as in
//
//	b.Arg("GO_VERSION", "1.22")
//	b.Stage("build").FromExpand("golang:${GO_VERSION}")
//
// The reference is checked after expansion, when the build is compiled.
// It is one word, which may quote its parts as BuildKit's lexer reads them
// (alpine:"${TAG}"). A ref without '$' is the same as [Stage.From].
func (s *Stage) FromExpand(ref string) *Stage {
	if !strings.Contains(ref, "$") {
		return s.From(ref)
	}
	defer s.lock()()
	if err := checkImageTemplate(ref); err != nil {
		return s.failFrom(err)
	}
	src := ir.ImageSource(ref)
	src.ExpandImage = true
	return s.setBase(src, nil)
}

// FromStage makes another stage the base of this one, so it starts from
// that stage's file system and config:
//
//	FROM build AS test
func (s *Stage) FromStage(base *Stage) *Stage {
	defer s.lock()()
	if base == nil {
		return s.failFrom(fmt.Errorf("%w: FromStage(nil)", ErrInvalidValue))
	}
	if base.build != s.build {
		return s.failFrom(fmt.Errorf("%w: %q", ErrForeignStage, base.name))
	}
	return s.setBase(ir.StageSource(-1), base)
}

func (s *Stage) setBase(src ir.Source, from *Stage) *Stage {
	if s.baseSet {
		return s.failFrom(fmt.Errorf("%w: the base is already set", ErrInvalidValue))
	}
	s.base, s.baseFrom, s.baseSet = src, from, true
	return s
}

// Platform sets the platform of the stage's base image:
//
//	FROM --platform=$BUILDPLATFORM golang:1.22 AS build
//
// p is an os/arch[/variant] such as "linux/arm64", one of [BuildPlatform]
// and [TargetPlatform] ("$BUILDPLATFORM", "$TARGETPLATFORM"), or any word
// that refers to the automatic platform args and to build args declared
// with [Build.Arg] ("${PLATFORM}", "${BUILDPLATFORM:-linux/amd64}",
// "linux/${TARGETARCH}"), which BuildKit expands with the args before the
// first stage; the expanded platform is checked when the build is compiled. A build
// stage on $BUILDPLATFORM runs natively and cross-compiles for
// $TARGETPLATFORM, using the args [TargetOS] and [TargetArch]. On a stage
// based on another stage ([Stage.FromStage]) the platform has no effect:
// as in a Dockerfile, the stage keeps the platform of its base.
func (s *Stage) Platform(p string) *Stage {
	defer s.lock()()
	if err := checkPlatform(p); err != nil {
		return s.failFrom(err)
	}
	s.platform = p
	return s
}

// With applies fragments to the stage, in order. A fragment is any
// func(*Stage), so a reusable piece of a stage is a plain function:
//
//	func goModDownload(s *multistage.Stage) {
//		s.Copy("go.mod", ".").Copy("go.sum", ".").Run("go mod download")
//	}
//	b.Stage("build").From("golang:1.22").With(goModDownload)
func (s *Stage) With(fragments ...func(*Stage)) *Stage {
	for _, f := range fragments {
		if f != nil {
			f(s)
		}
	}
	return s
}

// Workdir sets the working directory of the stage and creates it:
//
//	WORKDIR /app
//
// A relative dir is relative to the current working directory. The dir is
// literal: a '$' in it is not expanded.
func (s *Stage) Workdir(dir string) *Stage {
	defer s.lock()()
	if err := checkPath("dir", dir); err != nil {
		return s.fail("WORKDIR", err)
	}
	return s.add(instr{name: "WORKDIR", ir: &ir.Workdir{Path: dir}})
}

// WorkdirExpand is [Stage.Workdir] with expansion of build args and of the
// stage's environment, as in "/src/${APP}".
func (s *Stage) WorkdirExpand(dir string) *Stage {
	defer s.lock()()
	if err := checkPath("dir", dir); err != nil {
		return s.fail("WORKDIR", err)
	}
	if err := checkTemplate("dir", dir); err != nil {
		return s.fail("WORKDIR", err)
	}
	return s.add(instr{name: "WORKDIR", ir: &ir.Workdir{Path: dir, Expand: true}})
}

// Env sets an environment variable for the rest of the stage and in the
// image:
//
//	ENV APP_ENV=production
//
// The value is literal: "$HOME" stays "$HOME". Use [Stage.EnvExpand] to
// refer to other variables. The key is printable ASCII without white
// space, quotes, '\', '=', '$' or '`', not starting with "--": a shell
// variable name, or a key such as spring.profiles.active that a program
// reads from its environment and no shell expands.
func (s *Stage) Env(key, value string) *Stage {
	return s.env(key, value, false)
}

// EnvExpand is [Stage.Env] with expansion of build args and of the stage's
// environment, the way a Dockerfile expands ENV:
//
//	s.EnvExpand("PATH", "/opt/venv/bin:$PATH")
func (s *Stage) EnvExpand(key, value string) *Stage {
	return s.env(key, value, true)
}

func (s *Stage) env(key, value string, expand bool) *Stage {
	defer s.lock()()
	if err := checkEnvName(key); err != nil {
		return s.fail("ENV", err)
	}
	check := checkText
	if expand {
		check = checkTemplate
	}
	if err := check("env value", value); err != nil {
		return s.fail("ENV", err)
	}
	return s.add(instr{name: "ENV", ir: &ir.Env{Key: key, Value: value, Expand: expand}})
}

// Arg declares a build arg in the stage, with an optional literal default:
//
//	ARG VERSION=dev
//
// Inside the stage the arg is an environment variable of every [Stage.Run],
// but not of the image. Without a default, the value comes from a
// --build-arg, or else from the arg of the same name declared with
// [Build.Arg]. Declare the automatic platform args ([TargetArch], ...)
// this way to use them in a stage.
func (s *Stage) Arg(name string, defaultValue ...string) *Stage {
	defer s.lock()()
	rec, err := newArg(name, defaultValue, false)
	if err != nil {
		return s.fail("ARG", err)
	}
	return s.add(instr{name: "ARG", ir: &ir.ArgDecl{Arg: rec.arg}})
}

// User sets the user (name or uid, optionally ":group") for the rest of the
// stage and in the image:
//
//	USER app:app
func (s *Stage) User(user string) *Stage {
	defer s.lock()()
	if err := checkPath("user", user); err != nil {
		return s.fail("USER", err)
	}
	return s.add(instr{name: "USER", ir: &ir.User{User: user}})
}

// Label sets an image label:
//
//	LABEL org.opencontainers.image.source="https://example.com/repo"
//
// The key and the value are literal. The key is one line without '=', as
// BuildKit reads a LABEL key; one that is not plain is written quoted
// (LABEL "my key"=value).
func (s *Stage) Label(key, value string) *Stage {
	defer s.lock()()
	if err := checkLabelKey(key); err != nil {
		return s.fail("LABEL", err)
	}
	if err := checkText("label value", value); err != nil {
		return s.fail("LABEL", err)
	}
	return s.add(instr{name: "LABEL", ir: &ir.Label{Key: key, Value: value}})
}

// Expose declares TCP ports the container listens on:
//
//	EXPOSE 8080
//
// Use [Stage.ExposeUDP] for UDP.
func (s *Stage) Expose(port int, more ...int) *Stage {
	return s.expose("tcp", append([]int{port}, more...))
}

// ExposeUDP declares UDP ports the container listens on:
//
//	EXPOSE 53/udp
func (s *Stage) ExposeUDP(port int, more ...int) *Stage {
	return s.expose("udp", append([]int{port}, more...))
}

// ExposeSCTP declares SCTP ports the container listens on:
//
//	EXPOSE 132/sctp
func (s *Stage) ExposeSCTP(port int, more ...int) *Stage {
	return s.expose("sctp", append([]int{port}, more...))
}

// ExposeExpand declares the ports of spec, a port spec that may refer to
// build args and environment variables, expanded as BuildKit expands
// EXPOSE:
//
//	EXPOSE ${PORT}/tcp
//
// is s.Arg("PORT", "8080").ExposeExpand("${PORT}/tcp"). Once expanded,
// spec is one or more port specs separated by white space ("80 443"),
// each a port or a range of ports ("8000-8010"), optionally with "/tcp",
// "/udp" or "/sctp"; they are checked when the build is compiled. spec
// itself is one word: no white space, and quotes only around complete
// parts of it.
func (s *Stage) ExposeExpand(spec string) *Stage {
	defer s.lock()()
	if err := checkExposeSpec(spec); err != nil {
		return s.fail("EXPOSE", err)
	}
	return s.add(instr{name: "EXPOSE", ir: &ir.Expose{Spec: spec, Expand: true}})
}

func (s *Stage) expose(proto string, ports []int) *Stage {
	defer s.lock()()
	for _, p := range ports {
		if p < 1 || p > 65535 {
			s.fail("EXPOSE", fmt.Errorf("%w: %d is outside 1-65535", ErrInvalidPort, p))
			continue
		}
		s.add(instr{name: "EXPOSE", ir: &ir.Expose{Port: p, Proto: proto}})
	}
	return s
}

// Entrypoint sets the image entrypoint, in exec form:
//
//	ENTRYPOINT ["dotnet", "app.dll"]
//
// As in a Dockerfile, it clears a CMD inherited from the base image; a
// [Stage.Cmd] of this stage is kept. The arguments are passed as they are,
// with no shell and no expansion.
func (s *Stage) Entrypoint(argv ...string) *Stage {
	defer s.lock()()
	if err := checkConfigArgv("entrypoint", argv); err != nil {
		return s.fail("ENTRYPOINT", err)
	}
	return s.add(instr{name: "ENTRYPOINT", ir: &ir.Entrypoint{Argv: clone(argv)}})
}

// ClearEntrypoint clears the entrypoint, such as one inherited from the
// base image, so that the image runs its CMD directly:
//
//	ENTRYPOINT []
//
// As with [Stage.Entrypoint], a CMD inherited from the base image is
// cleared too; give the stage's own with [Stage.Cmd].
func (s *Stage) ClearEntrypoint() *Stage {
	defer s.lock()()
	return s.add(instr{name: "ENTRYPOINT", ir: &ir.Entrypoint{Argv: []string{}}})
}

// ClearCmd clears the default command, such as one inherited from the base
// image:
//
//	CMD []
func (s *Stage) ClearCmd() *Stage {
	defer s.lock()()
	return s.add(instr{name: "CMD", ir: &ir.Cmd{Argv: []string{}}})
}

// Cmd sets the image's default command (or the default arguments of the
// entrypoint), in exec form:
//
//	CMD ["./myapp"]
//
// The arguments are passed as they are, with no shell and no expansion;
// any of them may be empty (CMD [""], an empty argument for the
// entrypoint), as in a Dockerfile.
func (s *Stage) Cmd(argv ...string) *Stage {
	defer s.lock()()
	if err := checkConfigArgv("cmd", argv); err != nil {
		return s.fail("CMD", err)
	}
	return s.add(instr{name: "CMD", ir: &ir.Cmd{Argv: clone(argv)}})
}

// Shell sets the shell that runs the shell-form commands that follow
// ([Stage.Run], [Stage.HealthcheckShell]), and records it in the image:
//
//	SHELL ["/bin/bash", "-o", "pipefail", "-c"]
func (s *Stage) Shell(argv ...string) *Stage {
	defer s.lock()()
	if err := checkArgv("shell", argv); err != nil {
		return s.fail("SHELL", err)
	}
	return s.add(instr{name: "SHELL", ir: &ir.Shell{Argv: clone(argv)}})
}

// StopSignal sets the signal that stops the container, by name ("SIGTERM",
// "TERM") or number:
//
//	STOPSIGNAL SIGQUIT
func (s *Stage) StopSignal(signal string) *Stage {
	defer s.lock()()
	if err := checkSignal(signal); err != nil {
		return s.fail("STOPSIGNAL", err)
	}
	return s.add(instr{name: "STOPSIGNAL", ir: &ir.StopSignal{Signal: signal}})
}

// StopSignalExpand is [Stage.StopSignal] with expansion of build args and
// of the stage's environment, as in StopSignalExpand("${STOP_SIGNAL}");
// the signal is checked once expanded, when the build is compiled.
func (s *Stage) StopSignalExpand(signal string) *Stage {
	defer s.lock()()
	if err := checkSignalTemplate(signal); err != nil {
		return s.fail("STOPSIGNAL", err)
	}
	return s.add(instr{name: "STOPSIGNAL", ir: &ir.StopSignal{Signal: signal, Expand: true}})
}

// VolumeExpand is [Stage.Volume] with expansion of build args and of the
// stage's environment, as in VolumeExpand("${DATA_DIR}"). A path that
// expands to nothing is an error when the build is compiled.
func (s *Stage) VolumeExpand(paths ...string) *Stage {
	defer s.lock()()
	if len(paths) == 0 {
		return s.fail("VOLUME", fmt.Errorf("%w: no paths", ErrInvalidValue))
	}
	for _, p := range paths {
		if err := checkVolumeTemplate(p); err != nil {
			return s.fail("VOLUME", err)
		}
	}
	return s.add(instr{name: "VOLUME", ir: &ir.Volume{Paths: clone(paths), Expand: true}})
}

// Volume declares mount points for volumes in the image:
//
//	VOLUME ["/data"]
//
// Note: as in a Dockerfile, the RUN instructions that follow do not keep
// changes they make below a volume path at run time, but BuildKit builds do.
func (s *Stage) Volume(paths ...string) *Stage {
	defer s.lock()()
	if len(paths) == 0 {
		return s.fail("VOLUME", fmt.Errorf("%w: no paths", ErrInvalidValue))
	}
	for _, p := range paths {
		if err := checkPath("volume", p); err != nil {
			return s.fail("VOLUME", err)
		}
	}
	return s.add(instr{name: "VOLUME", ir: &ir.Volume{Paths: clone(paths)}})
}

// Run appends a RUN instruction in shell form: cmd runs under the stage's
// shell, /bin/sh -c unless [Stage.Shell] changed it, and reaches it byte
// for byte, with no expansion by BuildKit (the shell expands variables, as
// it would anywhere):
//
//	RUN go build -o /out/app .
//
// A cmd that starts with "--", which BuildKit would read as a flag of RUN,
// is written after the "--" that ends RUN's flags (RUN -- --version). A cmd
// that cannot be written on one RUN line (it spans lines, starts or ends
// with white space, is a JSON array or ends with '\') is written as a heredoc,
// RUN <<'EOF' … EOF, which passes the script followed by a newline. Both
// backends do the same. The newline would make a final unescaped '\' a
// line continuation, so that the shell ran something else: such a '\'
// (echo trailing\) is passed escaped (echo trailing\\), which a POSIX
// shell reads as the same literal '\', and is refused with
// [ErrUnsafeValue] under a shell that is not one (a [Stage.Shell] of
// PowerShell or cmd, or, for Compile, the base image's).
//
// It compiles to an llb exec op on the stage's root file system, with the
// stage's environment, user and working directory.
func (s *Stage) Run(cmd string, opts ...RunOption) *Stage {
	defer s.lock()()
	if err := checkScript("command", cmd); err != nil {
		return s.fail("RUN", err)
	}
	r := &ir.Run{Shell: true, Command: cmd}
	if ir.EndsInEscape(cmd) {
		if sh := s.shell(); sh != nil && !ir.POSIXShell(sh) {
			return s.fail("RUN", valueError(ErrUnsafeValue, "command", cmd, fmt.Sprintf("ends in a '\\', which only a POSIX shell reads the same escaped, and the shell is %q", sh)))
		}
		r.Command, r.EscapedEnd = cmd+`\`, true
	}
	return s.run(r, opts)
}

// shell is the shell the stage's shell-form commands run under, as far as
// the builder knows: the last [Stage.Shell] of the stage or of the stages
// it is based on; nil for the base image's (/bin/sh -c by default).
func (s *Stage) shell() []string {
	for st := s; st != nil; st = st.baseFrom {
		for i := len(st.instrs) - 1; i >= 0; i-- {
			if sh, ok := st.instrs[i].ir.(*ir.Shell); ok {
				return sh.Argv
			}
		}
	}
	return nil
}

// RunExec appends a RUN instruction in exec form: argv runs without a
// shell, exactly as given:
//
//	RUN ["go", "build", "-o", "/out/app", "."]
func (s *Stage) RunExec(argv []string, opts ...RunOption) *Stage {
	defer s.lock()()
	if err := checkArgv("command", argv); err != nil {
		return s.fail("RUN", err)
	}
	return s.run(&ir.Run{Argv: clone(argv)}, opts)
}

func (s *Stage) run(r *ir.Run, opts []RunOption) *Stage {
	rc := &runConfig{run: r}
	for _, o := range flattenRun(opts) {
		o.applyRun(rc)
	}
	for _, m := range rc.mountFrom {
		if m != nil && m.build != s.build {
			rc.errs = append(rc.errs, fmt.Errorf("%w: mount from %q", ErrForeignStage, m.name))
		}
	}
	if len(rc.errs) > 0 {
		return s.failAll("RUN", rc.errs)
	}
	return s.add(instr{name: "RUN", ir: r, mount: rc.mountFrom})
}

func clone(s []string) []string { return append([]string(nil), s...) }

// Automatic platform args that BuildKit sets in every build. Declare them
// in a stage with [Stage.Arg] to use them there, as in
// s.Arg(multistage.TargetArch).
const (
	BuildPlatformArg  = "BUILDPLATFORM"
	BuildOS           = "BUILDOS"
	BuildArch         = "BUILDARCH"
	BuildVariant      = "BUILDVARIANT"
	TargetPlatformArg = "TARGETPLATFORM"
	TargetOS          = "TARGETOS"
	TargetArch        = "TARGETARCH"
	TargetVariant     = "TARGETVARIANT"
)

// Platform values for [Stage.Platform].
const (
	// BuildPlatform is the platform of the machine that builds.
	BuildPlatform = "$BUILDPLATFORM"
	// TargetPlatform is the platform the build is for.
	TargetPlatform = "$TARGETPLATFORM"
)

type argRecord struct{ arg ir.Arg }

func newArg(name string, defaultValue []string, expand bool) (argRecord, error) {
	if err := checkArgName(name); err != nil {
		return argRecord{}, err
	}
	if len(defaultValue) > 1 {
		return argRecord{}, fmt.Errorf("%w: arg %s: more than one default: %s", ErrInvalidValue, name, strings.Join(defaultValue, ", "))
	}
	a := ir.Arg{Name: name, Expand: expand}
	if len(defaultValue) == 1 {
		check := checkText
		if expand {
			check = checkTemplate
		}
		if err := check("arg default", defaultValue[0]); err != nil {
			return argRecord{}, err
		}
		v := defaultValue[0]
		a.Default = &v
	}
	if err := checkLine(instr{name: "ARG", ir: &ir.ArgDecl{Arg: a}}); err != nil {
		return argRecord{}, err
	}
	return argRecord{arg: a}, nil
}
