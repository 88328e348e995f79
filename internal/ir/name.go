package ir

import "fmt"

// Name is the Dockerfile keyword of an instruction, as errors name it.
func Name(in Instruction) string {
	switch x := in.(type) {
	case *Workdir:
		return "WORKDIR"
	case *Env:
		return "ENV"
	case *ArgDecl:
		return "ARG"
	case *User:
		return "USER"
	case *Label:
		return "LABEL"
	case *Expose:
		return "EXPOSE"
	case *Copy:
		if x.Add {
			return "ADD"
		}
		return "COPY"
	case *EnvGroup:
		return "ENV"
	case *LabelGroup:
		return "LABEL"
	case *Maintainer:
		return "MAINTAINER"
	case *OnBuild:
		return "ONBUILD"
	case *Run:
		return "RUN"
	case *Entrypoint:
		return "ENTRYPOINT"
	case *Cmd:
		return "CMD"
	case *Healthcheck:
		return "HEALTHCHECK"
	case *StopSignal:
		return "STOPSIGNAL"
	case *Volume:
		return "VOLUME"
	case *Shell:
		return "SHELL"
	}
	return fmt.Sprintf("%T", in)
}
