// Package dockerfile renders the IR of a multi-stage build as a Dockerfile
// that BuildKit's Dockerfile frontend reads back exactly: every value the IR
// holds comes back from BuildKit's parser and shell lexer unchanged, or
// Render fails. It knows nothing of the LLB compiler.
package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/multistage/multistage/internal/ir"
)

// ErrUnsafe is wrapped by every error about a value that cannot be written
// so that BuildKit reads back the same value.
var ErrUnsafe = errors.New("value cannot be rendered safely")

// Error is a problem with one instruction of a stage.
type Error struct {
	Stage       string
	Index       int // index of the instruction in the stage; -1 for FROM
	Instruction string
	Err         error
}

func (e *Error) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("stage %q: %s: %v", e.Stage, e.Instruction, e.Err)
	}
	return fmt.Sprintf("stage %q: instruction %d (%s): %v", e.Stage, e.Index+1, e.Instruction, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Render renders m as a Dockerfile: an optional "# syntax=" line, the build
// args declared before the first stage, then the stages, separated by blank
// lines. The output is canonical: the same IR gives the same bytes.
//
// Literal values are escaped or quoted so that BuildKit reads them back
// unchanged; values with Expand set reach BuildKit's shell lexer as they
// are, to be expanded as the compiler expands them. A value that cannot be
// written so is reported with an [*Error] wrapping [ErrUnsafe]; Render
// reports every such problem, joined with [errors.Join].
func Render(m *ir.Build) ([]byte, error) {
	if m == nil {
		return nil, unsafef("nil build")
	}
	r := &renderer{m: m}
	r.render()
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return r.out.Bytes(), nil
}

// stageName is BuildKit's rule for stage names (instructions/parse.go).
var stageName = regexp.MustCompile(`^[a-z][a-z0-9\-_.]*$`)

// renderer renders one build, collecting every problem it finds.
type renderer struct {
	m     *ir.Build
	out   bytes.Buffer
	errs  []error
	names map[string]int // stage names, to their index
	stage int            // the stage being rendered
}

// emit writes one instruction, or records why it cannot be written.
func (r *renderer) emit(text string, err error, where func(error) error) {
	if err == nil {
		err = checkLines(text)
	}
	if err != nil {
		r.errs = append(r.errs, where(err))
		return
	}
	r.out.WriteString(text)
	r.out.WriteByte('\n')
}

// checkLines refuses an instruction with a line that BuildKit's parser
// cannot read.
func checkLines(text string) error {
	for line := range strings.SplitSeq(text, "\n") {
		if len(line) > maxLine {
			return unsafef("a line of %d bytes is longer than the %d bytes BuildKit reads", len(line), maxLine)
		}
	}
	return nil
}

// render writes the header and the stages.
func (r *renderer) render() {
	m := r.m
	if len(m.Stages) == 0 {
		r.errs = append(r.errs, unsafef("no stages"))
		return
	}
	r.names = make(map[string]int, len(m.Stages))
	for i, st := range m.Stages {
		if st == nil {
			r.errs = append(r.errs, unsafef("stage %d is nil", i))
			return
		}
		if _, dup := r.names[st.Name]; dup {
			r.errs = append(r.errs, &Error{Stage: st.Name, Index: -1, Instruction: "FROM", Err: unsafef("duplicate stage name")})
		}
		r.names[st.Name] = i
	}

	global := func(what string) func(error) error {
		return func(err error) error { return fmt.Errorf("%s: %w", what, err) }
	}
	if m.Syntax != "" {
		err := checkFlag("syntax", m.Syntax, "")
		r.emit("# syntax="+m.Syntax, err, global("syntax directive"))
	}
	for _, a := range m.Args {
		line, err := argLine(a)
		r.emit(line, err, global("ARG before the first stage"))
	}
	if len(m.Args) > 0 {
		r.out.WriteByte('\n')
	}
	for i, st := range m.Stages {
		if i > 0 {
			r.out.WriteByte('\n')
		}
		r.stage = i
		r.renderStage(st)
	}
}

// renderStage writes the FROM line and the instructions of a stage.
func (r *renderer) renderStage(st *ir.Stage) {
	from, err := r.from(st)
	r.emit(from, err, func(err error) error {
		return &Error{Stage: st.Name, Index: -1, Instruction: "FROM", Err: err}
	})
	for i, in := range st.Instructions {
		text, err := r.instruction(in)
		r.emit(text, err, func(err error) error {
			return &Error{Stage: st.Name, Index: i, Instruction: ir.Name(in), Err: err}
		})
	}
}

// from renders FROM [--platform=P] base AS name.
func (r *renderer) from(st *ir.Stage) (string, error) {
	if !stageName.MatchString(st.Name) || st.Name == "scratch" {
		return "", unsafef("stage name %q must match %s and not be scratch", st.Name, stageName)
	}
	var b strings.Builder
	b.WriteString("FROM ")
	if st.Platform != "" {
		// The platform is expanded with the build args: '$' stays live.
		if err := checkFlag("platform", st.Platform, ",="); err != nil {
			return "", err
		}
		b.WriteString("--platform=" + st.Platform + " ")
	}
	base, err := r.source(st.Base, "base", true)
	if err != nil {
		return "", err
	}
	b.WriteString(base + " AS " + st.Name)
	return b.String(), nil
}

// source renders how FROM, COPY --from and RUN --mount from= name a source
// other than the build context: an earlier stage by its name, an image by
// its reference. A reference that BuildKit would read as a stage (its name,
// in any case, or a number, which COPY --from reads as a stage index) is
// refused. Only FROM expands a reference.
func (r *renderer) source(src ir.Source, what string, expandable bool) (string, error) {
	if src.Stage >= 0 {
		if src.Stage >= r.stage || src.Image != "" {
			return "", unsafef("%s: stage %d is not an earlier stage", what, src.Stage)
		}
		return r.m.Stages[src.Stage].Name, nil
	}
	ref := src.Image
	forbid := ",=$"
	if src.ExpandImage {
		if !expandable {
			return "", unsafef("%s: image %q cannot be expanded here", what, ref)
		}
		forbid = ",="
	}
	if src.ExpandImage && strings.ContainsAny(ref, `"'`) {
		// FROM is no flag: the parser splits it at white space and the
		// lexer reads the word, quotes and all (FROM alpine:"${TAG}").
		if !IsWord(ref) {
			return "", unsafef("%s image %q has quotes but is not a single, complete shell word", what, ref)
		}
		if err := checkFlag(what+" image", strings.NewReplacer(`"`, "", "'", "").Replace(ref), forbid); err != nil {
			return "", err
		}
	} else if err := checkFlag(what+" image", ref, forbid); err != nil {
		return "", err
	}
	if ref[0] == '-' {
		return "", unsafef("%s: image %q starts with '-'", what, ref)
	}
	if j, ok := r.names[strings.ToLower(ref)]; ok {
		return "", unsafef("%s: image %q would be read as stage %d", what, ref, j)
	}
	if _, err := strconv.Atoi(ref); err == nil {
		return "", unsafef("%s: image %q would be read as a stage index", what, ref)
	}
	return ref, nil
}

// instruction renders one instruction, possibly on several lines.
func (r *renderer) instruction(in ir.Instruction) (string, error) {
	switch x := in.(type) {
	case *ir.Workdir:
		w, err := word(x.Path, x.Expand)
		return "WORKDIR " + w, err
	case *ir.Env:
		if err := checkWordName("env key", x.Key); err != nil {
			return "", err
		}
		v, err := value(x.Value, x.Expand)
		return "ENV " + x.Key + "=" + v, err
	case *ir.ArgDecl:
		return argLine(x.Arg)
	case *ir.User:
		w, err := word(x.User, x.Expand)
		return "USER " + w, err
	case *ir.Label:
		return r.instruction(&ir.LabelGroup{Labels: []ir.Label{*x}})
	case *ir.EnvGroup:
		return envGroup(x)
	case *ir.LabelGroup:
		if len(x.Labels) == 0 {
			return "", unsafef("LABEL without labels")
		}
		words := []string{"LABEL"}
		for _, l := range x.Labels {
			k, err := labelKey(l.Key, l.Expand)
			if err != nil {
				return "", err
			}
			v, err := value(l.Value, l.Expand)
			if err != nil {
				return "", err
			}
			words = append(words, k+"="+v)
		}
		return strings.Join(words, " "), nil
	case *ir.Maintainer:
		if err := checkRestOfLine("maintainer", x.Name); err != nil {
			return "", err
		}
		return "MAINTAINER " + x.Name, nil
	case *ir.OnBuild:
		return onBuild(x)
	case *ir.Expose:
		return expose(x)
	case *ir.Copy:
		return r.copy(x)
	case *ir.Run:
		return r.run(x)
	case *ir.Entrypoint:
		s, err := commandForm("entrypoint", x.Argv, x.Shell)
		return "ENTRYPOINT " + s, err
	case *ir.Cmd:
		s, err := commandForm("cmd", x.Argv, x.Shell)
		return "CMD " + s, err
	case *ir.Shell:
		s, err := execForm(x.Argv)
		return "SHELL " + s, err
	case *ir.StopSignal:
		w, err := word(x.Signal, x.Expand)
		return "STOPSIGNAL " + w, err
	case *ir.Volume:
		return volume(x)
	case *ir.Healthcheck:
		return healthcheck(x)
	}
	return "", unsafef("unknown instruction %T", in)
}

// envGroup renders ENV K1=v1 K2=v2 ...
func envGroup(x *ir.EnvGroup) (string, error) {
	if len(x.Vars) == 0 {
		return "", unsafef("ENV without variables")
	}
	words := []string{"ENV"}
	for _, e := range x.Vars {
		if err := checkWordName("env key", e.Key); err != nil {
			return "", err
		}
		v, err := value(e.Value, e.Expand)
		if err != nil {
			return "", err
		}
		words = append(words, e.Key+"="+v)
	}
	return strings.Join(words, " "), nil
}

// commandForm renders the command of CMD or ENTRYPOINT: a JSON array, or a
// one-line shell command.
func commandForm(what string, argv []string, shell bool) (string, error) {
	if !shell && len(argv) == 0 {
		return "[]", nil // clears it
	}
	if !shell {
		return execForm(argv)
	}
	if len(argv) != 1 {
		return "", unsafef("a shell-form %s needs exactly one command", what)
	}
	if err := checkScript(argv[0]); err != nil {
		return "", err
	}
	if err := checkRestOfLine(what, argv[0]); err != nil {
		return "", err
	}
	if ir.ParsedAsJSON(argv[0]) {
		return "", unsafef("shell-form %s %q would be read as a JSON array", what, short(argv[0]))
	}
	return argv[0], nil
}

// checkRestOfLine accepts a value written as the rest of a line, as it is:
// one line, without white space at either end (the parser trims it) nor
// '\' at the end (a continuation).
func checkRestOfLine(what, v string) error {
	if v == "" {
		return unsafef("empty %s", what)
	}
	if err := checkText(v); err != nil {
		return err
	}
	if strings.TrimSpace(v) != v || strings.HasSuffix(v, `\`) || strings.HasPrefix(v, "--") {
		return unsafef("%s %q must not start or end with white space, start with \"--\" (a flag) nor end with '\\'", what, short(v))
	}
	return nil
}

// onBuild renders ONBUILD and the instruction, which BuildKit's parser must
// read back as written.
func onBuild(x *ir.OnBuild) (string, error) {
	if err := checkRestOfLine("onbuild instruction", x.Expression); err != nil {
		return "", err
	}
	line := "ONBUILD " + x.Expression
	res, err := parser.Parse(strings.NewReader(line + "\n"))
	if err != nil || len(res.AST.Children) != 1 {
		return "", unsafef("%q is not read as one instruction: %v", short(line), err)
	}
	parsed, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], linter.New(&linter.Config{}))
	if err != nil {
		return "", unsafef("%q: %v", short(line), err)
	}
	if ob, ok := parsed.(*instructions.OnbuildCommand); !ok || ob.Expression != x.Expression {
		return "", unsafef("%q is not read back as written", short(line))
	}
	return line, nil
}

// value renders an ENV, LABEL or ARG value, which BuildKit reads as the
// part of a word after the first '='.
func value(v string, expand bool) (string, error) {
	if expand {
		return template(v)
	}
	if err := checkText(v); err != nil {
		return "", err
	}
	return literal(v), nil
}

// word renders the single word of WORKDIR, USER and STOPSIGNAL, which
// BuildKit reads as the rest of the line.
func word(v string, expand bool) (string, error) {
	if v == "" {
		return "", unsafef("empty value")
	}
	return value(v, expand)
}

// argLine renders ARG NAME or ARG NAME=default.
func argLine(a ir.Arg) (string, error) {
	if err := checkArgName(a.Name); err != nil {
		return "", err
	}
	if a.Default == nil {
		return "ARG " + a.Name, nil
	}
	v, err := value(*a.Default, a.Expand)
	return "ARG " + a.Name + "=" + v, err
}

// expose renders EXPOSE port, EXPOSE port/udp or EXPOSE port/sctp, or
// EXPOSE and the word of an expanded spec, which the parser splits at any
// white space, quoted or not, and the lexer then reads as the compiler
// does.
func expose(x *ir.Expose) (string, error) {
	if x.Expand {
		if err := checkText(x.Spec); err != nil {
			return "", err
		}
		if strings.IndexFunc(x.Spec, unicode.IsSpace) >= 0 || !IsWord(x.Spec) {
			return "", unsafef("EXPOSE %q is not one word without white space", short(x.Spec))
		}
		return "EXPOSE " + x.Spec, nil
	}
	if x.Port < 1 || x.Port > 65535 {
		return "", unsafef("port %d is outside 1-65535", x.Port)
	}
	switch x.Proto {
	case "tcp":
		return "EXPOSE " + strconv.Itoa(x.Port), nil
	case "udp", "sctp":
		return "EXPOSE " + strconv.Itoa(x.Port) + "/" + x.Proto, nil
	}
	return "", unsafef("protocol %q is not tcp, udp or sctp", x.Proto)
}

// volume renders VOLUME as a JSON array. BuildKit trims each path before
// expanding it, so a path with white space at either end is double-quoted
// inside its JSON string.
func volume(x *ir.Volume) (string, error) {
	if len(x.Paths) == 0 {
		return "", unsafef("no paths")
	}
	elems := make([]string, len(x.Paths))
	for i, p := range x.Paths {
		if p == "" {
			return "", unsafef("empty path")
		}
		if err := checkText(p); err != nil {
			return "", err
		}
		if x.Expand {
			// The lexer reads the JSON string, trimmed, as the word the
			// compiler expands.
			if strings.TrimSpace(p) != p || !IsWord(p) && strings.ContainsAny(p, `"'\`) {
				return "", unsafef("volume %q to expand has white space at an end, or quotes or backslashes but is not one shell word", short(p))
			}
			elems[i] = p
			continue
		}
		e := escape(p, unquoted)
		if strings.TrimSpace(e) != e {
			e = quote(p)
		}
		elems[i] = e
	}
	return "VOLUME " + jsonArray(elems), nil
}

// copy renders COPY (or ADD) [--from=S] [--chown=U] [--chmod=M] [--link]
// [--parents] [--exclude=P]... [--checksum=C] [--keep-git-dir=B] src...
// [<<NAME...] dst, and the heredocs of its contents.
func (r *renderer) copy(cp *ir.Copy) (string, error) {
	words := []string{"COPY"}
	if cp.Add {
		words[0] = "ADD"
		if !cp.From.IsContext() || cp.Parents {
			return "", unsafef("ADD has no --from or --parents")
		}
	} else if cp.Checksum != "" || cp.KeepGitDir != nil || cp.Unpack != nil {
		return "", unsafef("COPY has no --checksum, --keep-git-dir or --unpack")
	}
	if !cp.From.IsContext() {
		from, err := r.source(cp.From, "--from", false)
		if err != nil {
			return "", err
		}
		words = append(words, "--from="+from)
	}
	// BuildKit always expands --chown, --chmod and --checksum.
	forbid := ",=$"
	if cp.Expand {
		forbid = ",="
	}
	if cp.Chown != "" {
		if err := checkFlag("--chown", cp.Chown, forbid); err != nil {
			return "", err
		}
		words = append(words, "--chown="+cp.Chown)
	}
	if cp.Chmod != "" {
		_, err := strconv.ParseUint(cp.Chmod, 8, 32)
		if err != nil && !ir.SymbolicMode.MatchString(cp.Chmod) && !(cp.Expand && modeTemplate.MatchString(cp.Chmod)) {
			return "", unsafef("--chmod %q is not an octal or symbolic mode", short(cp.Chmod))
		}
		words = append(words, "--chmod="+cp.Chmod)
	}
	if cp.Link {
		words = append(words, "--link")
	}
	if cp.Parents {
		words = append(words, "--parents")
	}
	for _, p := range cp.Exclude {
		// Exclude patterns are not expanded.
		if err := checkFlag("--exclude", p, ""); err != nil {
			return "", err
		}
		words = append(words, "--exclude="+p)
	}
	if cp.Checksum != "" {
		if err := checkFlag("--checksum", cp.Checksum, forbid); err != nil {
			return "", err
		}
		words = append(words, "--checksum="+cp.Checksum)
	}
	if cp.KeepGitDir != nil {
		words = append(words, "--keep-git-dir="+strconv.FormatBool(*cp.KeepGitDir))
	}
	if cp.Unpack != nil {
		words = append(words, "--unpack="+strconv.FormatBool(*cp.Unpack))
	}
	if len(cp.Sources) == 0 && len(cp.Contents) == 0 {
		return "", unsafef("no sources")
	}
	if len(cp.Contents) > 0 {
		return contentCopy(words, cp)
	}
	paths, err := copyPaths(append(slices.Clone(cp.Sources), cp.Dest), cp.Expand)
	if err != nil {
		return "", err
	}
	return strings.Join(append(words, paths), " "), nil
}

// modeTemplate is a --chmod value of an expanded copy that refers to
// variables, checked as a mode once expanded.
var modeTemplate = regexp.MustCompile(`^[A-Za-z0-9_${}+=,-]*\$[A-Za-z0-9_${}+=,-]*$`)

// heredocName is a heredoc delimiter that needs no quoting.
var heredocName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// contentCopy renders a COPY or ADD with heredoc sources: the paths as
// whitespace-separated words, a <<'NAME' word per content (<<NAME, whose
// content BuildKit expands, with Expand), the destination, and then each
// content followed by its delimiter line.
func contentCopy(words []string, cp *ir.Copy) (string, error) {
	for _, p := range cp.Sources {
		w, err := copyWord(p, cp.Expand)
		if err != nil {
			return "", err
		}
		words = append(words, w)
	}
	var body strings.Builder
	seen := map[string]bool{}
	for _, c := range cp.Contents {
		if !heredocName.MatchString(c.Name) || seen[c.Name] {
			return "", unsafef("heredoc name %q is not a unique word of letters, digits, '_', '.' and '-'", short(c.Name))
		}
		seen[c.Name] = true
		if err := checkContent(c); err != nil {
			return "", err
		}
		if cp.Expand {
			words = append(words, "<<"+c.Name)
		} else {
			words = append(words, "<<'"+c.Name+"'")
		}
		body.WriteString("\n")
		body.WriteString(c.Data)
		body.WriteString(c.Name)
	}
	dst, err := copyWord(cp.Dest, cp.Expand)
	if err != nil {
		return "", err
	}
	return strings.Join(append(words, dst), " ") + body.String(), nil
}

// copyWord renders a path of a COPY with heredocs as a word of the
// whitespace-separated form: plain, escaped for the lexer, or, to be
// expanded, as it is.
func copyWord(p string, expand bool) (string, error) {
	if p == "" {
		return "", unsafef("empty path")
	}
	if err := checkText(p); err != nil {
		return "", err
	}
	if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
		return "", unsafef("path %q of a COPY with heredocs contains white space", short(p))
	}
	if isPlainPath(p, expand) {
		return p, nil
	}
	if expand {
		return "", unsafef("path %q of a COPY with heredocs to expand is not plain", short(p))
	}
	if e := escape(p, unquoted); e[0] != '-' {
		return e, nil
	}
	// A word starting with "--" would be read as a flag.
	return `\` + escape(p, unquoted), nil
}

// checkContent refuses heredoc content that BuildKit would not read back:
// it must be empty or end with a newline, hold no line that is the
// delimiter, and no NUL or carriage return.
func checkContent(c ir.Content) error {
	if c.Data == "" {
		return nil
	}
	if !utf8.ValidString(c.Data) || strings.ContainsAny(c.Data, "\x00\r") {
		return unsafef("heredoc %s is not valid UTF-8 or contains NUL or a carriage return", c.Name)
	}
	if !strings.HasSuffix(c.Data, "\n") {
		return unsafef("heredoc %s does not end with a newline", c.Name)
	}
	for line := range strings.SplitSeq(strings.TrimSuffix(c.Data, "\n"), "\n") {
		if line == c.Name {
			return unsafef("heredoc %s has a line that is its delimiter", c.Name)
		}
	}
	return nil
}

// copyPaths renders the sources and the destination of a COPY: bare words
// when they all are plain, otherwise a JSON array, whose strings BuildKit
// still gives to the shell lexer. Literal paths are escaped for the lexer;
// paths to expand are written as they are, and refused when BuildKit would
// read them as a heredoc.
func copyPaths(paths []string, expand bool) (string, error) {
	plain := true
	for _, p := range paths {
		if p == "" {
			return "", unsafef("empty path")
		}
		if err := checkText(p); err != nil {
			return "", err
		}
		plain = plain && isPlainPath(p, expand)
	}
	if plain {
		return strings.Join(paths, " "), nil
	}
	elems := make([]string, len(paths))
	for i, p := range paths {
		switch {
		case !expand:
			elems[i] = escape(p, unquoted)
		case heredocWord.MatchString(p):
			return "", unsafef("path %q would be read as a heredoc", short(p))
		default:
			elems[i] = p
		}
	}
	return jsonArray(elems), nil
}

// run renders RUN [--mount=...]... [--network=N] [--security=S] and the
// command: exec form as a JSON array, shell form on the line when it can
// be, else as a heredoc (see ir.ScriptNeedsHeredoc).
func (r *renderer) run(x *ir.Run) (string, error) {
	words := []string{"RUN"}
	for _, m := range x.Mounts {
		f, err := r.mount(m)
		if err != nil {
			return "", err
		}
		words = append(words, "--mount="+f)
	}
	switch x.Network {
	case "":
	case "default", "none", "host":
		words = append(words, "--network="+x.Network)
	default:
		return "", unsafef("network %q", short(x.Network))
	}
	switch x.Security {
	case "":
	case "sandbox", "insecure":
		words = append(words, "--security="+x.Security)
	default:
		return "", unsafef("security %q", short(x.Security))
	}
	for _, d := range x.Devices {
		f, err := device(d)
		if err != nil {
			return "", err
		}
		words = append(words, "--device="+f)
	}
	if !x.Shell {
		if x.Command != "" {
			return "", unsafef("exec-form RUN with a shell command")
		}
		s, err := execForm(x.Argv)
		return strings.Join(append(words, s), " "), err
	}
	if len(x.Argv) > 0 {
		return "", unsafef("shell-form RUN with exec-form arguments")
	}
	cmd := x.Command
	if err := checkScript(cmd); err != nil {
		return "", err
	}
	if x.Heredoc {
		// Written as it is: BuildKit must read back the same command.
		if _, err := ir.ParseHeredocRun(cmd); err != nil {
			return "", unsafef("RUN with here-documents %q: %v", short(cmd), err)
		}
		if ir.RunFlagEnd(cmd) {
			words = append(words, "--")
		}
		return strings.Join(append(words, cmd), " "), nil
	}
	if !ir.ScriptNeedsHeredoc(cmd) {
		if ir.RunFlagEnd(cmd) {
			words = append(words, "--")
		}
		return strings.Join(append(words, cmd), " "), nil
	}
	if strings.HasPrefix(cmd, "#!") {
		// BuildKit runs a heredoc that starts with #! as a script file,
		// not with the stage's shell.
		return "", unsafef("a command written as a heredoc may not start with #!")
	}
	delim := heredocDelimiter(cmd)
	return strings.Join(append(words, "<<'"+delim+"'"), " ") + "\n" + cmd + "\n" + delim, nil
}

// heredocDelimiter picks the first of EOF, EOF1, EOF2, ... that is not a
// line of the script.
func heredocDelimiter(script string) string {
	lines := strings.Split(script, "\n")
	d := "EOF"
	for i := 1; slices.Contains(lines, d); i++ {
		d = "EOF" + strconv.Itoa(i)
	}
	return d
}

// mountField is a field of a RUN --mount, as a bit set of the fields a
// mount uses or its type allows.
type mountField uint

const (
	mountTarget mountField = 1 << iota
	mountFrom
	mountSource
	mountReadWrite
	mountReadOnly
	mountID
	mountSharing
	mountOwner // uid, gid, mode
	mountRequired
	mountEnv
	mountSize
)

// mountFields are the fields BuildKit accepts for each type of mount
// (instructions/commands_runmount.go) and the IR gives a meaning to.
var mountFields = map[ir.MountType]mountField{
	ir.MountBind:   mountTarget | mountFrom | mountSource | mountReadWrite,
	ir.MountCache:  mountTarget | mountFrom | mountSource | mountReadOnly | mountID | mountSharing | mountOwner,
	ir.MountTmpfs:  mountTarget | mountSize,
	ir.MountSecret: mountTarget | mountID | mountOwner | mountRequired | mountEnv,
	ir.MountSSH:    mountTarget | mountID | mountOwner | mountRequired,
}

// maxExactSize is the largest tmpfs size that BuildKit reads back exactly:
// it parses sizes as float64.
const maxExactSize = 1 << 53

// mount renders the value of a RUN --mount flag: type=T,key=value,...
// BuildKit reads it as CSV and expands each value, so values are refused,
// not escaped, when they contain ',', '=', '$', quotes or '\'. A field that
// the mount type does not have is refused rather than dropped.
func (r *renderer) mount(m ir.Mount) (string, error) {
	allowed, ok := mountFields[m.Type]
	if !ok {
		return "", unsafef("mount type %q", short(string(m.Type)))
	}
	for _, f := range []struct {
		set   bool
		field mountField
		name  string
	}{
		{m.Target != "", mountTarget, "target"},
		{!m.From.IsContext(), mountFrom, "from"},
		{m.Source != "", mountSource, "source"},
		{m.ReadWrite, mountReadWrite, "rw"},
		{m.ReadOnly, mountReadOnly, "readonly"},
		{m.ID != "", mountID, "id"},
		{m.Sharing != "", mountSharing, "sharing"},
		{m.UID != nil || m.GID != nil || m.Mode != nil, mountOwner, "uid, gid or mode"},
		{m.Required, mountRequired, "required"},
		{m.Env != "", mountEnv, "env"},
		{m.Size != 0, mountSize, "size"},
	} {
		if f.set && allowed&f.field == 0 {
			return "", unsafef("a %s mount has no %s", m.Type, f.name)
		}
	}
	switch {
	case m.Type != ir.MountSecret && m.Type != ir.MountSSH && m.Target == "":
		return "", unsafef("a %s mount needs a target", m.Type)
	case m.Type == ir.MountSecret && m.ID == "" && m.Target == "":
		return "", unsafef("a secret mount needs an id or a target")
	}
	switch m.Sharing {
	case "", "shared", "private", "locked":
	default:
		return "", unsafef("sharing %q", short(m.Sharing))
	}

	// The string fields, in the order they are written: a secret or an
	// ssh agent is named by its id first.
	strs := [][2]string{{"target", m.Target}, {"id", m.ID}}
	if m.Type == ir.MountSecret || m.Type == ir.MountSSH {
		strs[0], strs[1] = strs[1], strs[0]
	}
	strs = append(strs, [2]string{"sharing", m.Sharing})
	if !m.From.IsContext() {
		from, err := r.source(m.From, "mount from", false)
		if err != nil {
			return "", err
		}
		strs = append(strs, [2]string{"from", from})
	}
	strs = append(strs, [2]string{"source", m.Source})

	fields := []string{"type=" + string(m.Type)}
	for _, kv := range strs {
		if kv[1] == "" {
			continue
		}
		// BuildKit expands every value: '$' stays live in the fields that
		// Expand covers.
		forbid := ",=$"
		if m.Expand && kv[0] != "sharing" && kv[0] != "from" {
			forbid = ",="
		}
		if err := checkFlag("mount "+kv[0], kv[1], forbid); err != nil {
			return "", err
		}
		fields = append(fields, kv[0]+"="+kv[1])
	}
	if m.ReadWrite {
		fields = append(fields, "rw")
	}
	if m.ReadOnly {
		fields = append(fields, "readonly")
	}
	if m.Env != "" {
		if err := checkName("secret env", m.Env); err != nil {
			return "", err
		}
		fields = append(fields, "env="+m.Env)
	}
	if m.Required {
		fields = append(fields, "required")
	}
	if m.UID != nil {
		fields = append(fields, "uid="+strconv.FormatUint(uint64(*m.UID), 10))
	}
	if m.GID != nil {
		fields = append(fields, "gid="+strconv.FormatUint(uint64(*m.GID), 10))
	}
	if m.Mode != nil {
		fields = append(fields, fmt.Sprintf("mode=%04o", *m.Mode))
	}
	if m.Size != 0 {
		if m.Size < 0 || m.Size > maxExactSize {
			return "", unsafef("tmpfs size %d is outside 1-%d", m.Size, int64(maxExactSize))
		}
		fields = append(fields, "size="+strconv.FormatInt(m.Size, 10))
	}
	// Last, so that they override the fields above, as in the compiler.
	for _, v := range m.Vars {
		if !ir.MountVarApplies(m.Type, v.Key) {
			return "", unsafef("a %s mount has no %s", m.Type, short(v.Key))
		}
		if err := checkFlag("mount "+v.Key, v.Word, ",="); err != nil {
			return "", err
		}
		if err := Lexes(v.Word); err != nil {
			return "", unsafef("mount %s %q: %v", v.Key, short(v.Word), err)
		}
		fields = append(fields, v.Key+"="+v.Word)
	}
	return strings.Join(fields, ","), nil
}

// healthcheck renders HEALTHCHECK NONE, or HEALTHCHECK [flags] CMD and the
// test: a JSON array, or a one-line shell command.
func healthcheck(h *ir.Healthcheck) (string, error) {
	if h.None {
		if h.Shell || len(h.Test) > 0 || h.Interval != 0 || h.Timeout != 0 || h.StartPeriod != 0 || h.StartInterval != 0 || h.Retries != 0 {
			return "", unsafef("HEALTHCHECK NONE with a test or options")
		}
		return "HEALTHCHECK NONE", nil
	}
	words := []string{"HEALTHCHECK"}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"interval", h.Interval},
		{"timeout", h.Timeout},
		{"start-period", h.StartPeriod},
		{"start-interval", h.StartInterval},
	} {
		switch {
		case d.v == 0:
		case d.v < time.Millisecond:
			// BuildKit refuses durations below 1ms, except 0 (the default).
			return "", unsafef("--%s %v is below 1ms", d.name, d.v)
		default:
			// Duration.String prints ms, s, m and h only from 1ms up, and
			// time.ParseDuration reads it back exactly.
			words = append(words, "--"+d.name+"="+d.v.String())
		}
	}
	switch {
	case h.Retries < 0 || h.Retries > math.MaxInt32:
		return "", unsafef("--retries %d is outside 0-%d", h.Retries, math.MaxInt32)
	case h.Retries > 0:
		words = append(words, "--retries="+strconv.Itoa(h.Retries))
	}
	if !h.Shell {
		s, err := execForm(h.Test)
		return strings.Join(append(words, "CMD", s), " "), err
	}
	if len(h.Test) != 1 {
		return "", unsafef("a shell healthcheck needs exactly one command")
	}
	cmd := h.Test[0]
	if err := checkScript(cmd); err != nil {
		return "", err
	}
	// HEALTHCHECK has no heredoc: the command is the rest of the line, which
	// the parser trims, continues when it ends with '\', and reads as JSON
	// when it is one. ("<<" and a leading '-' are fine after CMD.)
	if strings.Contains(cmd, "\n") || strings.TrimSpace(cmd) != cmd || ir.ParsedAsJSON(cmd) || strings.HasSuffix(cmd, `\`) {
		return "", unsafef("shell healthcheck %q must be one line, without white space at either end, not be a JSON array nor end with '\\'", short(cmd))
	}
	return strings.Join(append(words, "CMD", cmd), " "), nil
}

// device renders the value of RUN --device: the name, and ",required".
// BuildKit reads it as CSV fields (instructions.ParseDevice), where a
// first field "required", "required=..." or "name=..." means something
// else: such a name is written as name=<name>.
func device(d ir.Device) (string, error) {
	if err := checkFlag("device", d.Name, ","); err != nil {
		return "", err
	}
	v := d.Name
	key, _, _ := strings.Cut(strings.ToLower(d.Name), "=")
	if key == "name" || key == "required" {
		v = "name=" + v
	}
	if d.Required {
		v += ",required"
	}
	return v, nil
}
