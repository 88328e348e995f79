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
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
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
	// Target is the stage's name in the Dockerfile, as --target takes
	// it; "" when it has none.
	Target string
	// Line is the line of the FROM instruction.
	Line int
	// Calls are the methods called on the *Stage, in order.
	Calls []Call
	// Err is why the stage cannot be imported (an *UnsupportedError or a
	// *SyntaxError), from WalkAll; its Calls are then incomplete.
	Err error
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
	// numbered are the images that COPY --from=N, with N past the last
	// stage, copies from, by the line of the COPY (see numberImages).
	numbered map[int]string
	// globalArgs are the names FROM can expand: the args declared before
	// the first stage and those BuildKit sets itself (defaultArgs).
	globalArgs map[string]bool
}

// buildKitGlobalArgs are the args BuildKit sets before the first stage,
// which FROM can expand without a declaration (dockerfile2llb's
// defaultArgs).
var buildKitGlobalArgs = []string{
	"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
	"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
}

// numberImages finds, as dockerfile2llb's buildStageDependencyGraph
// does before it converts anything, the images that BuildKit numbers as
// stages after the last one: each COPY --from and RUN --mount from= that
// names no stage (scratch for a mount without from=) adds its image to
// the list of stages, and so does each COPY --from=N of such an image
// again. A COPY --from=N past the last stage copies from the image
// numbered N when there is one by then.
func (w *walker) numberImages() {
	var images []string
	w.numbered = map[int]string{}
	for _, st := range w.stages {
		for _, cmd := range st.Commands {
			switch c := cmd.(type) {
			case *instructions.RunCommand:
				for _, m := range instructions.GetMounts(c) {
					if from := cmp.Or(m.From, "scratch"); !w.isStageName(from) {
						images = append(images, from)
					}
				}
			case *instructions.CopyCommand:
				if c.From == "" || strings.ContainsAny(c.From, "$\"'\\`") {
					continue
				}
				n, err := strconv.Atoi(c.From)
				switch {
				case err != nil:
					if !w.isStageName(c.From) {
						images = append(images, c.From)
					}
				case n >= len(w.stages) && n-len(w.stages) < len(images):
					image := images[n-len(w.stages)]
					w.numbered[c.Location()[0].Start.Line] = image
					images = append(images, image)
				}
			}
		}
	}
}

// isStageName says whether BuildKit finds a stage of the name.
func (w *walker) isStageName(name string) bool {
	_, ok := w.stageNamed(name)
	return ok
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
// both backends expand. The Build has no escape directive: under another
// escape character than '\\' (# escape=`), a word with that character or a
// backslash is rewritten for '\\' (reEscape), and refused when the
// rewritten word does not read the same.
func (w *walker) template(what, raw string) (string, error) {
	if w.escape == '\\' || !strings.ContainsAny(raw, `\`+string(w.escape)) {
		return raw, nil
	}
	if v := reEscape(raw, w.escape); sameWord(raw, w.escape, v) {
		return v, nil
	}
	return "", w.unsupported("%s %q refers to a variable and uses escapes under \"# escape=%c\" that the API cannot write", what, raw, w.escape)
}

// reEscape rewrites word, written for the shell lexer with the escape
// character esc, as a word that the lexer with '\\' reads the same: a
// literal backslash is escaped, and esc followed by a character becomes
// '\\' followed by it where esc escapes it (anywhere outside quotes; in
// double quotes before '"', '$' and esc). Single quotes escape nothing.
func reEscape(word string, esc rune) string {
	var b strings.Builder
	rs := []rune(word)
	var quote rune
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			b.WriteRune(r)
			if r == '\'' {
				quote = 0
			}
		case r == esc:
			if i+1 == len(rs) {
				continue // the lexer drops an escape at the end
			}
			next := rs[i+1]
			if quote == '"' && next != '"' && next != '$' && next != esc {
				b.WriteRune(esc) // literal, and so is what follows
				continue
			}
			i++
			if quote == '"' && next == esc {
				b.WriteString(reEscape(string(next), '\\'))
				continue
			}
			b.WriteByte('\\')
			b.WriteRune(next)
		case r == '\\':
			b.WriteString(`\\`)
		case quote == 0 && (r == '\'' || r == '"'):
			quote = r
			b.WriteRune(r)
		case quote == '"' && r == '"':
			quote = 0
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sameWord reports whether the lexer with '\\' reads v as the lexer with
// esc reads raw, with every variable unset, and set to values with quotes
// and escapes.
func sameWord(raw string, esc rune, v string) bool {
	for _, env := range []shell.EnvGetter{&tracker{}, &tracker{set: true}, fixedEnv("a\\b`c'd\"e $f")} {
		want, _, werr := shell.NewLex(esc).ProcessWord(raw, env)
		got, _, gerr := shell.NewLex('\\').ProcessWord(v, env)
		if (werr == nil) != (gerr == nil) || want != got {
			return false
		}
	}
	return true
}

// fixedEnv is an environment in which every variable has the same value.
type fixedEnv string

func (e fixedEnv) Get(string) (string, bool) { return string(e), true }
func (e fixedEnv) Keys() []string            { return nil }

// Walk parses a Dockerfile and maps it to calls. The error is the first
// problem that stops the import, of the file or of any stage.
func Walk(data []byte) (*Program, error) {
	prog, err := WalkAll(data)
	if err != nil {
		return nil, err
	}
	for _, st := range prog.Stages {
		if st.Err != nil {
			return nil, st.Err
		}
	}
	return prog, nil
}

// WalkAll is Walk that keeps going past a stage it cannot map: the error
// of such a stage is in its Err, and the error returned is for the file
// as a whole (a syntax error, an ARG before the first stage).
func WalkAll(data []byte) (*Program, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, &SyntaxError{Line: errLine(err), Err: err}
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, &SyntaxError{Line: errLine(err), Err: err}
	}
	if len(stages) == 0 {
		return nil, &SyntaxError{Err: fmt.Errorf("the Dockerfile has no FROM instruction")}
	}
	w := &walker{lex: shell.NewLex(res.EscapeToken), escape: res.EscapeToken, prog: &Program{}, names: map[string]int{}, stages: stages,
		mountFlags: map[int][]string{}}
	w.numberImages()
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
	targetStage := declaresTargetStage(metaArgs, stages)
	for i, st := range stages {
		name := st.Name
		if name == "" {
			name = fmt.Sprintf("stage-%d", i)
			if i == len(stages)-1 && targetStage && !used["default"] {
				// BuildKit sets TARGETSTAGE to "default" when it builds
				// an unnamed last stage; the Build sets it to the name
				// of the target.
				name = "default"
			}
			for n := 0; used[name]; n++ {
				name = fmt.Sprintf("stage-%d-%d", i, n)
			}
			used[name] = true
		} else if reservedStageName(name) {
			// BuildKit accepts these names; the builder keeps them for
			// the empty image and the build context, or refuses them.
			alt := fmt.Sprintf("stage-%d", i)
			for n := 0; used[alt]; n++ {
				alt = fmt.Sprintf("stage-%d-%d", i, n)
			}
			used[alt] = true
			w.prog.Warnings = append(w.prog.Warnings, Warning{Line: lineOf(st.Location), Message: fmt.Sprintf(
				"stage name %q is not a stage name of the builder API: this stage is imported as %q, and what refers to it refers to that stage", name, alt)})
			name = alt
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
		w.prog.Stages = append(w.prog.Stages, Stage{Name: name, Named: st.Name != "", Target: st.Name, Line: lineOf(st.Location)})
	}

	w.globalArgs = map[string]bool{}
	for _, name := range buildKitGlobalArgs {
		w.globalArgs[name] = true
	}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			w.globalArgs[kv.Key] = true
		}
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
		w.current.Err = w.stage(i, st)
		if st.Name != "" {
			w.names[st.Name] = i
		}
	}
	return w.prog, nil
}

// stage maps the FROM and the instructions of stage i.
func (w *walker) stage(i int, st instructions.Stage) error {
	w.line, w.instr = w.current.Line, "FROM"
	if err := w.from(i, st); err != nil {
		return err
	}
	for _, cmd := range st.Commands {
		w.line, w.instr = lineOf(cmd.Location()), strings.ToUpper(cmd.Name())
		if err := w.command(cmd); err != nil {
			return err
		}
	}
	return nil
}

// reservedStageName reports whether BuildKit accepts name for a stage and
// the builder API does not: "scratch" and "context", which the API keeps
// for the empty image and the build context, and names longer than the
// API's 128 bytes.
func reservedStageName(name string) bool {
	return name == "scratch" || name == "context" || len(name) > 128
}

// declaresTargetStage reports whether an ARG declares TARGETSTAGE.
func declaresTargetStage(metaArgs []instructions.ArgCommand, stages []instructions.Stage) bool {
	declares := func(a *instructions.ArgCommand) bool {
		for _, kv := range a.Args {
			if kv.Key == "TARGETSTAGE" {
				return true
			}
		}
		return false
	}
	for i := range metaArgs {
		if declares(&metaArgs[i]) {
			return true
		}
	}
	for _, st := range stages {
		for _, cmd := range st.Commands {
			if a, ok := cmd.(*instructions.ArgCommand); ok && declares(a) {
				return true
			}
		}
	}
	return false
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

// command maps one instruction: ARG, WORKDIR, COPY, ADD and RUN here, and
// the instructions that change only the image config in imageConfig.
func (w *walker) command(cmd instructions.Command) error {
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		calls, err := w.args(*c)
		if err != nil {
			return err
		}
		w.current.Calls = append(w.current.Calls, calls...)
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
			if v == "" {
				// WORKDIR "": BuildKit joins it to the working
				// directory, as it joins ".".
				w.warn("WORKDIR with an empty path keeps the working directory: imported as WORKDIR .")
				v = "."
			}
			w.add("Workdir", v)
		}
	case *instructions.CopyCommand:
		return w.copy(copyArgs{from: c.From, chown: c.Chown, chmod: c.Chmod, link: c.Link, parents: c.Parents,
			exclude: c.ExcludePatterns, sd: c.SourcesAndDest})
	case *instructions.RunCommand:
		return w.run(c)
	case *instructions.AddCommand:
		return w.copy(copyArgs{add: true, unpack: c.Unpack, chown: c.Chown, chmod: c.Chmod, link: c.Link, exclude: c.ExcludePatterns,
			keepGitDir: c.KeepGitDir, checksum: c.Checksum, sd: c.SourcesAndDest})
	default:
		return w.imageConfig(cmd)
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

// Target is a target of a Dockerfile and the stage it selects.
type Target struct {
	// Name is what --target takes; "" for the default target.
	Name string
	// Stage is the index of the stage in Program.Stages.
	Stage int
}

// Targets returns the targets of the Dockerfile: the default target (the
// last stage), then every stage name, which selects the last stage of
// that name, in the order of the Dockerfile.
func (p *Program) Targets() []Target {
	if len(p.Stages) == 0 {
		return nil
	}
	out := []Target{{Stage: len(p.Stages) - 1}}
	seen := map[string]bool{}
	for i := len(p.Stages) - 1; i >= 0; i-- {
		if n := p.Stages[i].Target; n != "" && !seen[n] {
			seen[n] = true
			out = append(out, Target{Name: n, Stage: i})
		}
	}
	slices.SortStableFunc(out[1:], func(a, b Target) int { return a.Stage - b.Stage })
	return out
}

// Uses returns the stages that stage i may use: those its calls refer to,
// every earlier stage when its base is chosen through a build arg, and a
// stage whose name the ONBUILD triggers of its base stage hold (an
// over-approximation: a trigger's text that holds the name).
func (p *Program) Uses(i int) []int {
	var out []int
	var refs func(args []any)
	refs = func(args []any) {
		for _, a := range args {
			switch x := a.(type) {
			case StageRef:
				out = append(out, int(x))
			case Call:
				refs(x.Args)
			}
		}
	}
	st := p.Stages[i]
	for _, c := range st.Calls {
		refs(c.Args)
		switch c.Func {
		case "FromExpand":
			for j := range i {
				out = append(out, j)
			}
		case "FromStage":
			base := p.Stages[c.Args[0].(StageRef)]
			for _, bc := range base.Calls {
				if bc.Func != "OnBuild" {
					continue
				}
				names := triggerSources(bc.Args[0].(string))
				for j, o := range p.Stages {
					if o.Target != "" && slices.Contains(names, strings.ToLower(o.Target)) {
						out = append(out, j)
					}
				}
			}
		}
	}
	return out
}

// triggerSources returns, lowercased, the names an ONBUILD trigger copies
// or mounts from (COPY --from, RUN --mount from=), which the stage that
// runs it finds among its build's stages. A trigger BuildKit's parser
// cannot read names nothing: the build that runs it fails.
func triggerSources(trigger string) []string {
	res, err := parser.Parse(strings.NewReader(trigger + "\n"))
	if err != nil || len(res.AST.Children) == 0 {
		return nil
	}
	var out []string
	for _, f := range res.AST.Children[0].Flags {
		name, v, ok := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if !ok {
			continue
		}
		switch strings.ToLower(name) {
		case "from":
			out = append(out, strings.ToLower(v))
		case "mount":
			fields, err := csvvalue.Fields(v, nil)
			if err != nil {
				continue
			}
			for _, field := range fields {
				if k, from, ok := strings.Cut(field, "="); ok && strings.EqualFold(k, "from") {
					out = append(out, strings.ToLower(from))
				}
			}
		}
	}
	return out
}
