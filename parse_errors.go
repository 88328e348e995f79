package multistage

import (
	"errors"
	"fmt"
)

// ErrUnsupported: [ParseDockerfile] found a form of an instruction that the
// builder API cannot express (a variable in COPY --from or in a RUN --mount
// option other than target, id and source, an ADD that mixes local files,
// URLs and git repositories, an ONBUILD trigger that copies from another
// stage, ...).
// The import stops rather than build something that means something else.
// The error is an [*UnsupportedError], which says where.
var ErrUnsupported = errors.New("not supported by the builder API")

// ErrDockerfileSyntax: [ParseDockerfile] was given a Dockerfile that
// BuildKit's own parser refuses. The error is a [*SyntaxError].
var ErrDockerfileSyntax = errors.New("invalid Dockerfile")

// UnsupportedError is an instruction that [ParseDockerfile] cannot import.
// It matches [ErrUnsupported] with [errors.Is].
type UnsupportedError struct {
	// Line is the line of the instruction in the Dockerfile, from 1.
	Line int
	// Instruction is the instruction, such as "ADD".
	Instruction string
	// Reason says what is not supported.
	Reason string
}

// Error names the line, the instruction and what is not supported.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("line %d: %s: %v: %s", e.Line, e.Instruction, ErrUnsupported, e.Reason)
}

// Is reports whether target is [ErrUnsupported].
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// SyntaxError is a Dockerfile that BuildKit's parser refuses. It matches
// [ErrDockerfileSyntax] with [errors.Is].
type SyntaxError struct {
	// Line is the line of the problem, from 1; 0 when unknown.
	Line int
	// Err is the parser's error.
	Err error
}

// Error names the line and the parser's complaint.
func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %v: %v", e.Line, ErrDockerfileSyntax, e.Err)
	}
	return fmt.Sprintf("%v: %v", ErrDockerfileSyntax, e.Err)
}

// Unwrap returns the parser's error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrDockerfileSyntax].
func (e *SyntaxError) Is(target error) bool { return target == ErrDockerfileSyntax }

// ParseWarning is a problem [ParseDockerfile] found in a Dockerfile that
// does not stop the import, such as COPY --from=name where no stage has that
// name (BuildKit then copies from the image "name"), or ARG X=1 # comment
// (BuildKit declares "#" and "comment" as args too).
type ParseWarning struct {
	// Line is the line in the Dockerfile, from 1; 0 when unknown.
	Line int
	// Message describes the problem and what the import did about it.
	Message string
}

// String is the warning as "line N: message".
func (w ParseWarning) String() string {
	return fmt.Sprintf("line %d: %s", w.Line, w.Message)
}
