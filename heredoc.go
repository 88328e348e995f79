package multistage

import (
	"github.com/multistage/multistage/internal/ir"
)

// RunHeredoc appends a shell-form RUN instruction whose command opens
// here-documents, written as it is, so that BuildKit runs it as its
// Dockerfile frontend runs such a RUN:
//
//	RUN python3 <<EOF
//	print("hello")
//	EOF
//
// cmd is the whole text after RUN: a first line that opens one or more
// here-documents ("<<NAME", "<<'NAME'", "<<-NAME"), then each one's lines
// and its closing NAME line; the stage's shell runs that text. When the
// first line is a single here-document and nothing else, BuildKit runs its
// content instead: with the stage's shell, or, when it starts with "#!",
// as a script file of its own:
//
//	s.RunHeredoc("<<EOF\n#!/usr/bin/env python3\nprint(\"hello\")\nEOF")
//
// BuildKit's parser must read back exactly cmd, or the call fails with
// [ErrUnsafeValue]. Use [Stage.Run] for a plain script.
func (s *Stage) RunHeredoc(cmd string, opts ...RunOption) *Stage {
	defer s.lock()()
	if err := checkScript("command", cmd); err != nil {
		return s.fail("RUN", err)
	}
	if err := checkHeredocRun(cmd); err != nil {
		return s.fail("RUN", err)
	}
	return s.run(&ir.Run{Shell: true, Heredoc: true, Command: cmd}, opts)
}
