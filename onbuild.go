package multistage

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/multistage/multistage/internal/dfimport"
	"github.com/multistage/multistage/internal/ir"
)

// OnBuild records instruction as a trigger in the image config, to run
// when another build uses the image as its base:
//
//	ONBUILD COPY package.json .
//
// instruction is one Dockerfile instruction on one line, written as it is;
// it may not be ONBUILD, FROM or MAINTAINER, nor refer to another stage or
// image (COPY --from, RUN --mount from=). It does nothing to the stage
// itself. A stage of this build whose base is this stage ([Stage.FromStage])
// runs the trigger before its own instructions, as BuildKit's Dockerfile
// frontend does, and the trigger is not passed on to its image.
func (s *Stage) OnBuild(instruction string) *Stage {
	defer s.lock()()
	trigger, err := onBuildTrigger(instruction)
	if err != nil {
		return s.fail("ONBUILD", err)
	}
	return s.add(instr{name: "ONBUILD", ir: &ir.OnBuild{Expression: instruction, Trigger: trigger}})
}

// onBuildTrigger checks an ONBUILD instruction with BuildKit's parser, and
// turns it into IR through the calls ParseDockerfile would make for it.
func onBuildTrigger(instruction string) (ir.Instruction, error) {
	if err := checkRestOfLine("onbuild instruction", instruction); err != nil {
		return nil, err
	}
	res, err := parser.Parse(strings.NewReader("ONBUILD " + instruction + "\n"))
	if err != nil {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, err.Error())
	}
	if len(res.AST.Children) != 1 {
		return nil, valueError(ErrUnsafeValue, "onbuild instruction", instruction, "is not read as one instruction")
	}
	parsed, err := instructions.ParseInstruction(res.AST.Children[0])
	if err != nil {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, err.Error())
	}
	ob, ok := parsed.(*instructions.OnbuildCommand)
	if !ok || ob.Expression != instruction {
		return nil, valueError(ErrUnsafeValue, "onbuild instruction", instruction, "is not read back as written")
	}
	prog, err := dfimport.Walk([]byte("FROM scratch\n" + instruction + "\n"))
	if err != nil {
		var ue *dfimport.UnsupportedError
		if errors.As(err, &ue) {
			return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, ue.Reason)
		}
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, err.Error())
	}
	calls := prog.Stages[0].Calls
	if len(calls) != 2 {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "sets several values at once; give one ONBUILD per value")
	}
	c := calls[1]
	if refersToStage(c.Args) {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "refers to another stage")
	}
	tb := New()
	ts := tb.Stage("trigger").From("scratch")
	if err := applyTrigger(ts, c); err != nil {
		return nil, err
	}
	if len(ts.errs) > 0 {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, ts.errs[0].Error())
	}
	if len(ts.instrs) != 1 {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "is not one instruction of the API")
	}
	in := ts.instrs[0]
	switch x := in.ir.(type) {
	case *ir.Copy:
		if !x.From.IsContext() {
			return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "copies from another stage or an image")
		}
	case *ir.Run:
		for _, m := range x.Mounts {
			if !m.From.IsContext() {
				return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "mounts another stage or an image")
			}
		}
	}
	return in.ir, nil
}

func refersToStage(args []any) bool {
	for _, a := range args {
		switch x := a.(type) {
		case dfimport.StageRef:
			return true
		case dfimport.Call:
			if refersToStage(x.Args) {
				return true
			}
		}
	}
	return false
}

// applyTrigger makes the call of an ONBUILD instruction on a scratch stage.
func applyTrigger(s *Stage, c dfimport.Call) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("multistage: ONBUILD %s: %v", c.Func, r)
		}
	}()
	return call(reflect.ValueOf(s), c, nil)
}
