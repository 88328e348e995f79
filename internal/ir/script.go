package ir

import "strings"

// ScriptNeedsHeredoc reports whether a shell-form command cannot be written
// on one RUN line and must be written as a heredoc. Both backends use it:
// the Dockerfile frontend passes a heredoc's text followed by a newline to
// the shell, so the compiler appends the same newline.
func ScriptNeedsHeredoc(cmd string) bool {
	if cmd == "" {
		return false
	}
	if strings.ContainsAny(cmd, "\n\r") || strings.Contains(cmd, "<<") {
		return true
	}
	if strings.TrimSpace(cmd) != cmd {
		return true
	}
	switch cmd[0] {
	case '-', '[', '#':
		return true
	}
	return strings.HasSuffix(cmd, "\\")
}
