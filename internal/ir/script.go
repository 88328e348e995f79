package ir

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// ScriptNeedsHeredoc reports whether the shell-form command cmd cannot be
// written on the line of a Dockerfile RUN instruction, because BuildKit's
// Dockerfile parser would change it there, and must be written as a heredoc
// (RUN <<'EOF' … EOF) instead. That is when cmd
//
//   - spans lines: it contains '\n' or '\r';
//   - contains "<<", which the parser reads as the start of a heredoc;
//   - starts or ends with white space (any Unicode space), which the parser
//     trims;
//   - is a JSON array (the exec form, see ParsedAsJSON);
//   - ends with '\', which continues the line.
//
// A command that starts with "--", which the parser would read as a flag of
// RUN, is written after the "--" that ends RUN's flags (RunFlagEnd).
//
// Both backends use it, and must: BuildKit passes the text of a heredoc
// followed by a newline to the shell, so the Dockerfile renderer writes a
// heredoc exactly when ScriptNeedsHeredoc is true, and the LLB compiler then
// runs cmd+"\n". BuildKit runs a heredoc that starts with "#!" as a script
// file rather than with the stage's shell; both backends refuse such a
// command.
func ScriptNeedsHeredoc(cmd string) bool {
	if cmd == "" {
		return false
	}
	if strings.ContainsAny(cmd, "\n\r") || strings.Contains(cmd, "<<") {
		return true
	}
	first, _ := utf8.DecodeRuneInString(cmd)
	last, _ := utf8.DecodeLastRuneInString(cmd)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return true
	}
	return last == '\\' || ParsedAsJSON(cmd)
}

// ParsedAsJSON reports whether BuildKit's parser reads the rest of a RUN,
// CMD, ENTRYPOINT or HEALTHCHECK CMD line as a JSON array (the exec form,
// or an error for an array of other things than strings) rather than as a
// shell command (parser.parseMaybeJSON): "[ -f x ] && y" is a shell
// command, `["sh", "-c", "y"]` is not.
func ParsedAsJSON(rest string) bool {
	rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
	if !strings.HasPrefix(rest, "[") {
		return false
	}
	var v []any
	return json.Unmarshal([]byte(rest), &v) == nil
}

// HeredocRun is how BuildKit's Dockerfile frontend runs a shell-form RUN
// whose command opens here-documents (Run.Heredoc).
type HeredocRun struct {
	// Script is the text the stage's shell runs: the whole command, its
	// here-documents and their delimiters included, or, when the command
	// is a single here-document and nothing else (RUN <<EOF), its content.
	Script string
	// Single is set when the command is a single here-document and nothing
	// else; Name is then its delimiter and Data its content. BuildKit
	// writes such a content that starts with "#!" to /dev/pipes/Name and
	// runs that file (except on Windows), rather than Script.
	Single     bool
	Name, Data string
}

// ParseHeredocRun reads cmd as BuildKit's parser reads the shell-form
// command of "RUN cmd" ("RUN -- cmd" when RunFlagEnd(cmd)): cmd must open
// at least one here-document on its first line, and BuildKit must read
// back exactly cmd (the first line, then each here-document's content and
// delimiter). It returns how the frontend runs it.
func ParseHeredocRun(cmd string) (HeredocRun, error) {
	line := "RUN "
	if RunFlagEnd(cmd) {
		line += "-- "
	}
	res, err := parser.Parse(strings.NewReader(line + cmd + "\n"))
	if err != nil {
		return HeredocRun{}, err
	}
	if len(res.AST.Children) != 1 {
		return HeredocRun{}, fmt.Errorf("the command is read as %d instructions", len(res.AST.Children))
	}
	in, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], linter.New(&linter.Config{}))
	if err != nil {
		return HeredocRun{}, err
	}
	rc, ok := in.(*instructions.RunCommand)
	if !ok || !rc.PrependShell || len(rc.CmdLine) != 1 || len(rc.FlagsUsed) > 0 {
		return HeredocRun{}, fmt.Errorf("the command is not read as one shell-form command")
	}
	if len(rc.Files) == 0 {
		return HeredocRun{}, fmt.Errorf("the command opens no here-document")
	}
	var b strings.Builder
	b.WriteString(rc.CmdLine[0])
	for _, f := range rc.Files {
		b.WriteByte('\n')
		b.WriteString(f.Data)
		b.WriteString(f.Name)
	}
	if b.String() != cmd {
		return HeredocRun{}, fmt.Errorf("BuildKit reads the command back as %q", b.String())
	}
	if h := parser.MustParseHeredoc(rc.CmdLine[0]); h != nil && len(rc.Files) == 1 {
		data := rc.Files[0].Data
		if rc.Files[0].Chomp {
			data = parser.ChompHeredocContent(data)
		}
		return HeredocRun{Script: data, Single: true, Name: rc.Files[0].Name, Data: data}, nil
	}
	return HeredocRun{Script: cmd}, nil
}

// EndsInEscape reports whether a shell script ends in an odd number of
// '\': a final '\' that escapes nothing, which the shell reads as a
// literal '\' when it runs the script with sh -c, but as a line
// continuation once a heredoc adds its newline.
func EndsInEscape(script string) bool {
	n := len(script) - len(strings.TrimRight(script, `\`))
	return n%2 == 1
}

// POSIXShell reports whether argv runs a POSIX shell (sh, bash, dash, ash,
// ksh, mksh, zsh or busybox sh), which reads "\\" as one literal '\'.
func POSIXShell(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	name := argv[0]
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	switch strings.TrimSuffix(name, ".exe") {
	case "sh", "bash", "dash", "ash", "ksh", "mksh", "zsh":
		return true
	case "busybox":
		return len(argv) > 1 && argv[1] == "sh"
	}
	return false
}

// RunFlagEnd reports whether a shell-form command that stays on its RUN
// line, or opens here-documents there, is written after "--", the word
// that ends RUN's flags: when it starts with "--", which BuildKit's parser
// would read as a flag. The parser drops the "--" and the white space
// after it.
func RunFlagEnd(cmd string) bool { return strings.HasPrefix(cmd, "--") }

// SymbolicMode matches a symbolic chmod mode as BuildKit reads it
// (dchapes-mode): clauses such as u+x or go-w, separated by ','. As in
// BSD chmod, permission letters and the letters that copy a class's bits
// may mix (a+Xu: X, and the owner's bits, for all). Both backends write
// what it matches as it is.
var SymbolicMode = regexp.MustCompile(`^[ugoa]*(?:[-+=][rwxXstugo]*)+(?:,[ugoa]*(?:[-+=][rwxXstugo]*)+)*$`)
