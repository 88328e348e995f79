package multistage

import (
	"bufio"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/sys/signal"
	"github.com/multistage/multistage/internal/dockerfile"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
	mode "github.com/tonistiigi/dchapes-mode"
)

// What is refused where, and why.
//
// Every string a caller passes is checked here, when the method is called,
// and a value is refused rather than written so that BuildKit reads back
// something else. The renderer (internal/dockerfile) quotes and escapes
// everything these checks accept; the hostile-input table and the fuzz
// targets (hostile_test.go, fuzz_test.go) prove, through BuildKit's own
// parser and shell lexer, that BuildKit reads back exactly the value
// given, and that Validate, Dockerfile and Compile accept and refuse the
// same values.
//
// BuildKit reads a Dockerfile in three passes: its parser splits the file
// into lines of at most 64 KiB, reads the words at the start of a line that
// begin with "--" as flags (a byte at a time, dropping quotes and
// backslashes), and reads a heredoc after RUN and COPY; each instruction
// splits the rest of its line; and its shell lexer removes quotes and
// backslashes and expands '$'. So:
//
//   - Everywhere: invalid UTF-8 (the lexer reads runes and would read
//     U+FFFD) and NUL (no exec call, path or environment carries one) are
//     refused with [ErrUnsafeValue].
//   - Values written on one line, quoted and escaped (ENV, LABEL and ARG
//     values, WORKDIR, USER, COPY sources and destinations, VOLUME paths)
//     may hold anything else but '\n' and '\r', for which a Dockerfile has
//     no escape inside a word ([ErrUnsafeValue]). '$', quotes, '\', '#',
//     "<<", a leading '-' and white space of any kind are fine: they are
//     escaped or quoted, and stay literal. Paths, users and volumes must not
//     be empty ([ErrInvalidValue]).
//   - Exec-form arguments ([Stage.RunExec], [Stage.Entrypoint], [Stage.Cmd],
//     [Stage.Shell], [Stage.Healthcheck]) are written as JSON, which carries
//     anything else, line breaks included. The first must not be empty
//     ([ErrEmptyCommand]).
//   - Shell-form [Stage.Run] commands reach the shell byte for byte. One
//     that the parser would change on the RUN line (it spans lines,
//     contains "<<", starts with '-' or white space, is a JSON array, or
//     ends with '\' or white space) is written as a heredoc, and then must not start with
//     "#!": BuildKit would run it as a script file, not with the stage's
//     shell. '\r' is refused: the parser drops it at the end of a line.
//   - [Stage.HealthcheckShell] has no heredoc: it must be one line, with no
//     white space at either end, not be a JSON array (exec form) nor end with
//     '\' (a continuation) ([ErrUnsafeValue]).
//   - Names are checked, never escaped: stage names match BuildKit's
//     ^[a-z][a-z0-9-_.]*$, are not "scratch" or "context" and are at most
//     128 bytes ([ErrInvalidStageName]); env keys, arg names and secret env
//     names match ^[A-Za-z_][A-Za-z0-9_]*$ ([ErrInvalidValue]), except
//     arg names, which are printable ASCII without white space, quotes,
//     '\\', '=', '$' or '`' that does not start with '-', as BuildKit
//     declares the words of ARG X=1 # a comment ([ErrInvalidValue]); label keys
//     are one line without '=' ([ErrUnsafeValue]), and are quoted when they
//     are not plain (LABEL "my key"=value).
//   - Flag values, written inside "--flag=" (mount targets, ids and
//     sources, [Chown], [Exclude] patterns, [Stage.Platform]), are
//     printable ASCII without white space, quotes or '\': the parser reads
//     flags a byte at a time, so any other character would change. --mount
//     and --chown values also have no ',' (a new CSV field), '=', '$'
//     (BuildKit expands them) or '`' ([ErrUnsafeValue]). Bind, cache and
//     tmpfs mounts may not target "/" ([ErrInvalidValue]); a relative
//     target is joined to the working directory, as BuildKit joins it, and
//     Compile refuses one that comes out as "/" there.
//   - Image references must parse with distribution/reference (lowercase
//     repository, no white space, ...; [ErrInvalidImageRef]); a reference
//     that BuildKit would read as a stage (a stage's name, or a number) is
//     written fully qualified. [Stage.FromExpand] takes a flag value that
//     does not start with '-'; the expanded reference is checked by Compile
//     (and BuildKit).
//   - Templates ([Stage.EnvExpand], [Stage.WorkdirExpand], [Stage.ArgExpand],
//     [Build.ArgExpand]) reach BuildKit's lexer as the word the compiler
//     lexes: one with a quote, a '\' or a leading U+FEFF must be a single
//     complete shell word (balanced quotes, no white space outside them, no
//     '\' at the end, no leading '-'). A COPY path with [Expand] must not
//     start with "<<", which BuildKit reads as a heredoc ([ErrUnsafeValue]).
//     Templates in words that BuildKit's parser splits at any white space
//     ([Stage.ExposeExpand], the key of [Stage.LabelExpand],
//     [Stage.StopSignalExpand]) have none; [Stage.VolumeExpand] paths have
//     none at either end (BuildKit trims them). Templates written inside a
//     flag ([Chown] and [ChmodSymbolic] with [Expand], [MountOptionExpand])
//     follow the flag rules above, '$' aside. Every template must lex: an
//     unclosed "${" or a bad modifier is refused ([ErrInvalidValue]).
//   - Values written as the rest of a line, as they are ([Stage.Maintainer],
//     [Stage.OnBuild], [Stage.CmdShell], [Stage.EntrypointShell]): one line,
//     not empty, no white space at either end (the parser trims it), no '\'
//     at the end (a continuation), no leading "--" (a flag); a shell-form
//     CMD or ENTRYPOINT may not be a JSON array (read as the exec form;
//     "[ -f x ] && y" is fine). ONBUILD must parse as one instruction, not
//     ONBUILD, FROM or MAINTAINER.
//   - Here-documents ([Stage.CopyContent], [MoreContent], [Stage.RunHeredoc]):
//     the content is read raw up to its delimiter line, so it must be empty
//     or end with a newline, and hold no line equal to the delimiter, no NUL
//     and no '\r'; a RunHeredoc command must read back exactly, with at
//     least one here-document. Copies with heredoc sources have paths
//     without white space.
//   - [Checksum] of a URL must be a digest (of git, a commit, which
//     BuildKit checks); [ChmodSymbolic] modes must parse as chmod(1) modes.
//   - Length: every instruction must fit on one Dockerfile line of 64 KiB
//     once quoted and escaped (for a heredoc RUN, every line of the
//     script). The check assumes the worst case of escaping: a value of up
//     to 10 KiB always fits; a 1 MiB value does not, and is refused with
//     [ErrUnsafeValue] by Compile too, so that both backends build the same
//     things.

var (
	stageNameRe = regexp.MustCompile(`^[a-z][a-z0-9\-_.]*$`)
	envKeyRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// heredocRe is a word that BuildKit reads as a heredoc (parser.reHeredoc).
	heredocRe = regexp.MustCompile(`^\d*<<`)
)

const (
	// maxLine is the longest line BuildKit's Dockerfile parser reads: it
	// scans lines with a bufio.Scanner of the default maximum token size,
	// newline included.
	maxLine = bufio.MaxScanTokenSize - 1
	// lineSlack is room on a line for the instruction, flag names,
	// separators, and a stage name or an image reference written fully
	// qualified.
	lineSlack = 1024
	// maxStageName is the longest stage name. BuildKit has no limit, but
	// a stage name is written on FROM lines and in --from flags.
	maxStageName = 128
	// maxFromWord is the longest platform or FromExpand template, so that a
	// FROM line always fits.
	maxFromWord = 16 << 10
)

func checkStageName(name string) error {
	if !stageNameRe.MatchString(name) {
		return valueError(ErrInvalidStageName, "name", name, "must match ^[a-z][a-z0-9-_.]*$")
	}
	if len(name) > maxStageName {
		return valueError(ErrInvalidStageName, "name", name, fmt.Sprintf("is longer than %d bytes", maxStageName))
	}
	if name == "scratch" || name == "context" {
		return valueError(ErrInvalidStageName, "name", name, "is reserved")
	}
	return nil
}

// checkText accepts any single-line text: no NUL, newline or carriage
// return, valid UTF-8.
func checkText(what, v string) error {
	if !utf8.ValidString(v) {
		return valueError(ErrUnsafeValue, what, v, "is not valid UTF-8")
	}
	if i := strings.IndexAny(v, "\x00\n\r"); i >= 0 {
		return valueError(ErrUnsafeValue, what, v, "contains a NUL, newline or carriage return")
	}
	return nil
}

// checkArgv accepts an exec-form argument list: JSON carries any valid
// UTF-8 string except NUL, which no exec call can pass.
// checkConfigArgv accepts the exec form of ENTRYPOINT and CMD, which the
// image config records as it is: at least one argument, and an empty one
// too (CMD [""] gives the entrypoint an empty argument), as BuildKit takes
// them.
func checkConfigArgv(what string, argv []string) error {
	if len(argv) == 0 {
		return fmt.Errorf("%w: %s []: use the Clear form", ErrEmptyCommand, what)
	}
	return checkArgv(what, append([]string{"x"}, argv...))
}

func checkArgv(what string, argv []string) error {
	if len(argv) == 0 || argv[0] == "" {
		return fmt.Errorf("%w: %s %s: needs at least a program", ErrEmptyCommand, what, quoteList(argv))
	}
	for _, a := range argv {
		if !utf8.ValidString(a) {
			return valueError(ErrUnsafeValue, what, a, "is not valid UTF-8")
		}
		if strings.IndexByte(a, 0) >= 0 {
			return valueError(ErrUnsafeValue, what, a, "contains a NUL byte")
		}
	}
	return nil
}

// checkScript accepts a shell-form command: anything but NUL, carriage
// returns and invalid UTF-8; it must not be blank. A command written as a
// heredoc must not start with "#!".
func checkScript(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return valueError(ErrEmptyCommand, what, v, "is blank")
	}
	if !utf8.ValidString(v) {
		return valueError(ErrUnsafeValue, what, v, "is not valid UTF-8")
	}
	if strings.ContainsAny(v, "\x00\r") {
		return valueError(ErrUnsafeValue, what, v, "contains a NUL or carriage return")
	}
	if ir.ScriptNeedsHeredoc(v) && strings.HasPrefix(v, "#!") {
		return valueError(ErrUnsafeValue, what, v, "is written as a heredoc, which BuildKit runs as a script file, not with the shell, when it starts with #!")
	}
	return nil
}

// checkHealthShell accepts a shell-form healthcheck: HEALTHCHECK has no
// heredoc, so it is the rest of one line, which the parser trims, continues
// when it ends with '\', and reads as the exec form when it is a JSON array.
func checkHealthShell(cmd string) error {
	if err := checkScript("healthcheck", cmd); err != nil {
		return err
	}
	if err := checkText("healthcheck", cmd); err != nil {
		return err
	}
	first, _ := utf8.DecodeRuneInString(cmd)
	last, _ := utf8.DecodeLastRuneInString(cmd)
	if unicode.IsSpace(first) || unicode.IsSpace(last) || ir.ParsedAsJSON(cmd) || last == '\\' {
		return valueError(ErrUnsafeValue, "healthcheck", cmd, "must not start or end with white space, be a JSON array (the exec form) or end with '\\'")
	}
	return nil
}

func checkPath(what, p string) error {
	if p == "" {
		return valueError(ErrInvalidValue, what, p, "is empty")
	}
	return checkText(what, p)
}

// checkTemplate accepts a value that BuildKit's shell lexer is to expand
// (EnvExpand, WorkdirExpand, ArgExpand). The renderer writes it bare,
// double-quoted when it has no quote, '\' or leading U+FEFF, or else as
// it is, so that the frontend lexes the very word the compiler lexes; that
// needs a single complete shell word.
func checkTemplate(what, v string) error {
	if err := checkText(what, v); err != nil {
		return err
	}
	if !strings.ContainsAny(v, `"'\`) && !strings.HasPrefix(v, "\uFEFF") {
		return nil
	}
	if !dockerfile.IsWord(v) {
		return valueError(ErrUnsafeValue, what, v, "has quotes, a '\\' or a leading U+FEFF, and is not a single complete shell word")
	}
	return nil
}

// checkCopyTemplate accepts a COPY path to be expanded: BuildKit reads a
// source path that starts with "<<" as a heredoc, even in JSON form.
func checkCopyTemplate(what, p string) error {
	if err := checkPath(what, p); err != nil {
		return err
	}
	if heredocRe.MatchString(p) {
		return valueError(ErrUnsafeValue, what, p, "would be read as a heredoc")
	}
	return nil
}

// checkArgName accepts an ARG name as BuildKit's parser takes it and its
// lexer reads it back: printable ASCII without white space, quotes, '\\',
// '=', '$' or '`', not starting with "--" (the parser would read it as a
// flag). Names other than ^[A-Za-z_][A-Za-z0-9_]*$ are what BuildKit
// declares for the words of ARG X=1 # a comment, which a Dockerfile never
// expands, but whose values are in the environment of every RUN.
func checkArgName(name string) error { return checkWordName("arg name", name) }

// checkEnvName accepts the key of an ENV by the rule of checkArgName:
// real Dockerfiles set keys such as spring.profiles.active, which no
// shell expands but a program reads from its environment.
func checkEnvName(k string) error { return checkWordName("env key", k) }

// checkWordName is the rule of checkArgName and checkEnvName.
func checkWordName(what, name string) error {
	for _, r := range name {
		if r <= ' ' || r > '~' || strings.ContainsRune("\"'\\=$`", r) {
			return valueError(ErrInvalidValue, what, name, "may only contain printable ASCII without white space, quotes, '\\', '=', '$' or '`'")
		}
	}
	if name == "" || strings.HasPrefix(name, "--") {
		return valueError(ErrInvalidValue, what, name, "is empty or starts with \"--\" (read as a flag)")
	}
	return nil
}

func checkEnvKey(what, k string) error {
	if !envKeyRe.MatchString(k) {
		return valueError(ErrInvalidValue, what, k, "must match ^[A-Za-z_][A-Za-z0-9_]*$")
	}
	return nil
}

// checkLabelKeyTemplate accepts the key of [Stage.LabelExpand]: a label
// key that may refer to variables, which the renderer writes as a
// template.
func checkLabelKeyTemplate(k string) error {
	if err := checkLabelKey(k); err != nil {
		return err
	}
	if err := checkTemplate("label key", k); err != nil {
		return err
	}
	return checkLexes("label key", k)
}

// checkLabelKey accepts any one-line label key without '=': BuildKit
// splits a LABEL word at its first '=', and the renderer quotes a key
// that is not plain (LABEL "my key"=value).
func checkLabelKey(k string) error {
	if k == "" {
		return valueError(ErrInvalidValue, "label key", k, "is empty")
	}
	if err := checkText("label key", k); err != nil {
		return err
	}
	if strings.Contains(k, "=") {
		return valueError(ErrUnsafeValue, "label key", k, "may not contain '=', which would end the key")
	}
	return nil
}

// checkFlagValue checks a value that is written inside a --mount or
// --chown flag (a mount target, a cache id, an owner): BuildKit's parser
// reads flags a byte at a time, dropping quotes and backslashes, and
// BuildKit parses these as CSV and expands them, so only printable ASCII
// without white space, quotes, '\\', ',', '=', '$' or '`' is accepted.
func checkFlagValue(what, v string) error {
	return checkFlagWord(what, v, ",=$`")
}

// checkFlagWord accepts a non-empty flag value of printable ASCII without
// white space, quotes, '\' or the characters in forbid.
// checkExposeSpec accepts the spec of [Stage.ExposeExpand]: one word that
// BuildKit's parser does not split, which its lexer reads.
func checkExposeSpec(spec string) error {
	if spec == "" {
		return valueError(ErrInvalidValue, "port spec", spec, "is empty")
	}
	if err := checkText("port spec", spec); err != nil {
		return err
	}
	if strings.IndexFunc(spec, unicode.IsSpace) >= 0 || !dockerfile.IsWord(spec) {
		return valueError(ErrUnsafeValue, "port spec", spec, "must be one word, with no white space, quotes only around complete parts, no leading '-' and no '\\' at the end")
	}
	if len(spec) > maxFromWord {
		return valueError(ErrUnsafeValue, "port spec", spec, fmt.Sprintf("is longer than %d bytes", maxFromWord))
	}
	return checkLexes("port spec", spec)
}

// checkSignalTemplate accepts the signal of [Stage.StopSignalExpand].
func checkSignalTemplate(sig string) error {
	if strings.TrimSpace(sig) == "" {
		return valueError(ErrInvalidValue, "signal", sig, "is empty")
	}
	if err := checkTemplate("signal", sig); err != nil {
		return err
	}
	if strings.IndexFunc(sig, unicode.IsSpace) >= 0 {
		return valueError(ErrInvalidValue, "signal", sig, "has white space")
	}
	return checkLexes("signal", sig)
}

// checkVolumeTemplate accepts a path of [Stage.VolumeExpand]: BuildKit
// trims it before it expands it.
func checkVolumeTemplate(p string) error {
	if err := checkPath("volume", p); err != nil {
		return err
	}
	if strings.TrimSpace(p) != p {
		return valueError(ErrUnsafeValue, "volume", p, "has white space at an end, which BuildKit trims")
	}
	if err := checkTemplate("volume", p); err != nil {
		return err
	}
	return checkLexes("volume", p)
}

// checkFlagTemplate accepts a flag value that BuildKit expands: a flag
// value that may refer to variables.
func checkFlagTemplate(what, v string) error {
	if err := checkFlagWord(what, v, ",=`"); err != nil {
		return err
	}
	return checkLexes(what, v)
}

// modeTemplateRe is a --chmod value that refers to variables: mode
// characters, and variable references.
var modeTemplateRe = regexp.MustCompile(`^[A-Za-z0-9_${}+=,-]+$`)

// checkModeTemplate accepts a --chmod value that refers to variables,
// which is checked as a mode once expanded.
func checkModeTemplate(m string) error {
	if !modeTemplateRe.MatchString(m) {
		return valueError(ErrUnsafeValue, "chmod", m, "may only hold letters, digits, '_', '+', '=', ',', '-' and variable references")
	}
	return checkLexes("chmod", m)
}

// checkLexes accepts a template that BuildKit's shell lexer reads without
// an error, such as an unclosed "${".
func checkLexes(what, v string) error {
	if err := dockerfile.Lexes(v); err != nil {
		return valueError(ErrInvalidValue, what, v, err.Error())
	}
	return nil
}

func checkFlagWord(what, v, forbid string) error {
	if v == "" {
		return valueError(ErrInvalidValue, what, v, "is empty")
	}
	if err := checkText(what, v); err != nil {
		return err
	}
	for _, r := range v {
		if r <= ' ' || r > '~' || strings.ContainsRune(`"'\`+forbid, r) {
			why := "may only contain printable ASCII without white space, quotes or '\\'"
			if forbid != "" {
				why = fmt.Sprintf("may only contain printable ASCII without white space, quotes, '\\' or any of %q", forbid)
			}
			return valueError(ErrUnsafeValue, what, v, why)
		}
	}
	return nil
}

// checkMountTarget refuses a bind, cache or tmpfs mount over the root file
// system, which BuildKit refuses when it builds. A relative target is
// joined to the working directory, as BuildKit joins it, which may come
// from the base image: Compile refuses one that comes out as "/".
func checkMountTarget(target string) error {
	if strings.HasPrefix(target, "/") && path.Clean(target) == "/" {
		return valueError(ErrInvalidValue, "mount target", target, "is the root file system")
	}
	return nil
}

func checkImageRef(ref string) error {
	if ref == "" {
		return valueError(ErrInvalidImageRef, "image", ref, "is empty")
	}
	if ref == "scratch" {
		return nil
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return valueError(ErrInvalidImageRef, "image", ref, err.Error())
	}
	return nil
}

// checkImageTemplate checks the reference given to FromExpand: one word of
// printable ASCII (BuildKit splits FROM at any white space) that may hold
// '$' and quotes, which BuildKit's lexer removes as the compiler's does
// (FROM alpine:"${TAG}"), with no '\', ',' or '=' and no leading '-'. The
// expanded reference is checked when the build is compiled.
func checkImageTemplate(ref string) error {
	if ref == "" {
		return valueError(ErrInvalidImageRef, "image", ref, "is empty")
	}
	if err := checkFlagWord("image", strings.NewReplacer(`"`, "", "'", "").Replace(ref), ",="); err != nil {
		return valueError(ErrUnsafeValue, "image", ref, "may only contain printable ASCII without white space, '\\', ',' or '='")
	}
	if ref[0] == '-' {
		return valueError(ErrUnsafeValue, "image", ref, "may not start with '-'")
	}
	if len(ref) > maxFromWord {
		return valueError(ErrUnsafeValue, "image", ref, fmt.Sprintf("is longer than %d bytes", maxFromWord))
	}
	if strings.ContainsAny(ref, `"'`) && !dockerfile.IsWord(ref) {
		return valueError(ErrUnsafeValue, "image", ref, "has quotes that do not close")
	}
	return checkLexes("image", ref)
}

// normalizeImageRef returns the fully qualified form BuildKit resolves
// ("alpine" -> "docker.io/library/alpine:latest").
func normalizeImageRef(ref string) string {
	n, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(n).String()
}

func checkPlatform(p string) error {
	if err := checkText("platform", p); err != nil {
		return err
	}
	if len(p) > maxFromWord {
		return valueError(ErrInvalidValue, "platform", p, fmt.Sprintf("is longer than %d bytes", maxFromWord))
	}
	if strings.Contains(p, "$") {
		// A template, which BuildKit expands with the args before the
		// first stage: written inside --platform=, it follows the flag
		// rules, '$' aside.
		if err := checkFlagWord("platform", p, ",=`"); err != nil {
			return valueError(ErrInvalidValue, "platform", p, "refers to variables, and is not a flag value: printable ASCII without white space, quotes, '\\', ',', '=' or '`'")
		}
		return checkLexes("platform", p)
	}
	if strings.ContainsAny(p, " \t\"'\\") {
		return valueError(ErrInvalidValue, "platform", p, "must be an os/arch[/variant], or refer to build args such as $BUILDPLATFORM")
	}
	if _, err := platforms.Parse(p); err != nil {
		return valueError(ErrInvalidValue, "platform", p, err.Error())
	}
	return checkFlagWord("platform", p, ",=")
}

// wordVars returns the names of the variables a word refers to, as
// BuildKit's shell lexer reads it: with every variable unset and with
// every one set, so that both branches of ${A:-$B} and ${A:+$B} count.
func wordVars(word string) []string {
	var names []string
	for _, set := range []bool{false, true} {
		rec := &varRecorder{set: set}
		_, _, _ = shell.NewLex('\\').ProcessWord(word, rec)
		for _, n := range rec.names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// varRecorder is an environment that records the names looked up in it.
type varRecorder struct {
	set   bool
	names []string
}

func (r *varRecorder) Get(name string) (string, bool) {
	r.names = append(r.names, name)
	if r.set {
		return "x", true
	}
	return "", false
}

func (r *varRecorder) Keys() []string { return nil }

func checkSignal(sig string) error {
	if err := checkText("signal", sig); err != nil {
		return err
	}
	if strings.ContainsAny(sig, "$ \t\"'\\") {
		return valueError(ErrInvalidValue, "signal", sig, "is not a signal name or number")
	}
	if _, err := signal.ParseSignal(sig); err != nil {
		return valueError(ErrInvalidValue, "signal", sig, err.Error())
	}
	return nil
}

// checkLine refuses an instruction that might not fit on one Dockerfile
// line once rendered, assuming the worst case of quoting and escaping.
// from and mounts are the stages it names (COPY --from, RUN --mount
// from=).
func checkLine(in instr) error {
	var n lineLen
	for _, st := range append([]*Stage{in.from}, in.mount...) {
		if st != nil {
			n.bare(st.name)
		}
	}
	switch x := in.ir.(type) {
	case *ir.Workdir:
		n.word(x.Path, x.Expand)
	case *ir.Env:
		n.bare(x.Key)
		n.word(x.Value, x.Expand)
	case *ir.ArgDecl:
		n.arg(x.Arg)
	case *ir.User:
		n.word(x.User, false)
	case *ir.Label:
		n.bare(x.Key)
		n.word(x.Value, false)
	case *ir.StopSignal:
		n.word(x.Signal, x.Expand)
	case *ir.Copy:
		n.bare(x.Checksum)
		n.bare(x.Chmod)
		n.bare(x.From.Image)
		n.bare(x.Chown)
		for _, p := range x.Exclude {
			n.bare(p)
		}
		for _, p := range x.Sources {
			n.path(p)
		}
		n.path(x.Dest)
		for _, c := range x.Contents {
			n.bare(c.Name)
		}
	case *ir.EnvGroup:
		for _, e := range x.Vars {
			n.bare(e.Key)
			n.word(e.Value, e.Expand)
		}
	case *ir.OnBuild:
		n += lineLen(len(x.Expression))
	case *ir.Maintainer:
		n += lineLen(len(x.Name))
	case *ir.Volume:
		for _, p := range x.Paths {
			n.path(p)
		}
	case *ir.Run:
		for _, m := range x.Mounts {
			n += 128 // type, flags, uid, gid, mode, size
			for _, v := range []string{m.Target, m.ID, m.Source, m.Env, m.From.Image} {
				n.bare(v)
			}
			for _, v := range m.Vars {
				n.bare(v.Key)
				n.bare(v.Word)
			}
		}
		for _, d := range x.Devices {
			n += 32 // --device=name=...,required
			n.bare(d.Name)
		}
		n.json(x.Argv...)
		if x.Shell {
			if !ir.ScriptNeedsHeredoc(x.Command) {
				n += lineLen(len(x.Command) + len(" --"))
				break
			}
			for l := range strings.SplitSeq(x.Command, "\n") {
				if len(l) > maxLine-1 {
					return fmt.Errorf("%w: a line of the command is %d bytes; BuildKit reads Dockerfile lines of at most %d bytes", ErrUnsafeValue, len(l), maxLine)
				}
			}
		}
	case *ir.Entrypoint:
		n.json(x.Argv...)
	case *ir.Cmd:
		n.json(x.Argv...)
	case *ir.Shell:
		n.json(x.Argv...)
	case *ir.Healthcheck:
		if x.Shell {
			for _, t := range x.Test {
				n += lineLen(len(t))
			}
		} else {
			n.json(x.Test...)
		}
	}
	return n.check(in.name)
}

// lineLen adds up the worst-case rendered length of a Dockerfile line.
type lineLen int

// bare adds a value written as it is, with a flag name or separator.
func (n *lineLen) bare(v string) {
	if v != "" {
		*n += lineLen(len(v) + 16)
	}
}

// word adds a value that is double-quoted with '\', '"' and '$' escaped,
// or a template written as it is or double-quoted.
func (n *lineLen) word(v string, expand bool) {
	if expand {
		*n += lineLen(len(v) + 3)
		return
	}
	*n += lineLen(len(v) + strings.Count(v, `\`) + strings.Count(v, `"`) + strings.Count(v, "$") +
		strings.Count(v, "'") + strings.Count(v, "<") + 6)
}

func (n *lineLen) arg(a ir.Arg) {
	n.bare(a.Name)
	if a.Default != nil {
		n.word(*a.Default, a.Expand)
	}
}

// json adds strings written as JSON strings: '"' and '\' take 2 bytes,
// control characters and U+2028 and U+2029 take 6.
func (n *lineLen) json(vs ...string) {
	for _, v := range vs {
		*n += lineLen(jsonLen(v) + 4)
	}
}

func jsonLen(v string) int {
	l := 2
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			l += 2
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			l += 6
		default:
			l += utf8.RuneLen(r)
		}
	}
	return l
}

// path adds a COPY or VOLUME path, escaped for the shell lexer ('\', '"',
// '$', a single quote and '<' take a '\') and then, in the worst case, written as
// a JSON string and double-quoted.
func (n *lineLen) path(p string) {
	l := 8
	for _, r := range p {
		switch {
		case r == '"' || r == '\\':
			l += 4
		case r == '$' || r == '\'' || r == '<' || r == '\uFEFF':
			l += 3 + utf8.RuneLen(r)
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			l += 6
		default:
			l += utf8.RuneLen(r)
		}
	}
	*n += lineLen(l)
}

func (n lineLen) check(instruction string) error {
	if l := int(n) + lineSlack; l > maxLine {
		return fmt.Errorf("%w: the %s instruction would be up to %d bytes long once quoted; BuildKit reads Dockerfile lines of at most %d bytes", ErrUnsafeValue, instruction, l, maxLine)
	}
	return nil
}

// checkSymbolicMode accepts a symbolic --chmod value.
func checkSymbolicMode(m string) error {
	if !ir.SymbolicMode.MatchString(m) {
		return valueError(ErrInvalidValue, "symbolic mode", m, "must be clauses such as u+x, go-w or a=rX, separated by ','")
	}
	if _, err := mode.Parse(m); err != nil {
		return valueError(ErrInvalidValue, "symbolic mode", m, err.Error())
	}
	return nil
}

// heredocNameRe is a heredoc delimiter that needs no quoting.
var heredocNameRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// checkContent accepts the name and content of a heredoc source: BuildKit
// reads the content raw up to the line that is the name, so the content
// must be empty or end with a newline, and hold no such line, no NUL and
// no carriage return.
func checkContent(name, content string) error {
	if !heredocNameRe.MatchString(name) || len(name) > maxStageName {
		return valueError(ErrInvalidValue, "heredoc name", name, "must be letters, digits, '_', '.' and '-', and start with neither '.' nor '-'")
	}
	if content == "" {
		return nil
	}
	if !utf8.ValidString(content) {
		return valueError(ErrUnsafeValue, "content", content, "is not valid UTF-8")
	}
	if strings.ContainsAny(content, "\x00\r") {
		return valueError(ErrUnsafeValue, "content", content, "contains a NUL or carriage return")
	}
	if !strings.HasSuffix(content, "\n") {
		return valueError(ErrUnsafeValue, "content", content, "must end with a newline: a heredoc always does")
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(content, "\n"), "\n") {
		if l == name {
			return valueError(ErrUnsafeValue, "content", content, fmt.Sprintf("has a line %q, which would end the heredoc", name))
		}
		if len(l) > maxLine-1 {
			return fmt.Errorf("%w: a line of the content is %d bytes; BuildKit reads Dockerfile lines of at most %d bytes", ErrUnsafeValue, len(l), maxLine)
		}
	}
	return nil
}

// checkCopyMore checks what a COPY or ADD with heredoc sources needs: its
// paths are written as words separated by white space, so they may not
// contain white space, and paths to expand must be plain; names are
// unique.
func checkCopyMore(cp *ir.Copy) []error {
	if len(cp.Contents) == 0 {
		return nil
	}
	var errs []error
	seen := map[string]bool{}
	for _, c := range cp.Contents {
		if seen[c.Name] {
			errs = append(errs, valueError(ErrInvalidValue, "heredoc name", c.Name, "is used twice"))
		}
		seen[c.Name] = true
	}
	for _, p := range append(slices.Clone(cp.Sources), cp.Dest) {
		if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
			errs = append(errs, valueError(ErrUnsafeValue, "path", p, "of a copy with content may not contain white space"))
			continue
		}
		if cp.Expand && p != "" && (p[0] == '-' || strings.ContainsFunc(p, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:,+@%=~-*?${}", r))
		})) {
			errs = append(errs, valueError(ErrUnsafeValue, "path", p, "of a copy with content to expand may only hold letters, digits and _ . / : , + @ % = ~ - * ? $ { }"))
		}
	}
	return errs
}

// checkChecksum accepts the --checksum of an ADD: BuildKit expands it,
// parses it as a digest for a URL, and, when it builds, refuses one of a
// git repository that is not a hexadecimal commit id.
func checkChecksum(url, git bool, sum string, expand bool) error {
	if strings.Contains(sum, "$") {
		if !expand {
			return valueError(ErrUnsafeValue, "checksum", sum, "contains '$', which BuildKit would expand")
		}
		return nil
	}
	if url {
		if _, err := digest.Parse(sum); err != nil {
			return valueError(ErrInvalidValue, "checksum", sum, err.Error())
		}
	}
	if git && strings.Trim(sum, "0123456789abcdefABCDEF") != "" {
		return valueError(ErrInvalidValue, "checksum", sum, "of a git repository must be a hexadecimal commit id")
	}
	return nil
}

// checkRestOfLine accepts a value written as it is as the rest of a line
// (MAINTAINER, ONBUILD, shell-form CMD and ENTRYPOINT): one line, not
// empty, without white space at either end (the parser trims it) nor a
// '\' at the end (a continuation).
func checkRestOfLine(what, v string) error {
	if v == "" {
		return valueError(ErrInvalidValue, what, v, "is empty")
	}
	if err := checkText(what, v); err != nil {
		return err
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	if unicode.IsSpace(first) || unicode.IsSpace(last) || last == '\\' || strings.HasPrefix(v, "--") {
		return valueError(ErrUnsafeValue, what, v, "must not start or end with white space, start with \"--\" (read as a flag) nor end with '\\'")
	}
	if len(v) > maxLine-lineSlack {
		return valueError(ErrUnsafeValue, what, v, fmt.Sprintf("is longer than %d bytes", maxLine-lineSlack))
	}
	return nil
}

// checkShellForm accepts a shell-form CMD or ENTRYPOINT: the rest of one
// line, which BuildKit reads as the exec form when it is a JSON array.
func checkShellForm(what, cmd string) error {
	if err := checkScript(what, cmd); err != nil {
		return err
	}
	if err := checkRestOfLine(what, cmd); err != nil {
		return err
	}
	if ir.ParsedAsJSON(cmd) {
		return valueError(ErrUnsafeValue, what, cmd, "must not be a JSON array (the exec form)")
	}
	return nil
}

// checkHeredocRun accepts the command of [Stage.RunHeredoc]: BuildKit's
// parser must read it back exactly, with at least one here-document.
func checkHeredocRun(cmd string) error {
	if !utf8.ValidString(cmd) || strings.ContainsAny(cmd, "\x00\r") {
		return valueError(ErrUnsafeValue, "command", cmd, "is not valid UTF-8 or contains a NUL or carriage return")
	}
	for l := range strings.SplitSeq(cmd, "\n") {
		if len(l) > maxLine-lineSlack {
			return fmt.Errorf("%w: a line of the command is %d bytes; BuildKit reads Dockerfile lines of at most %d bytes", ErrUnsafeValue, len(l), maxLine)
		}
	}
	if _, err := ir.ParseHeredocRun(cmd); err != nil {
		return valueError(ErrUnsafeValue, "command", cmd, err.Error())
	}
	return nil
}
