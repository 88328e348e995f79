package multistage

import (
	"github.com/multistage/multistage/internal/ir"
)

// CmdShell sets the image's default command in shell form: the image runs
// cmd with the stage's shell, ["/bin/sh", "-c", cmd] unless [Stage.Shell]
// changed it:
//
//	CMD /app --serve
//
// cmd must be one line, without white space at either end, not a JSON
// array (which BuildKit reads as the exec form; "[ -f x ] && y" is fine),
// nor end with '\'. Prefer [Stage.Cmd]: a shell-form command does
// not receive signals sent to the container.
func (s *Stage) CmdShell(cmd string) *Stage {
	defer s.lock()()
	if err := checkShellForm("cmd", cmd); err != nil {
		return s.fail("CMD", err)
	}
	return s.add(instr{name: "CMD", ir: &ir.Cmd{Argv: []string{cmd}, Shell: true}})
}

// EntrypointShell sets the image entrypoint in shell form, run with the
// stage's shell as [Stage.CmdShell] is:
//
//	ENTRYPOINT exec /usr/local/bin/start
//
// As in a Dockerfile, it clears a CMD inherited from the base image.
func (s *Stage) EntrypointShell(cmd string) *Stage {
	defer s.lock()()
	if err := checkShellForm("entrypoint", cmd); err != nil {
		return s.fail("ENTRYPOINT", err)
	}
	return s.add(instr{name: "ENTRYPOINT", ir: &ir.Entrypoint{Argv: []string{cmd}, Shell: true}})
}

// Maintainer sets the author of the image, with the deprecated MAINTAINER
// instruction:
//
//	MAINTAINER someone@example.com
//
// It sets the Author field of the image, and adds its line to the image
// history, as BuildKit does. Prefer a label:
// Label("org.opencontainers.image.authors", name).
func (s *Stage) Maintainer(name string) *Stage {
	defer s.lock()()
	if err := checkRestOfLine("maintainer", name); err != nil {
		return s.fail("MAINTAINER", err)
	}
	return s.add(instr{name: "MAINTAINER", ir: &ir.Maintainer{Name: name}})
}
