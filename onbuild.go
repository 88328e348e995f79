package multistage

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/multistage/multistage/internal/dfimport"
	"github.com/multistage/multistage/internal/ir"
)

// OnBuild records instruction as a trigger in the image config, to run
// when another build uses the image as its base:
//
//	ONBUILD COPY package.json .
//
// instruction is one Dockerfile instruction on one line, written as it is,
// which may set several values (ENV A=1 B=2, LABEL, EXPOSE 80 443); it may
// not be ONBUILD, FROM or MAINTAINER. A name in COPY --from= or RUN
// --mount from= is looked up when the trigger runs, as BuildKit does: a
// stage of the build that runs it, or else an image; a stage index is
// refused. It does nothing to the stage
// itself. A stage of this build whose base is this stage ([Stage.FromStage])
// runs the trigger before its own instructions, as BuildKit's Dockerfile
// frontend does, and the trigger is not passed on to its image.
func (s *Stage) OnBuild(instruction string) *Stage {
	defer s.lock()()
	trigger, err := onBuildTrigger(instruction)
	if err != nil {
		return s.fail("ONBUILD", err)
	}
	return s.add(instr{name: "ONBUILD", ir: &ir.OnBuild{Expression: instruction, Triggers: trigger}})
}

// parseErrorLine is how BuildKit's parser starts an error.
var parseErrorLine = regexp.MustCompile(`^dockerfile parse error on line \d+: `)

// copiesFromIndex reports whether the trigger of a parsed ONBUILD (the
// parser keeps it as the node's Next) is a COPY --from=<stage index>.
func copiesFromIndex(onbuild *parser.Node) bool {
	if onbuild.Next == nil || len(onbuild.Next.Children) != 1 {
		return false
	}
	parsed, err := instructions.ParseInstructionWithLinter(onbuild.Next.Children[0], linter.New(&linter.Config{}))
	cp, ok := parsed.(*instructions.CopyCommand)
	if err != nil || !ok {
		return false
	}
	_, err = strconv.Atoi(cp.From)
	return err == nil
}

// onBuildTrigger checks an ONBUILD instruction with BuildKit's parser, and
// turns it into IR through the calls ParseDockerfile would make for it.
func onBuildTrigger(instruction string) ([]ir.Instruction, error) {
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
	parsed, err := instructions.ParseInstructionWithLinter(res.AST.Children[0], linter.New(&linter.Config{}))
	if err != nil {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, err.Error())
	}
	ob, ok := parsed.(*instructions.OnbuildCommand)
	if !ok || ob.Expression != instruction {
		return nil, valueError(ErrUnsafeValue, "onbuild instruction", instruction, "is not read back as written")
	}
	if copiesFromIndex(res.AST.Children[0]) {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction,
			"names a stage by index: which stage that is depends on the build that runs the trigger; name the stage")
	}
	prog, err := dfimport.Walk([]byte("FROM scratch\n" + instruction + "\n"))
	if err != nil {
		var ue *dfimport.UnsupportedError
		if errors.As(err, &ue) {
			return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, ue.Reason)
		}
		// The line numbers are those of the trigger's own Dockerfile,
		// which the caller never wrote.
		msg := err.Error()
		var se *dfimport.SyntaxError
		if errors.As(err, &se) {
			msg = se.Err.Error()
		}
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, parseErrorLine.ReplaceAllString(msg, ""))
	}
	calls := prog.Stages[0].Calls[1:] // after FROM scratch
	tb := New()
	ts := tb.Stage("trigger").From("scratch")
	for _, c := range calls {
		if dfimport.UsesStage(c.Args) {
			return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "refers to another stage")
		}
		if err := applyTrigger(ts, c); err != nil {
			return nil, err
		}
	}
	if len(ts.errs) > 0 {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, ts.errs[0].Error())
	}
	if len(ts.instrs) == 0 {
		return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "is no instruction of the API")
	}
	if len(ts.instrs) > 1 {
		return groupTrigger(instruction, ts.instrs)
	}
	// A COPY --from or a mount from= names an image here: the stage that
	// runs the trigger reads the name as one of its build's stages, or
	// else as an image, as BuildKit does.
	return []ir.Instruction{ts.instrs[0].ir}, nil
}

// groupTrigger makes one instruction of the calls that ParseDockerfile
// makes for an instruction that sets several values (ENV, LABEL, EXPOSE),
// so that the trigger sets them as the frontend does: in one step, with
// one history entry.
func groupTrigger(instruction string, ins []instr) ([]ir.Instruction, error) {
	switch ins[0].ir.(type) {
	case *ir.Env:
		if vars, ok := gather[ir.Env](ins); ok {
			return []ir.Instruction{&ir.EnvGroup{Vars: vars}}, nil
		}
	case *ir.Label:
		if labels, ok := gather[ir.Label](ins); ok {
			return []ir.Instruction{&ir.LabelGroup{Labels: labels}}, nil
		}
	case *ir.Expose:
		// The ports as written, read (and sorted) as the frontend reads
		// them.
		words := strings.Fields(instruction)[1:]
		return []ir.Instruction{&ir.Expose{Spec: strings.Join(words, " "), Expand: true}}, nil
	}
	return nil, valueError(ErrInvalidValue, "onbuild instruction", instruction, "is not one instruction of the API")
}

// gather returns the IR of every instruction in ins, which must all be of
// type *T.
func gather[T any, P interface {
	*T
	ir.Instruction
}](ins []instr) ([]T, bool) {
	out := make([]T, 0, len(ins))
	for _, in := range ins {
		x, ok := in.ir.(P)
		if !ok {
			return nil, false
		}
		out = append(out, *x)
	}
	return out, true
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
