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
	warn func(ParseWarning)
}

type parseFunc func(*parseConfig)

func (f parseFunc) applyParse(c *parseConfig) { f(c) }

// ParseWarnings makes [ParseDockerfile] call f for each problem it finds
// that does not stop the import, in the order of the Dockerfile. Without
// it, warnings are dropped.
func ParseWarnings(f func(ParseWarning)) ParseOption {
	return parseFunc(func(c *parseConfig) { c.warn = f })
}

// ParseDockerfile reads a Dockerfile into a Build made with the typed API,
// so that [Build.Compile] gives the LLB and image config that BuildKit's
// Dockerfile frontend gives for the Dockerfile, for every target, and
// [Build.Dockerfile] renders it back. The Dockerfile is parsed with
// BuildKit's own parser.
//
// Every stage is kept, in order; a stage without a name is named
// "stage-N", N its index. Build args, before the first stage and in
// stages, are kept with their defaults, and variables in FROM (the image,
// a stage chosen through a variable, --platform=$BUILDPLATFORM) stay
// variables, so the build takes the same --build-arg values. A word that
// refers to no variable becomes a literal value (quotes and escapes
// removed, as BuildKit removes them); a word that refers to variables goes
// to the Expand form of the call ([Stage.EnvExpand], [Stage.WorkdirExpand],
// [Expand], [Stage.FromExpand], [Build.ArgExpand]).
//
// Every instruction comes in: ADD ([Stage.Add], [Stage.AddURL],
// [Stage.AddGit], also of local files, URLs and git repositories at once,
// and of sources that refer to variables), ONBUILD ([Stage.OnBuild]),
// MAINTAINER ([Stage.Maintainer]), heredoc COPY ([Stage.CopyContent],
// [MoreContent]), RUN with here-documents ([Stage.RunHeredoc]), shell-form
// CMD and ENTRYPOINT ([Stage.CmdShell], [Stage.EntrypointShell]),
// ENTRYPOINT [] and CMD [] ([Stage.ClearEntrypoint], [Stage.ClearCmd]),
// symbolic modes ([ChmodSymbolic]), and variables wherever BuildKit
// expands them: USER, LABEL keys and values, EXPOSE, VOLUME, STOPSIGNAL,
// --chown and --chmod, and every --mount option ([Stage.UserExpand],
// [Stage.LabelExpand], [Stage.ExposeExpand], [Stage.VolumeExpand],
// [Stage.StopSignalExpand], [MountOptionExpand]). The few forms the API
// still cannot express (an ONBUILD trigger that spans lines or uses a
// stage by index; an ONBUILD trigger or a heredoc with backslashes under
// an escape character other than '\'; a heredoc with carriage returns, as
// a file with CRLF line endings has) are refused
// with an [*UnsupportedError] naming the line, which matches
// [ErrUnsupported]. A Dockerfile BuildKit refuses gives a [*SyntaxError],
// as does a variable in COPY --from, which BuildKit
// refuses too. Problems that do not stop the import (COPY --from=name
// with no stage of that name, RUN --mount from=0, which BuildKit reads as
// an image, a '#' on an ARG line, a "# syntax=" directive, COPY --from or
// ADD of heredocs only, the parser's own warnings) are passed to
// [ParseWarnings].
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
	prog, err := dfimport.Walk(data)
	if err != nil {
		return nil, importError(err)
	}
	b, err := applyProgram(prog)
	if err != nil {
		return nil, err
	}
	if cfg.warn != nil {
		for _, w := range prog.Warnings {
			cfg.warn(ParseWarning{Line: w.Line, Message: w.Message})
		}
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
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
	"Unpack": Unpack, "MountOptionExpand": MountOptionExpand,
}

// applyProgram makes the calls of an imported Dockerfile on a new Build.
func applyProgram(prog *dfimport.Program) (b *Build, err error) {
	defer func() {
		// The importer only emits calls that exist with these shapes; a
		// mismatch is a bug here, reported rather than panicking.
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("multistage: importing Dockerfile: %v", r)
		}
	}()
	b = New()
	stages := make([]*Stage, len(prog.Stages))
	for i, st := range prog.Stages {
		stages[i] = b.Stage(st.Name)
	}
	for _, c := range prog.Args {
		if err := call(reflect.ValueOf(b), c, stages); err != nil {
			return nil, err
		}
	}
	for i, st := range prog.Stages {
		for _, c := range st.Calls {
			if err := call(reflect.ValueOf(stages[i]), c, stages); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
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
