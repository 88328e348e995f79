package multistage

import (
	"fmt"

	"github.com/multistage/multistage/internal/ir"
)

// ArgExpand is [Build.Arg] with a default that refers to the args declared
// before it, expanded when the build runs, as a Dockerfile expands it:
//
//	ARG REGISTRY=docker.io
//	ARG BASE=${REGISTRY}/library/alpine
func (b *Build) ArgExpand(name, defaultValue string) *Build {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec, err := newArg(name, []string{defaultValue}, true)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("ARG before the first stage: %w", err))
		return b
	}
	b.args = append(b.args, rec)
	return b
}

// ArgExpand is [Stage.Arg] with a default that refers to build args and to
// the stage's environment, expanded when the build runs:
//
//	ARG OUT=/out/${TARGETARCH}
func (s *Stage) ArgExpand(name, defaultValue string) *Stage {
	defer s.lock()()
	rec, err := newArg(name, []string{defaultValue}, true)
	if err != nil {
		return s.fail("ARG", err)
	}
	return s.add(instr{name: "ARG", ir: &ir.ArgDecl{Arg: rec.arg}})
}
