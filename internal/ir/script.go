package ir

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
//   - starts with '-' (a word starting with "--" is read as a flag of RUN)
//     or '[' (the start of an exec-form JSON array);
//   - ends with '\', which continues the line.
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
	return first == '-' || first == '[' || last == '\\'
}
