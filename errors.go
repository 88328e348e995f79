package multistage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/multistage/multistage/internal/compile"
)

// Sentinel errors. Every refusal of a build by [Build.Dockerfile],
// [Build.Compile], [Build.Validate] and [Build.Solve] wraps one of these, so
// callers can match them with [errors.Is]; an [*InstructionError] carries
// the stage and instruction of a problem that has one. Errors that are no
// refusal of the build (of the image resolver, of the daemon, of the
// context) are passed through as they are.
var (
	// ErrInvalidStageName: a stage name does not match ^[a-z][a-z0-9-_.]*$
	// (BuildKit's rule), or is one of the reserved names "scratch" and
	// "context".
	ErrInvalidStageName = errors.New("invalid stage name")
	// ErrDuplicateStage: two stages of one build have the same name.
	ErrDuplicateStage = errors.New("duplicate stage name")
	// ErrInvalidImageRef: an image reference is empty or does not parse.
	ErrInvalidImageRef = errors.New("invalid image reference")
	// ErrNoBase: a stage has neither From nor FromStage.
	ErrNoBase = errors.New("stage has no base: call From or FromStage")
	// ErrForeignStage: a stage of another Build was used.
	ErrForeignStage = errors.New("stage belongs to another build")
	// ErrCycle: stages depend on each other in a cycle.
	ErrCycle = errors.New("dependency cycle between stages")
	// ErrEmptyCommand: a command or argument list is empty.
	ErrEmptyCommand = errors.New("empty command")
	// ErrInvalidPort: a port is outside 1-65535.
	ErrInvalidPort = errors.New("invalid port")
	// ErrUnsafeValue: a value cannot be written to a Dockerfile so that
	// BuildKit reads back exactly the same value (a newline in an ENV value,
	// a NUL byte, invalid UTF-8, ...). The value is refused rather than
	// rendered differently.
	ErrUnsafeValue = errors.New("value cannot be rendered safely")
	// ErrInvalidValue: a value is not valid for its instruction (an empty
	// path, a bad env key, an unknown signal, an option that does not apply).
	ErrInvalidValue = errors.New("invalid value")
	// ErrNoStages: the build has no stages.
	ErrNoStages = errors.New("build has no stages")
	// ErrTargetNotLast: another stage depends on the target, so the target
	// cannot be written last.
	ErrTargetNotLast = errors.New("another stage depends on the target stage")
	// ErrUnsupportedByDaemon: the BuildKit daemon the build is compiled
	// for lacks an LLB capability that an instruction needs, and the
	// instruction has no equivalent that the daemon can build (see
	// [WithLLBCaps]), such as COPY --exclude from a stage on Docker Engine
	// 20.10, whose BuildKit is v0.8. The error names the feature and the
	// capability.
	ErrUnsupportedByDaemon = compile.ErrUnsupported
	// ErrExpansionLimit: variables expand to a value longer than the
	// limit of [WithExpansionLimits], or to more bytes in all, as a
	// Dockerfile that doubles a variable in every ENV does. Compile stops
	// there, in bounded time and memory.
	ErrExpansionLimit = compile.ErrExpansionLimit
)

// sentinels are the sentinel errors above.
var sentinels = []error{
	ErrInvalidStageName, ErrDuplicateStage, ErrInvalidImageRef, ErrNoBase, ErrForeignStage, ErrCycle,
	ErrEmptyCommand, ErrInvalidPort, ErrUnsafeValue, ErrInvalidValue, ErrNoStages, ErrTargetNotLast,
	ErrUnsupportedByDaemon, ErrExpansionLimit,
}

// InstructionError is a problem with one instruction of a stage.
type InstructionError struct {
	// Stage is the name of the stage.
	Stage string
	// Index is the position of the instruction in the stage, from 0; -1 for
	// the FROM line.
	Index int
	// Instruction is the Dockerfile instruction, such as "COPY".
	Instruction string
	// Err is the problem; it wraps one of the sentinel errors.
	Err error
}

// Error names the stage, the instruction (counted from 1) and the problem.
func (e *InstructionError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("stage %q: %s: %v", e.Stage, e.Instruction, e.Err)
	}
	return fmt.Sprintf("stage %q: instruction %d (%s): %v", e.Stage, e.Index+1, e.Instruction, e.Err)
}

// Unwrap returns the underlying error.
func (e *InstructionError) Unwrap() error { return e.Err }

// valueError describes a refused value, quoting a bounded prefix of it.
func valueError(sentinel error, what, value, why string) error {
	return fmt.Errorf("%w: %s %s: %s", sentinel, what, quoteShort(value), why)
}

func quoteShort(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q... (%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// quoteList describes an argument list, quoting a bounded prefix of it.
func quoteList(argv []string) string {
	const max = 8
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range argv {
		if i == max {
			fmt.Fprintf(&b, " ... (%d arguments)", len(argv))
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteShort(a))
	}
	b.WriteByte(']')
	return b.String()
}
