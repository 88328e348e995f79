package multistage

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/multistage/multistage/internal/dfimport"
)

// ParseOption configures [ParseDockerfile].
type ParseOption interface{ applyParse(*parseConfig) }

type parseConfig struct {
	warn      func(ParseWarning)
	keepGoing bool
	skipped   func(SkippedStage)
	targets   func(target string, s *Stage)
}

type parseFunc func(*parseConfig)

func (f parseFunc) applyParse(c *parseConfig) { f(c) }

// ParseWarnings makes [ParseDockerfile] call f for each problem it finds
// that does not stop the import, in the order of the Dockerfile. Without
// it, warnings are dropped.
func ParseWarnings(f func(ParseWarning)) ParseOption {
	return parseFunc(func(c *parseConfig) { c.warn = f })
}

// ParseKeepGoing makes [ParseDockerfile] import every stage it can of a
// Dockerfile with stages it cannot, so that the other targets of the file
// stay reachable: a stage with an instruction that the builder API cannot
// express, that BuildKit refuses when it builds that stage (COPY --from a
// later stage, FROM an invalid image name), or that the Build refuses, is
// left out of the Build, with every stage that uses it (FROM, COPY
// --from, RUN --mount from=, an ONBUILD trigger that names it, a FROM
// chosen through a build arg, which may name any earlier stage). f, when
// not nil, is called for each stage left out, in the order of the
// Dockerfile, also when none is left and ParseDockerfile fails with the
// error of the first. A Dockerfile that BuildKit's parser refuses, or whose ARGs
// before the first stage cannot be imported, still fails as a whole.
//
// Note: the last stage of the Build is the Dockerfile's default target
// only when that was not left out; [ParseTargets] names the target of
// each stage.
func ParseKeepGoing(f func(SkippedStage)) ParseOption {
	return parseFunc(func(c *parseConfig) { c.keepGoing, c.skipped = true, f })
}

// SkippedStage is a stage of a Dockerfile that [ParseDockerfile] left out
// under [ParseKeepGoing].
type SkippedStage struct {
	// Name is the stage's name in the Dockerfile, as --target takes it;
	// "" for an unnamed stage.
	Name string
	// Index is the stage's index in the Dockerfile, from 0.
	Index int
	// Line is the line of its FROM instruction.
	Line int
	// Err is why: an [*UnsupportedError], a [*SyntaxError], the error of
	// the Build ([Build.Validate]), or, for a stage that uses one left
	// out, an error wrapping [ErrUnsupported] that names that stage.
	Err error
}

// ParseTargets makes [ParseDockerfile] call f for each target of the
// Dockerfile with the stage of the Build it selects: target is the name
// "docker build --target" takes, or "" for the default target (the last
// stage). A stage keeps its name, except where the builder API names it
// otherwise: an unnamed stage is "stage-N", a name used twice is the last
// stage of that name, and a name the API keeps for itself ("scratch",
// "context") or refuses (longer than 128 bytes) is imported as "stage-N"
// with a warning. Targets left out under [ParseKeepGoing] are not passed.
func ParseTargets(f func(target string, s *Stage)) ParseOption {
	return parseFunc(func(c *parseConfig) { c.targets = f })
}

// ParseDockerfile reads a Dockerfile into a Build made with the typed API,
// so that [Build.Compile] gives the LLB and image config that BuildKit's
// Dockerfile frontend gives for the Dockerfile, for every target, and
// [Build.Dockerfile] renders it back. The Dockerfile is parsed with
// BuildKit's own parser.
//
// Every stage is kept, in order; a stage without a name is named
// "stage-N", N its index (an unnamed last stage is named "default" when
// the Dockerfile declares TARGETSTAGE, which BuildKit sets to "default"
// for it), and a stage whose name the builder API keeps for itself or
// refuses ("scratch", "context", longer than 128 bytes) is renamed with a
// warning; [ParseTargets] tells which stage each --target selects. Build
// args, before the first stage and in stages, are kept with their
// defaults, and variables in FROM (the image, a stage chosen through a
// variable, the words of --platform) stay variables, so the build takes
// the same --build-arg values. A word that refers to no variable becomes
// a literal value (quotes and escapes removed, as BuildKit removes them);
// a word that refers to variables goes to the Expand form of the call
// ([Stage.EnvExpand], [Stage.WorkdirExpand], [Expand], [Stage.FromExpand],
// [Build.ArgExpand]), rewritten for the escape character '\' under
// another escape directive.
//
// Every instruction comes in: ADD ([Stage.Add], [Stage.AddURL],
// [Stage.AddGit], also of local files, URLs and git repositories at once,
// and of sources that refer to variables), ONBUILD ([Stage.OnBuild]),
// MAINTAINER ([Stage.Maintainer]), heredoc COPY ([Stage.CopyContent],
// [MoreContent]), RUN with here-documents ([Stage.RunHeredoc]), RUN
// --device ([Device]), shell-form CMD and ENTRYPOINT ([Stage.CmdShell],
// [Stage.EntrypointShell]), ENTRYPOINT [] and CMD [] ([Stage.ClearEntrypoint],
// [Stage.ClearCmd]), symbolic modes ([ChmodSymbolic]), mounts with a
// relative target or none, which BuildKit joins to the working directory,
// and variables wherever BuildKit expands them: USER, LABEL keys and
// values, EXPOSE, VOLUME, STOPSIGNAL, --chown and --chmod, and every
// --mount option ([Stage.UserExpand], [Stage.LabelExpand],
// [Stage.ExposeExpand], [Stage.VolumeExpand], [Stage.StopSignalExpand],
// [MountOptionExpand]). The few forms the API still cannot express (an
// ONBUILD trigger that spans lines or uses a stage by index; an ONBUILD
// trigger or a heredoc with backslashes under an escape character other
// than '\'; a heredoc with carriage returns, as a file with CRLF line
// endings has; an empty RUN; a --mount type from a variable) are refused
// with an [*UnsupportedError] naming the line, which matches
// [ErrUnsupported]; so are values the builder refuses on purpose (a
// --chown owner with ',', text that is not UTF-8, a Windows path with '\'
// inside a flag), with the error of the call. A Dockerfile BuildKit
// refuses gives a [*SyntaxError], as does a variable in COPY --from, which
// BuildKit refuses too. Any of these refusals of one stage takes the whole
// file down, unless [ParseKeepGoing] is given. What BuildKit reads
// otherwise than the file seems to say is imported as BuildKit reads it,
// and passed to [ParseWarnings] with what does not stop the import:
// COPY --from=name with no stage of that name, RUN --mount from=0, which
// BuildKit reads as an image, the words after a '#' on an ARG line, which
// BuildKit declares as args, a FROM image or platform that refers only to
// variables no ARG before the first stage declares, which BuildKit reads
// as empty and the import reads as its value, a "# syntax=" directive,
// COPY --from or ADD of heredocs only, ADD options BuildKit ignores, the
// parser's own warnings.
//
// Instructions that set several values at once (ENV A=1 B=2, LABEL,
// EXPOSE 80 443) become one call per value: the LLB and config are the
// same, but the image history has one entry per call.
func ParseDockerfile(data []byte, opts ...ParseOption) (*Build, error) {
	cfg := &parseConfig{}
	for _, o := range opts {
		if o != nil {
			o.applyParse(cfg)
		}
	}
	prog, err := dfimport.WalkAll(data)
	if err != nil {
		return nil, importError(err)
	}
	skip := map[int]error{}
	for i, st := range prog.Stages {
		if st.Err != nil {
			if !cfg.keepGoing {
				return nil, importError(st.Err)
			}
			skip[i] = importError(st.Err)
		}
	}
	var b *Build
	var stages []*Stage
	for {
		closeSkipped(prog, skip)
		if len(skip) == len(prog.Stages) {
			// Nothing is left: each stage is reported, and the first
			// stage left out for a reason of its own says why.
			reportSkipped(cfg, prog, skip)
			for i := range prog.Stages {
				if !errors.Is(skip[i], errUsesSkipped) {
					return nil, skip[i]
				}
			}
		}
		if b, stages, err = applyProgram(prog, skip); err != nil {
			return nil, err
		}
		err = b.Validate()
		if err == nil {
			break
		}
		if !cfg.keepGoing {
			return nil, err
		}
		// Leave out the stages the Build refuses, and try again.
		more := false
		for _, e := range unjoinErrors(err) {
			var ie *InstructionError
			if !errors.As(e, &ie) {
				return nil, err
			}
			for i, s := range stages {
				if s != nil && s.name == ie.Stage && skip[i] == nil {
					skip[i], more = e, true
				}
			}
		}
		if !more {
			return nil, err
		}
	}
	if cfg.warn != nil {
		for _, w := range prog.Warnings {
			cfg.warn(ParseWarning{Line: w.Line, Message: w.Message})
		}
	}
	reportSkipped(cfg, prog, skip)
	if cfg.targets != nil {
		for _, t := range prog.Targets() {
			if s := stages[t.Stage]; s != nil {
				cfg.targets(t.Name, s)
			}
		}
	}
	return b, nil
}

// reportSkipped passes the stages left out to the ParseKeepGoing
// function, in the order of the Dockerfile.
func reportSkipped(cfg *parseConfig, prog *dfimport.Program, skip map[int]error) {
	if cfg.skipped == nil {
		return
	}
	for i, st := range prog.Stages {
		if skip[i] != nil {
			cfg.skipped(SkippedStage{Name: dockerfileName(prog, i), Index: i, Line: st.Line, Err: skip[i]})
		}
	}
}

// dockerfileName is the name of stage i in the Dockerfile, "" when it has
// none.
func dockerfileName(prog *dfimport.Program, i int) string {
	return prog.Stages[i].Target
}

// closeSkipped adds to skip every stage that uses a skipped one, until
// none is left to add.
func closeSkipped(prog *dfimport.Program, skip map[int]error) {
	if len(skip) == 0 {
		return
	}
	for changed := true; changed; {
		changed = false
		for i := range prog.Stages {
			if skip[i] != nil {
				continue
			}
			for _, j := range prog.Uses(i) {
				if skip[j] != nil {
					name := prog.Stages[j].Name
					skip[i] = fmt.Errorf("%w: %w %q (line %d), which is left out", ErrUnsupported, errUsesSkipped, name, prog.Stages[j].Line)
					changed = true
					break
				}
			}
		}
	}
}

// errUsesSkipped marks the error of a stage left out because it uses
// another stage left out.
var errUsesSkipped = errors.New("uses stage")

// unjoinErrors returns the errors that errors.Join joined, or err alone.
func unjoinErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func importError(err error) error {
	var ue *dfimport.UnsupportedError
	if errors.As(err, &ue) {
		return &UnsupportedError{Line: ue.Line, Instruction: ue.Instruction, Reason: ue.Reason}
	}
	var se *dfimport.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Line: se.Line, Err: se.Err}
	}
	return &SyntaxError{Err: err}
}

// options are the option constructors the importer may call, by name.
var options = map[string]any{
	"Chown": Chown, "Chmod": Chmod, "Link": Link, "Parents": Parents,
	"Exclude": Exclude, "Expand": Expand, "MoreSources": MoreSources,
	"CacheMount": CacheMount, "SecretMount": SecretMount, "SSHMount": SSHMount,
	"BindMount": BindMount, "TmpfsMount": TmpfsMount,
	"MountTarget": MountTarget, "MountID": MountID, "Sharing": Sharing,
	"ReadOnly": ReadOnly, "ReadWrite": ReadWrite, "MountFrom": MountFrom,
	"MountFromImage": MountFromImage, "MountSource": MountSource,
	"UID": UID, "GID": GID, "Mode": Mode, "Required": Required,
	"SecretEnv": SecretEnv, "Size": Size, "Network": Network, "Security": Security,
	"Interval": Interval, "Timeout": Timeout, "StartPeriod": StartPeriod,
	"StartInterval": StartInterval, "Retries": Retries,
	"ChmodSymbolic": ChmodSymbolic, "MoreContent": MoreContent,
	"Checksum": Checksum, "KeepGitDir": KeepGitDir, "MountExpand": MountExpand,
	"Unpack": Unpack, "MountOptionExpand": MountOptionExpand, "Device": Device,
}

// applyProgram makes the calls of an imported Dockerfile on a new Build,
// leaving out the stages in skip. stages are the stages of the Build by
// their index in the Dockerfile, nil for those left out.
func applyProgram(prog *dfimport.Program, skip map[int]error) (b *Build, stages []*Stage, err error) {
	defer func() {
		// The importer only emits calls that exist with these shapes; a
		// mismatch is a bug here, reported rather than panicking.
		if r := recover(); r != nil {
			b, stages, err = nil, nil, fmt.Errorf("multistage: importing Dockerfile: %v", r)
		}
	}()
	b = New()
	stages = make([]*Stage, len(prog.Stages))
	for i, st := range prog.Stages {
		if skip[i] == nil {
			stages[i] = b.Stage(st.Name)
		}
	}
	for _, c := range prog.Args {
		if err := call(reflect.ValueOf(b), c, stages); err != nil {
			return nil, nil, err
		}
	}
	for i, st := range prog.Stages {
		if stages[i] == nil {
			continue
		}
		for _, c := range st.Calls {
			if err := call(reflect.ValueOf(stages[i]), c, stages); err != nil {
				return nil, nil, err
			}
		}
	}
	return b, stages, nil
}

func call(recv reflect.Value, c dfimport.Call, stages []*Stage) error {
	m := recv.MethodByName(c.Func)
	if !m.IsValid() {
		return fmt.Errorf("multistage: importing Dockerfile: no method %s", c.Func)
	}
	args, err := values(c.Args, stages)
	if err != nil {
		return err
	}
	m.Call(args)
	return nil
}

func values(args []any, stages []*Stage) ([]reflect.Value, error) {
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case dfimport.StageRef:
			out[i] = reflect.ValueOf(stages[x])
		case dfimport.Call:
			f, ok := options[x.Func]
			if !ok {
				return nil, fmt.Errorf("multistage: importing Dockerfile: no option %s", x.Func)
			}
			in, err := values(x.Args, stages)
			if err != nil {
				return nil, err
			}
			out[i] = reflect.ValueOf(f).Call(in)[0]
		default:
			out[i] = reflect.ValueOf(a)
		}
	}
	return out, nil
}
