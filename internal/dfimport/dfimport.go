// Package dfimport reads a Dockerfile with BuildKit's own parser and
// instructions packages and maps each instruction to calls of the public
// builder API of package multistage, once, for two consumers: the root
// package applies the calls to a *multistage.Build (ParseDockerfile), and
// internal/gogen prints them as Go source (cmd/dockerfile2go).
//
// The mapping follows BuildKit's Dockerfile frontend (dockerfile2llb): a
// word that the frontend would expand and that refers to no variable is
// given to the API as the value the frontend computes (quotes and escapes
// removed), and a word that refers to a variable is given, as it is, to the
// Expand variant of the call, where there is one. Whatever the API cannot
// say is refused with an [*UnsupportedError] naming the line, so that
// nothing changes meaning silently.
package dfimport

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/multistage/multistage/internal/ir"
	"github.com/tonistiigi/go-csvvalue"
)

// Program is a Dockerfile as calls of the builder API.
type Program struct {
	// Args are the calls on the Build before the first stage (Arg,
	// ArgExpand).
	Args []Call
	// Stages in Dockerfile order.
	Stages []Stage
	// Warnings are the problems found that do not stop the import.
	Warnings []Warning
}

// Stage is one stage: its name and the calls on it, base first.
type Stage struct {
	// Name is the stage name; an unnamed stage gets "stage-N" (N its
	// index), or another free name.
	Name string
	// Named is false for a stage that had no AS name.
	Named bool
	// Line is the line of the FROM instruction.
	Line int
	// Calls are the methods called on the *Stage, in order.
	Calls []Call
}

// Call is a method call on a *Stage or a *Build, or an option constructor
// (a package-level function of multistage) when it is an argument.
type Call struct {
	// Func is the method or function name, such as "CopyFrom" or "Chown".
	Func string
	// Args are the arguments: string, []string, bool, int, int64, uint32,
	// fs.FileMode, time.Duration, StageRef or Call (an option).
	Args []any
	// Line is the Dockerfile line of the instruction; 0 for options.
	Line int
}

// StageRef is an argument that is a stage, by its index in
// Program.Stages.
type StageRef int

// Warning is a problem found while importing that does not stop it.
type Warning struct {
	Line    int
	Message string
}

// UnsupportedError is an instruction or a form of one that the builder API
// cannot express.
type UnsupportedError struct {
	Line        int
	Instruction string
	Reason      string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Instruction, e.Reason)
}

// SyntaxError is a Dockerfile that BuildKit's parser refuses.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return e.Err.Error()
}

func (e *SyntaxError) Unwrap() error { return e.Err }

type walker struct {
	lex     *shell.Lex
	escape  rune
	prog    *Program
	names   map[string]int // stage name -> index
	stages  []instructions.Stage
	line    int
	instr   string
	current *Stage
	index   int // of the current stage
	// mountFlags are the raw values of the --mount flags of each RUN, by
	// line.
	mountFlags map[int][]string
}

func (w *walker) unsupported(format string, args ...any) error {
	return &UnsupportedError{Line: w.line, Instruction: w.instr, Reason: fmt.Sprintf(format, args...)}
}

func (w *walker) warn(format string, args ...any) {
	w.prog.Warnings = append(w.prog.Warnings, Warning{Line: w.line, Message: fmt.Sprintf(format, args...)})
}

// tracker is the environment of the shell lexer while a word is checked:
// it records whether the word refers to variables. All of them are unset,
// or, with set, all of them are set (to a placeholder).
type tracker struct {
	used  bool
	names []string
	set   bool
}

func (t *tracker) Get(name string) (string, bool) {
	t.used = true
	t.names = append(t.names, name)
	if t.set {
		return "x", true
	}
	return "", false
}

func (t *tracker) Keys() []string { return nil }

// word processes a word as the frontend's shell lexer does. It returns the
// value, and whether the word refers to a variable (then the value depends
// on the build and only raw is meaningful).
func (w *walker) word(raw string) (string, bool, error) {
	v, t, err := w.words(raw)
	if err != nil {
		return "", false, err
	}
	return v, t.used, nil
}

// words is word, returning the names of the variables the word uses.
func (w *walker) words(raw string) (string, *tracker, error) {
	t := &tracker{}
	v, _, err := w.lex.ProcessWord(raw, t)
	if err != nil && t.used {
		// ${V:?message} fails only while V is unset, which depends on
		// the build: the word is kept, and the build fails as
		// BuildKit's would when V is unset then.
		if _, _, err2 := w.lex.ProcessWord(raw, &tracker{set: true}); err2 == nil {
			return "", t, nil
		}
	}
	if err != nil {
		return "", nil, &SyntaxError{Line: w.line, Err: err}
	}
	return v, t, nil
}

// sameInstruction refuses a value that refers to a variable set earlier in
// the same instruction (ENV A=1 B=$A): BuildKit expands every value of an
// instruction before setting any, and one call per value would not.
func (w *walker) sameInstruction(t *tracker, earlier []string) error {
	for _, n := range t.names {
		for _, e := range earlier {
			if n == e {
				return w.unsupported("a value refers to %s, which the same instruction sets: BuildKit expands it to the value from before the instruction; split the instruction", n)
			}
		}
	}
	return nil
}

// literal processes a word that must not refer to variables.
func (w *walker) literal(what, raw string) (string, error) {
	v, used, err := w.word(raw)
	if err != nil {
		return "", err
	}
	if used {
		return "", w.unsupported("%s %q refers to a variable, which this instruction cannot expand through the API", what, raw)
	}
	return v, nil
}

// template returns a word that refers to variables as the raw word that
// both backends expand. With an escape directive other than '\', a raw
// word that contains the escape character or a backslash would mean
// something else once rendered with the default escape, and is refused.
func (w *walker) template(what, raw string) (string, error) {
	if w.escape != '\\' && strings.ContainsAny(raw, `\`+string(w.escape)) {
		return "", w.unsupported("%s %q refers to a variable and uses escapes under \"# escape=%c\"", what, raw, w.escape)
	}
	return raw, nil
}

// Walk parses a Dockerfile and maps it to calls.
func Walk(data []byte) (*Program, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, &SyntaxError{Line: errLine(err), Err: err}
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, &SyntaxError{Line: errLine(err), Err: err}
	}
	if len(stages) == 0 {
		return nil, &SyntaxError{Err: fmt.Errorf("the Dockerfile has no FROM instruction")}
	}
	w := &walker{lex: shell.NewLex(res.EscapeToken), escape: res.EscapeToken, prog: &Program{}, names: map[string]int{}, stages: stages,
		mountFlags: map[int][]string{}}
	for _, n := range res.AST.Children {
		if crHeredoc(n) {
			return nil, &UnsupportedError{Line: n.StartLine, Instruction: strings.ToUpper(n.Value),
				Reason: "a heredoc with carriage returns (CRLF line endings): BuildKit keeps them in the content, which the builder API does not carry; convert the file to LF line endings"}
		}
		if !strings.EqualFold(n.Value, "run") {
			continue
		}
		for _, f := range n.Flags {
			if name, v, ok := strings.Cut(strings.TrimPrefix(f, "--"), "="); ok && strings.EqualFold(name, "mount") {
				w.mountFlags[n.StartLine] = append(w.mountFlags[n.StartLine], v)
			}
		}
	}
	for _, pw := range res.Warnings {
		line := 0
		if pw.Location != nil {
			line = pw.Location.Start.Line
		}
		w.prog.Warnings = append(w.prog.Warnings, Warning{Line: line, Message: pw.Short})
	}
	if ref, _, _, ok := parser.DetectSyntax(data); ok {
		w.line = 1
		w.warn("the \"# syntax=%s\" directive is not part of the Build: pass multistage.Syntax(%q) to Dockerfile to keep it", ref, ref)
	}

	// Stage names first: COPY --from may name a later stage.
	used := map[string]bool{}
	for _, st := range stages {
		if st.Name != "" {
			used[st.Name] = true
		}
	}
	last := map[string]int{} // the last stage of each name, which --from and --target find
	for i, st := range stages {
		if st.Name != "" {
			last[st.Name] = i
		}
	}
	for i, st := range stages {
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("stage-%d", i)
			for n := 0; used[name]; n++ {
				name = fmt.Sprintf("stage-%d-%d", i, n)
			}
			used[name] = true
		} else if j := last[name]; j != i {
			// BuildKit accepts a stage name twice: a later FROM of the
			// name finds the latest stage before it, --from and --target
			// the last. The builder wants unique names, so the shadowed
			// stage gets another; the references keep their stages.
			name = fmt.Sprintf("%s-%d", st.Name, i)
			for n := 0; used[name]; n++ {
				name = fmt.Sprintf("%s-%d-%d", st.Name, i, n)
			}
			used[name] = true
			w.prog.Warnings = append(w.prog.Warnings, Warning{Line: lineOf(st.Location), Message: fmt.Sprintf(
				"stage name %q is used again on line %d, whose stage --from and --target find: this stage is imported as %q", st.Name, lineOf(stages[j].Location), name)})
		}
		w.prog.Stages = append(w.prog.Stages, Stage{Name: name, Named: st.Name != "", Line: lineOf(st.Location)})
	}

	for _, a := range metaArgs {
		w.line, w.instr = lineOf(a.Location()), "ARG"
		calls, err := w.args(a)
		if err != nil {
			return nil, err
		}
		w.prog.Args = append(w.prog.Args, calls...)
	}
	for i, st := range stages {
		w.current, w.index = &w.prog.Stages[i], i
		w.line, w.instr = w.current.Line, "FROM"
		if err := w.from(i, st); err != nil {
			return nil, err
		}
		if st.Name != "" {
			w.names[st.Name] = i
		}
		for _, cmd := range st.Commands {
			w.line, w.instr = lineOf(cmd.Location()), strings.ToUpper(cmd.Name())
			if err := w.command(cmd); err != nil {
				return nil, err
			}
		}
	}
	return w.prog, nil
}

func lineOf(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}

func errLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		return le.Locations[0][0].Start.Line
	}
	return 0
}

func (w *walker) add(name string, args ...any) {
	w.current.Calls = append(w.current.Calls, Call{Func: name, Args: args, Line: w.line})
}

func opt(name string, args ...any) Call { return Call{Func: name, Args: args} }

var platformArg = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$`)

func (w *walker) from(i int, st instructions.Stage) error {
	v, used, err := w.word(st.BaseName)
	if err != nil {
		return err
	}
	switch {
	case used:
		raw, err := w.template("image", st.BaseName)
		if err != nil {
			return err
		}
		w.add("FromExpand", raw)
	default:
		// BuildKit looks FROM up among the (lowercased) stage names as
		// written, unlike --from: FROM Build names no stage "build", but
		// an image, whose name is invalid.
		if j, ok := w.names[v]; ok && j < i {
			w.add("FromStage", StageRef(j))
			break
		}
		if _, err := reference.ParseNormalizedNamed(v); err != nil {
			return &SyntaxError{Line: w.line, Err: fmt.Errorf("failed to parse stage name %q: %w", v, err)}
		}
		w.add("From", v)
	}
	if st.Platform != "" {
		if platformArg.MatchString(st.Platform) {
			w.add("Platform", st.Platform)
		} else {
			p, err := w.literal("platform", st.Platform)
			if err != nil {
				return err
			}
			w.add("Platform", p)
		}
	}
	return nil
}

// args maps an ARG instruction. BuildKit reads every word of the line as
// an arg, so a '#' after the args starts no comment: the words from the
// '#' on are dropped with a warning.
func (w *walker) args(a instructions.ArgCommand) ([]Call, error) {
	var out []Call
	for i, kv := range a.Args {
		if strings.HasPrefix(kv.Key, "#") {
			var words []string
			for _, r := range a.Args[i:] {
				word := r.Key
				if r.Value != nil {
					word += "=" + *r.Value
				}
				words = append(words, word)
			}
			w.warn("ARG: %q is not a comment: BuildKit declares every word after ARG as a build arg; the words from '#' on are ignored", strings.Join(words, " "))
			break
		}
		if kv.Value == nil {
			out = append(out, Call{Func: "Arg", Args: []any{kv.Key}, Line: w.line})
			continue
		}
		// Unlike ENV and LABEL, BuildKit declares the args of one ARG
		// one after another (dispatchArg, buildMetaArgs), so
		// ARG A=1 B=$A is two Arg calls.
		v, t, err := w.words(*kv.Value)
		if err != nil {
			return nil, err
		}
		if t.used {
			raw, err := w.template("arg default", *kv.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, Call{Func: "ArgExpand", Args: []any{kv.Key, raw}, Line: w.line})
			continue
		}
		out = append(out, Call{Func: "Arg", Args: []any{kv.Key, v}, Line: w.line})
	}
	return out, nil
}

func (w *walker) command(cmd instructions.Command) error {
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		calls, err := w.args(*c)
		if err != nil {
			return err
		}
		w.current.Calls = append(w.current.Calls, calls...)
	case *instructions.EnvCommand:
		return w.env(c)
	case *instructions.WorkdirCommand:
		v, used, err := w.word(c.Path)
		if err != nil {
			return err
		}
		if used {
			raw, err := w.template("dir", c.Path)
			if err != nil {
				return err
			}
			w.add("WorkdirExpand", raw)
		} else {
			w.add("Workdir", v)
		}
	case *instructions.UserCommand:
		v, used, err := w.word(c.User)
		if err != nil {
			return err
		}
		if used {
			raw, err := w.template("user", c.User)
			if err != nil {
				return err
			}
			w.add("UserExpand", raw)
		} else {
			w.add("User", v)
		}
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			k, keyVars, err := w.word(kv.Key)
			if err != nil {
				return err
			}
			v, used, err := w.word(kv.Value)
			if err != nil {
				return err
			}
			if keyVars {
				rk, err := w.template("label key", kv.Key)
				if err != nil {
					return err
				}
				rv, err := w.template("label value", kv.Value)
				if err != nil {
					return err
				}
				w.add("LabelExpand", rk, rv)
				continue
			}
			if used {
				raw, err := w.template("label value", kv.Value)
				if err != nil {
					return err
				}
				w.add("LabelExpand", k, raw)
			} else {
				w.add("Label", k, v)
			}
		}
	case *instructions.ExposeCommand:
		return w.expose(c)
	case *instructions.VolumeCommand:
		// One call: with a variable in any path, every path goes raw to
		// VolumeExpand.
		paths := make([]any, len(c.Volumes))
		expand := false
		for i, p := range c.Volumes {
			v, used, err := w.word(p)
			if err != nil {
				return err
			}
			paths[i], expand = v, expand || used
		}
		if !expand {
			w.add("Volume", paths...)
			return nil
		}
		for i, p := range c.Volumes {
			raw, err := w.template("volume", p)
			if err != nil {
				return err
			}
			paths[i] = raw
		}
		w.add("VolumeExpand", paths...)
	case *instructions.StopSignalCommand:
		v, used, err := w.word(c.Signal)
		if err != nil {
			return err
		}
		if used {
			raw, err := w.template("signal", c.Signal)
			if err != nil {
				return err
			}
			w.add("StopSignalExpand", raw)
			return nil
		}
		w.add("StopSignal", v)
	case *instructions.ShellCommand:
		w.add("Shell", strs(c.Shell)...)
	case *instructions.CmdCommand:
		if c.PrependShell {
			if len(c.CmdLine) != 1 || len(c.Files) > 0 {
				return w.unsupported("unexpected shell-form CMD %q", c.CmdLine)
			}
			w.add("CmdShell", c.CmdLine[0])
			return nil
		}
		if len(c.CmdLine) == 0 {
			w.add("ClearCmd")
			return nil
		}
		w.add("Cmd", strs(c.CmdLine)...)
	case *instructions.EntrypointCommand:
		if c.PrependShell {
			if len(c.CmdLine) != 1 || len(c.Files) > 0 {
				return w.unsupported("unexpected shell-form ENTRYPOINT %q", c.CmdLine)
			}
			w.add("EntrypointShell", c.CmdLine[0])
			return nil
		}
		if len(c.CmdLine) == 0 {
			w.add("ClearEntrypoint")
			return nil
		}
		w.add("Entrypoint", strs(c.CmdLine)...)
	case *instructions.HealthCheckCommand:
		return w.healthcheck(c)
	case *instructions.CopyCommand:
		return w.copy(copyArgs{from: c.From, chown: c.Chown, chmod: c.Chmod, link: c.Link, parents: c.Parents,
			exclude: c.ExcludePatterns, sd: c.SourcesAndDest})
	case *instructions.RunCommand:
		return w.run(c)
	case *instructions.AddCommand:
		return w.copy(copyArgs{add: true, unpack: c.Unpack, chown: c.Chown, chmod: c.Chmod, link: c.Link, exclude: c.ExcludePatterns,
			keepGitDir: c.KeepGitDir, checksum: c.Checksum, sd: c.SourcesAndDest})
	case *instructions.OnbuildCommand:
		return w.onbuild(c)
	case *instructions.MaintainerCommand:
		w.add("Maintainer", c.Maintainer)
	default:
		return w.unsupported("instruction %s has no API", cmd.Name())
	}
	return nil
}

func strs(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

var portSpec = regexp.MustCompile(`^(\d+)(?:-(\d+))?(?:/(tcp|udp|sctp))?$`)

// expose maps EXPOSE to Expose, ExposeUDP and ExposeSCTP for plain ports
// and ranges, and every other word (a variable, a host part, a protocol in
// capitals, a port the frontend refuses) to ExposeExpand, which reads it
// as the frontend does.
func (w *walker) expose(c *instructions.ExposeCommand) error {
	byProto := map[string][]int{}
	var specs []string
	for _, p := range c.Ports {
		if ports, proto, ok := plainPorts(p); ok {
			byProto[proto] = append(byProto[proto], ports...)
			continue
		}
		raw, err := w.template("port spec", p)
		if err != nil {
			return err
		}
		specs = append(specs, raw)
	}
	for _, pf := range [...][2]string{{"tcp", "Expose"}, {"udp", "ExposeUDP"}, {"sctp", "ExposeSCTP"}} {
		if ports := byProto[pf[0]]; len(ports) > 0 {
			w.add(pf[1], ints(ports)...)
		}
	}
	for _, spec := range specs {
		w.add("ExposeExpand", spec)
	}
	return nil
}

// plainPorts reads a port or a short range of ports in 1-65535, with an
// optional lowercase protocol.
func plainPorts(p string) ([]int, string, bool) {
	m := portSpec.FindStringSubmatch(p)
	if m == nil {
		return nil, "", false
	}
	lo, err1 := strconv.Atoi(m[1])
	hi := lo
	var err2 error
	if m[2] != "" {
		hi, err2 = strconv.Atoi(m[2])
	}
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || hi < lo || hi-lo > 1024 {
		return nil, "", false
	}
	proto := m[3]
	if proto == "" {
		proto = "tcp"
	}
	var ports []int
	for n := lo; n <= hi; n++ {
		ports = append(ports, n)
	}
	return ports, proto, true
}

func ints(v []int) []any {
	out := make([]any, len(v))
	for i, n := range v {
		out[i] = n
	}
	return out
}

func (w *walker) healthcheck(c *instructions.HealthCheckCommand) error {
	h := c.Health
	if h == nil || len(h.Test) == 0 {
		return w.unsupported("healthcheck without a test")
	}
	var opts []any
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Interval", h.Interval}, {"Timeout", h.Timeout}, {"StartPeriod", h.StartPeriod}, {"StartInterval", h.StartInterval}} {
		if d.v != 0 {
			opts = append(opts, opt(d.name, d.v))
		}
	}
	if h.Retries != 0 {
		opts = append(opts, opt("Retries", h.Retries))
	}
	switch h.Test[0] {
	case "NONE":
		w.add("NoHealthcheck")
	case "CMD":
		if len(h.Test) < 2 {
			return w.unsupported("HEALTHCHECK CMD [] has no command")
		}
		w.add("Healthcheck", append([]any{h.Test[1:]}, opts...)...)
	case "CMD-SHELL":
		if len(h.Test) != 2 {
			return w.unsupported("unexpected shell healthcheck %q", h.Test)
		}
		w.add("HealthcheckShell", append([]any{h.Test[1]}, opts...)...)
	default:
		return w.unsupported("unknown healthcheck type %q", h.Test[0])
	}
	return nil
}

// copyArgs are the parts of a COPY or an ADD.
type copyArgs struct {
	add           bool
	from          string
	chown, chmod  string
	link, parents bool
	exclude       []string
	keepGitDir    *bool
	unpack        *bool
	checksum      string
	sd            instructions.SourcesAndDest
}

// heredocName is a heredoc name the API takes (multistage.CopyContent).
var heredocName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

func (w *walker) copy(c copyArgs) error {
	if len(c.sd.SourcePaths) == 0 && len(c.sd.SourceContents) == 0 {
		return w.unsupported("%s without sources", w.instr)
	}
	var opts []any
	// BuildKit expands --chown and --chmod; with a variable in either,
	// every word of the copy goes to the API raw, with Expand.
	chown, chownVars, err := w.word(c.chown)
	if err != nil {
		return err
	}
	chmod, chmodVars, err := w.word(c.chmod)
	if err != nil {
		return err
	}
	flagVars := chownVars || chmodVars
	if chownVars {
		chown = c.chown
	}
	if c.chown != "" {
		opts = append(opts, opt("Chown", chown))
	}
	if c.chmod != "" && chmodVars {
		opts = append(opts, opt("ChmodSymbolic", c.chmod))
	} else if c.chmod != "" {
		v := chmod
		mode, err := strconv.ParseUint(v, 8, 32)
		switch {
		case err == nil && mode <= 07777:
			fm := fs.FileMode(mode & 0777)
			if mode&04000 != 0 {
				fm |= fs.ModeSetuid
			}
			if mode&02000 != 0 {
				fm |= fs.ModeSetgid
			}
			if mode&01000 != 0 {
				fm |= fs.ModeSticky
			}
			opts = append(opts, opt("Chmod", fm))
		case err == nil || strings.Trim(v, "01234567") == "":
			return w.unsupported("--chmod=%s: an octal mode above 07777", v)
		default:
			opts = append(opts, opt("ChmodSymbolic", v))
		}
	}
	if c.link {
		opts = append(opts, opt("Link"))
	}
	if c.parents {
		opts = append(opts, opt("Parents"))
	}
	if len(c.exclude) > 0 {
		opts = append(opts, opt("Exclude", strs(c.exclude)...))
	}
	if c.keepGitDir != nil && *c.keepGitDir {
		opts = append(opts, opt("KeepGitDir"))
	}
	if c.unpack != nil {
		opts = append(opts, opt("Unpack", *c.unpack))
	}

	// Sources, destination and checksum: literal unless one refers to a
	// variable.
	raws := append(append([]string(nil), c.sd.SourcePaths...), c.sd.DestPath)
	if c.checksum != "" {
		raws = append(raws, c.checksum)
	}
	vals := make([]string, len(raws))
	expand := flagVars
	for i, r := range raws {
		v, used, err := w.word(r)
		if err != nil {
			return err
		}
		if !used && i < len(c.sd.SourcePaths) && w.instr == "COPY" {
			if err := copySource(v); err != nil {
				return &SyntaxError{Line: w.line, Err: err}
			}
		}
		vals[i] = v
		expand = expand || used
	}

	// Heredoc contents: BuildKit expands those with an unquoted name,
	// without processing quotes.
	type content struct {
		name, data string
		used       bool
		raw        bool // data needs no expansion and is its own value
	}
	var contents []content
	for _, sc := range c.sd.SourceContents {
		if !heredocName.MatchString(sc.Path) {
			return w.unsupported("heredoc name %q: only letters, digits, '_', '.' and '-' are supported", sc.Path)
		}
		ct := content{name: sc.Path, data: sc.Data, raw: !strings.ContainsAny(sc.Data, `$\`)}
		if sc.Expand {
			lex := shell.NewLex(w.escape)
			lex.SkipProcessQuotes = true
			t := &tracker{}
			v, _, err := lex.ProcessWord(sc.Data, t)
			if err != nil {
				return &SyntaxError{Line: w.line, Err: err}
			}
			ct.used = t.used
			if !t.used {
				ct.data = v
			}
			expand = expand || t.used
		}
		contents = append(contents, ct)
	}
	if expand {
		for i, r := range raws {
			raw, err := w.template("path", r)
			if err != nil {
				return err
			}
			vals[i] = raw
		}
		for i, sc := range c.sd.SourceContents {
			if !sc.Expand && !contents[i].raw {
				return w.unsupported("a quoted heredoc with '$' or '\\' in a %s whose other words refer to variables", w.instr)
			}
			if sc.Expand {
				if w.escape != '\\' && strings.ContainsAny(sc.Data, `\`+string(w.escape)) {
					return w.unsupported("heredoc %s refers to a variable and uses escapes under \"# escape=%c\"", sc.Path, w.escape)
				}
				contents[i].data = sc.Data
			}
		}
		opts = append(opts, opt("Expand"))
	}
	if c.checksum != "" {
		opts = append(opts, opt("Checksum", vals[len(vals)-1]))
		vals = vals[:len(vals)-1]
	}
	srcs, dst := vals[:len(vals)-1], vals[len(vals)-1]
	for _, s := range srcs {
		if s == "" {
			return w.unsupported("empty source path")
		}
	}
	if len(contents) > 0 {
		for _, p := range vals {
			if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
				return w.unsupported("path %q of a %s with heredocs has white space, which the API cannot write there", p, w.instr)
			}
		}
	}
	if dst == "" {
		return w.unsupported("empty destination path")
	}
	var more []any
	if len(srcs) > 1 {
		more = append(more, opt("MoreSources", strs(srcs[1:])...))
	}
	first := 0
	if len(srcs) == 0 {
		first = 1 // the first content is the call's
	}
	for _, ct := range contents[first:] {
		more = append(more, opt("MoreContent", ct.name, ct.data))
	}
	opts = append(more, opts...)

	if c.add && len(srcs) == 0 {
		// ADD and COPY write heredocs alike (dispatchCopy).
		if c.checksum != "" || c.keepGitDir != nil || c.unpack != nil {
			return w.unsupported("ADD of heredocs only with --checksum, --keep-git-dir or --unpack")
		}
		w.warn("ADD with only heredoc sources is imported as COPY, which writes the same files")
	} else if c.add {
		return w.addCall(srcs, dst, opts, expand)
	}
	if len(srcs) == 0 {
		if c.from != "" {
			// The heredocs are the only sources: the frontend copies them
			// from scratch, and nothing from --from.
			w.warn("COPY --from=%s with only heredoc sources copies nothing from %s: imported without --from", c.from, c.from)
		}
		w.add("CopyContent", append([]any{contents[0].name, contents[0].data, dst}, opts...)...)
		return nil
	}
	if c.from == "" {
		w.add("Copy", append([]any{srcs[0], dst}, opts...)...)
		return nil
	}
	if strings.ContainsAny(c.from, "$\"'\\`") {
		// As toCommand does: BuildKit refuses the Dockerfile.
		return &SyntaxError{Line: w.line, Err: fmt.Errorf("COPY --from=%s: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround", c.from)}
	}
	if n, err := strconv.Atoi(c.from); err == nil {
		if n < 0 || n >= len(w.prog.Stages) {
			return &SyntaxError{Line: w.line, Err: fmt.Errorf("COPY --from=%d: there is no stage %d", n, n)}
		}
		if err := w.before(n, c.from); err != nil {
			return err
		}
		w.add("CopyFrom", append([]any{StageRef(n), srcs[0], dst}, opts...)...)
		return nil
	}
	if j, ok := w.stageNamed(c.from); ok {
		if err := w.before(j, c.from); err != nil {
			return err
		}
		w.add("CopyFrom", append([]any{StageRef(j), srcs[0], dst}, opts...)...)
		return nil
	}
	if looksLikeStageName(c.from) {
		w.warn("COPY --from=%s: there is no stage %q, so BuildKit copies from the image %q (docker.io/library/%s:latest)", c.from, c.from, c.from, c.from)
	}
	w.add("CopyFromImage", append([]any{c.from, srcs[0], dst}, opts...)...)
	return nil
}

// addCall maps an ADD to Add, AddURL or AddGit, by the kind of its first
// source; the others, of any kind, go to MoreSources. A source that refers
// to variables (given raw, with Expand) is told apart once expanded.
func (w *walker) addCall(srcs []string, dst string, opts []any, expand bool) error {
	kind := "Add"
	for i, s := range srcs {
		if expand && strings.Contains(s, "$") {
			continue
		}
		k, err := KindOf(s)
		switch {
		case err != nil:
			return &SyntaxError{Line: w.line, Err: err}
		case i > 0:
		case k == GitSource:
			kind = "AddGit"
		case k == URLSource:
			kind = "AddURL"
		}
	}
	w.add(kind, append([]any{srcs[0], dst}, opts...)...)
	return nil
}

// env maps ENV to one Env or EnvExpand per variable, or, when a value
// refers to a variable that the same instruction sets (which BuildKit
// expands to its value from before the instruction), to one EnvExpandAll.
func (w *walker) env(c *instructions.EnvCommand) error {
	var keys []string
	var calls []Call
	var all []any
	together := false
	for _, kv := range c.Env {
		key, err := w.literal("env key", kv.Key)
		if err != nil {
			return err
		}
		v, t, err := w.words(kv.Value)
		if err != nil {
			return err
		}
		if w.sameInstruction(t, keys) != nil {
			together = true
		}
		keys = append(keys, key)
		raw, err := w.template("env value", kv.Value)
		if t.used && err != nil {
			return err
		}
		all = append(all, key, raw)
		if t.used {
			calls = append(calls, Call{Func: "EnvExpand", Args: []any{key, raw}, Line: w.line})
		} else {
			calls = append(calls, Call{Func: "Env", Args: []any{key, v}, Line: w.line})
		}
	}
	if !together {
		w.current.Calls = append(w.current.Calls, calls...)
		return nil
	}
	for i := 1; i < len(all); i += 2 {
		if _, err := w.template("env value", all[i].(string)); err != nil {
			return err
		}
	}
	w.add("EnvExpandAll", all...)
	return nil
}

// onbuild maps ONBUILD to OnBuild, after checking that the trigger is an
// instruction the API can express on its own.
// UsesStage reports whether call arguments refer to a stage.
func UsesStage(args []any) bool {
	for _, a := range args {
		switch x := a.(type) {
		case StageRef:
			return true
		case Call:
			if UsesStage(x.Args) {
				return true
			}
		}
	}
	return false
}

func (w *walker) onbuild(c *instructions.OnbuildCommand) error {
	expr := c.Expression
	if strings.ContainsAny(expr, "\n\r") || strings.TrimSpace(expr) != expr || strings.HasSuffix(expr, `\`) {
		return w.unsupported("an ONBUILD trigger that is not one line has no API")
	}
	// BuildKit parses a trigger when a stage runs it, on its own line
	// (initOnBuildTriggers), but expands its words with the lexer of the
	// Dockerfile, which the escape directive sets; the Build has none, so
	// a trigger with the escape character or a backslash would mean
	// something else.
	if w.escape != '\\' && strings.ContainsAny(expr, `\`+string(w.escape)) {
		return w.unsupported("trigger %q uses escapes under \"# escape=%c\"", expr, w.escape)
	}
	prog, err := Walk([]byte("FROM scratch\n" + expr + "\n"))
	if err != nil {
		var ue *UnsupportedError
		if errors.As(err, &ue) {
			return w.unsupported("trigger %q: %s", expr, ue.Reason)
		}
		// BuildKit reads a trigger only in a stage that runs it, so the
		// Dockerfile stands; what this trigger would do there, alone in a
		// Dockerfile of its own, is not known.
		return w.unsupported("trigger %q: %v", expr, err)
	}
	for _, call := range prog.Stages[0].Calls[1:] {
		// In the trigger's own Dockerfile a --from name is an image; the
		// stage that runs the trigger looks it up among its stages first.
		// A stage index has no such lookup.
		if UsesStage(call.Args) {
			return w.unsupported("trigger %q uses a stage by index, which has no API; name the stage", expr)
		}
	}
	w.add("OnBuild", expr)
	return nil
}

// stageNamed finds a stage by name, as the frontend does: any stage of the
// file, case-insensitively.
func (w *walker) stageNamed(name string) (int, bool) {
	// The last stage of the name, as BuildKit's statesByName keeps it.
	for i := len(w.stages) - 1; i >= 0; i-- {
		if st := w.stages[i]; st.Name != "" && strings.EqualFold(st.Name, name) {
			return i, true
		}
	}
	return 0, false
}

// before refuses, as BuildKit does, a stage used by the stage that defines
// it or by an earlier one.
func (w *walker) before(j int, name string) error {
	if j >= w.index {
		return &SyntaxError{Line: w.line, Err: fmt.Errorf("cannot use stage %q here: it needs to be defined before the current stage", name)}
	}
	return nil
}

// SourceKind is what a COPY or ADD source is.
type SourceKind int

// The kinds of source.
const (
	LocalSource SourceKind = iota // a path of the build context
	URLSource                     // an http(s) URL
	GitSource                     // a git repository
)

// KindOf classifies src as dispatchCopy does: a git reference first, then
// an http(s) URL, else a path of the build context. The error is for a
// source that is a git reference and does not parse as one.
func KindOf(src string) (SourceKind, error) {
	ref, isGit, err := dfgitutil.ParseGitRef(src)
	switch {
	case err != nil && isGit:
		return 0, err
	case err == nil && !ref.IndistinguishableFromLocal:
		return GitSource, nil
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		return URLSource, nil
	}
	return LocalSource, nil
}

// copySource refuses, as dispatchCopy does, a COPY source that is a git
// repository or a URL: only ADD fetches.
func copySource(src string) error {
	switch k, err := KindOf(src); {
	case err != nil:
		return err
	case k == GitSource:
		return errors.New("source can't be a git ref for COPY")
	case k == URLSource:
		return errors.New("source can't be a URL for COPY")
	}
	return nil
}

// crHeredoc reports whether an instruction (or the one of an ONBUILD) has
// a heredoc whose content holds a carriage return.
func crHeredoc(n *parser.Node) bool {
	for ; n != nil; n = n.Next {
		for _, h := range n.Heredocs {
			if strings.Contains(h.Content, "\r") {
				return true
			}
		}
		for _, c := range n.Children {
			if crHeredoc(c) {
				return true
			}
		}
	}
	return false
}

// looksLikeStageName reports whether an image reference is a bare name
// with no registry, path, tag or digest, the way a stage name looks.
// "scratch" is none: BuildKit reads it as the empty file system.
func looksLikeStageName(ref string) bool {
	return ref != "scratch" && !strings.ContainsAny(ref, "/:@")
}

var knownRunFlags = map[string]bool{"mount": true, "network": true, "security": true}

func (w *walker) run(c *instructions.RunCommand) error {
	for _, f := range c.FlagsUsed {
		if !knownRunFlags[f] {
			return w.unsupported("RUN --%s has no API", f)
		}
	}
	// Parse the mounts as the frontend does, with an expander that keeps a
	// value that refers to variables as it is: the target, id and source
	// of a mount may be templates (MountExpand). The expander is called
	// once per key=value field, in order, so the keys of the raw --mount
	// flags tell which option each value is for: a value of a typed option
	// (uid=${UID}) is replaced by a placeholder that the frontend parses,
	// and goes to MountOptionExpand.
	templates := map[string]bool{}
	fields, err := mountFields(w.mountFlags[w.line])
	if err != nil {
		return &SyntaxError{Line: w.line, Err: err}
	}
	vars := make([][]any, len(fields)) // MountOptionExpand calls, by mount
	varKeys := make([]map[string]bool, len(fields))
	mi, fi := 0, 0
	var refErr error
	if err := c.Expand(func(word string) (string, error) {
		for mi < len(fields) && fi >= len(fields[mi]) {
			mi, fi = mi+1, 0
		}
		key := ""
		if mi < len(fields) {
			key = fields[mi][fi]
			fi++
		}
		v, used, err := w.word(word)
		if err != nil {
			return "", err
		}
		if !used && strings.Contains(v, "$") && !strings.ContainsAny(word, "\\\"'") {
			// A '$' the lexer keeps ("a$"): as a template, it expands to
			// itself.
			used = true
		}
		if placeholder, ok := mountVarPlaceholder[key]; used && ok {
			raw, err := w.template("--mount value", word)
			if err != nil && refErr == nil {
				refErr = err
			}
			vars[mi] = append(vars[mi], opt("MountOptionExpand", key, raw))
			if varKeys[mi] == nil {
				varKeys[mi] = map[string]bool{}
			}
			varKeys[mi][key] = true
			return placeholder, nil
		}
		if used {
			raw, err := w.template("--mount value", word)
			if err != nil && refErr == nil {
				refErr = err
			}
			templates[raw] = true
			return raw, nil
		}
		if strings.Contains(v, "$") && refErr == nil {
			refErr = w.unsupported("--mount value %q is a literal '$', which the API cannot write", word)
		}
		return v, nil
	}); err != nil {
		if refErr != nil {
			return refErr
		}
		if len(templates) > 0 {
			return w.unsupported("--mount refers to a variable in its type")
		}
		return &SyntaxError{Line: w.line, Err: err}
	}
	if refErr != nil {
		return refErr
	}
	var opts []any
	for i, m := range instructions.GetMounts(c) {
		expand := templates[m.Target] || templates[m.CacheID] || templates[m.Source]
		if m.From != "" && templates[m.From] || templates[string(m.Type)] {
			return w.unsupported("--mount refers to a variable in its type or from")
		}
		var keys map[string]bool
		if i < len(varKeys) {
			keys = varKeys[i]
		}
		o, err := w.mount(m, keys)
		if err != nil {
			return err
		}
		if expand {
			o.Args = append(o.Args, opt("MountExpand"))
		}
		if i < len(vars) {
			o.Args = append(o.Args, vars[i]...)
		}
		opts = append(opts, o)
	}
	for _, f := range c.FlagsUsed {
		switch f {
		case "network":
			opts = append(opts, opt("Network", string(instructions.GetNetwork(c))))
		case "security":
			opts = append(opts, opt("Security", instructions.GetSecurity(c)))
		}
	}

	if !c.PrependShell {
		if len(c.CmdLine) == 0 {
			return w.unsupported("an empty RUN [] has no command")
		}
		w.add("RunExec", append([]any{append([]string(nil), c.CmdLine...)}, opts...)...)
		return nil
	}
	if len(c.CmdLine) != 1 {
		return w.unsupported("unexpected shell command %q", c.CmdLine)
	}
	cmd := c.CmdLine[0]
	if len(c.Files) > 0 {
		var b strings.Builder
		b.WriteString(cmd)
		for _, f := range c.Files {
			b.WriteByte('\n')
			b.WriteString(f.Data)
			b.WriteString(f.Name)
		}
		whole := b.String()
		if w.escape != '\\' && strings.ContainsAny(whole, `\`+string(w.escape)) {
			return w.unsupported("a RUN with here-documents and escapes under \"# escape=%c\" has no API", w.escape)
		}
		h := parser.MustParseHeredoc(cmd)
		if len(c.Files) != 1 || h == nil {
			w.add("RunHeredoc", append([]any{whole}, opts...)...)
			return nil
		}
		data := c.Files[0].Data
		if c.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		script, ok := strings.CutSuffix(data, "\n")
		if strings.HasPrefix(data, "#!") || !ok || strings.TrimSpace(script) == "" || !needsHeredoc(script) {
			// Run would not write it as this heredoc: keep it as it is.
			w.add("RunHeredoc", append([]any{whole}, opts...)...)
			return nil
		}
		cmd = script
	} else if needsHeredoc(cmd) {
		return w.unsupported("the command %q cannot be written on a RUN line by the renderer", cmd)
	}
	w.add("Run", append([]any{cmd}, opts...)...)
	return nil
}

// needsHeredoc is the rule by which Run writes a command as a heredoc.
var needsHeredoc = ir.ScriptNeedsHeredoc

// mountVarPlaceholder is, for each --mount option that MountOptionExpand
// takes, a value that the frontend parses for it: it stands for a value
// that refers to variables while the mount is parsed, and is dropped.
var mountVarPlaceholder = map[string]string{
	"uid": "0", "gid": "0", "mode": "0", "size": "0", "sharing": "shared",
	"required": "false", "readonly": "true", "ro": "true", "readwrite": "false", "rw": "false", "env": "PLACEHOLDER",
}

// mountFields returns, for each --mount flag, the keys of its key=value
// fields in order: the fields whose values the frontend expands.
func mountFields(flags []string) ([][]string, error) {
	var out [][]string
	for _, f := range flags {
		fields, err := csvvalue.Fields(f, nil)
		if err != nil {
			return nil, err
		}
		var keys []string
		for _, field := range fields {
			if k, _, ok := strings.Cut(field, "="); ok {
				keys = append(keys, strings.ToLower(k))
			}
		}
		out = append(out, keys)
	}
	return out, nil
}

// mount maps a parsed mount to its option; the options in vars come from
// MountOptionExpand instead.
func (w *walker) mount(m *instructions.Mount, vars map[string]bool) (Call, error) {
	var opts []any
	has := func(keys ...string) bool {
		for _, k := range keys {
			if vars[k] {
				return true
			}
		}
		return false
	}
	mode := func() {
		if m.UID != nil && !has("uid") {
			opts = append(opts, opt("UID", uint32(*m.UID)))
		}
		if m.GID != nil && !has("gid") {
			opts = append(opts, opt("GID", uint32(*m.GID)))
		}
		if m.Mode != nil && !has("mode") {
			opts = append(opts, opt("Mode", fs.FileMode(*m.Mode&0777)))
		}
	}
	from := func() error {
		if m.From == "" {
			return nil
		}
		if j, ok := w.stageNamed(m.From); ok {
			if err := w.before(j, m.From); err != nil {
				return err
			}
			opts = append(opts, opt("MountFrom", StageRef(j)))
			return nil
		}
		if _, err := strconv.Atoi(m.From); err == nil {
			// A mount looks stages up by name only (detectRunMount).
			w.warn("RUN --mount from=%s: a mount does not take a stage index, so BuildKit mounts the image %q (docker.io/library/%s:latest); name the stage", m.From, m.From, m.From)
		} else if looksLikeStageName(m.From) {
			w.warn("RUN --mount from=%s: there is no stage %q, so BuildKit mounts the image %q", m.From, m.From, m.From)
		}
		opts = append(opts, opt("MountFromImage", m.From))
		return nil
	}
	if m.Mode != nil && *m.Mode&^0777 != 0 {
		return Call{}, w.unsupported("--mount mode=%o: only permission bits are supported", *m.Mode)
	}
	switch m.Type {
	case instructions.MountTypeCache:
		if m.Target == "" {
			return Call{}, w.unsupported("cache mount without a target")
		}
		if m.CacheID != "" {
			opts = append(opts, opt("MountID", m.CacheID))
		}
		if m.CacheSharing != "" && m.CacheSharing != instructions.MountSharingShared && !has("sharing") {
			opts = append(opts, opt("Sharing", string(m.CacheSharing)))
		}
		if m.ReadOnly && !has("readonly", "ro", "readwrite", "rw") {
			opts = append(opts, opt("ReadOnly"))
		}
		if err := from(); err != nil {
			return Call{}, err
		}
		if m.Source != "" {
			opts = append(opts, opt("MountSource", m.Source))
		}
		mode()
		return opt("CacheMount", append([]any{m.Target}, opts...)...), nil
	case instructions.MountTypeBind:
		if m.Target == "" {
			return Call{}, w.unsupported("bind mount without a target")
		}
		if !m.ReadOnly && !has("readonly", "ro", "readwrite", "rw") {
			opts = append(opts, opt("ReadWrite"))
		}
		if err := from(); err != nil {
			return Call{}, err
		}
		if m.Source != "" {
			opts = append(opts, opt("MountSource", m.Source))
		}
		return opt("BindMount", append([]any{m.Target}, opts...)...), nil
	case instructions.MountTypeTmpfs:
		if m.Target == "" {
			return Call{}, w.unsupported("tmpfs mount without a target")
		}
		if m.ReadOnly || m.From != "" || m.Source != "" || m.CacheID != "" {
			return Call{}, w.unsupported("tmpfs mount options other than size have no API")
		}
		if m.SizeLimit > 0 && !has("size") {
			opts = append(opts, opt("Size", m.SizeLimit))
		}
		return opt("TmpfsMount", append([]any{m.Target}, opts...)...), nil
	case instructions.MountTypeSecret:
		id := m.CacheID
		if m.Source != "" {
			id = m.Source
		}
		if id == "" {
			id = path.Base(m.Target)
		}
		if m.Target != "" {
			opts = append(opts, opt("MountTarget", m.Target))
		}
		if m.Env != nil && !has("env") {
			if *m.Env == "" {
				return Call{}, w.unsupported("secret mount with an empty env=")
			}
			opts = append(opts, opt("SecretEnv", *m.Env))
		}
		if m.Required && !has("required") {
			opts = append(opts, opt("Required"))
		}
		mode()
		return opt("SecretMount", append([]any{id}, opts...)...), nil
	case instructions.MountTypeSSH:
		if m.Source != "" || m.From != "" {
			return Call{}, w.unsupported("ssh mount with source or from")
		}
		if m.CacheID != "" {
			opts = append(opts, opt("MountID", m.CacheID))
		}
		if m.Target != "" {
			opts = append(opts, opt("MountTarget", m.Target))
		}
		if m.Required && !has("required") {
			opts = append(opts, opt("Required"))
		}
		mode()
		return opt("SSHMount", opts...), nil
	}
	return Call{}, w.unsupported("mount type %q", m.Type)
}
