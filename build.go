package multistage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/moby/buildkit/client/llb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/dockerfile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Build is a multi-stage build: an ordered set of stages, one of which is the
// target. Create one with [New] and add stages with [Build.Stage].
//
// A Build is safe for concurrent use: [Build.Dockerfile], [Build.Compile],
// [Build.Validate] and [Build.Lint] only read it, and the methods that add
// to it are serialized.
type Build struct {
	mu     sync.Mutex
	stages []*Stage
	byName map[string]*Stage // the first stage of each name
	args   []argRecord
	errs   []error
}

// New returns an empty build.
func New() *Build { return &Build{} }

// Stage appends a new stage named name and returns it. The name must match
// BuildKit's rule for stage names, ^[a-z][a-z0-9-_.]*$, and be unique within
// the build; a bad name is reported by [Build.Dockerfile] and
// [Build.Compile] with [ErrInvalidStageName] or [ErrDuplicateStage].
//
// The stage still needs a base: call [Stage.From] or [Stage.FromStage].
func (b *Build) Stage(name string) *Stage {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &Stage{build: b, name: name, index: len(b.stages)}
	if err := checkStageName(name); err != nil {
		s.errs = append(s.errs, &InstructionError{Stage: name, Index: -1, Instruction: "FROM", Err: err})
	}
	if o, ok := b.byName[name]; ok {
		s.errs = append(s.errs, &InstructionError{Stage: name, Index: -1, Instruction: "FROM",
			Err: fmt.Errorf("%w: %q is already stage %d", ErrDuplicateStage, name, o.index+1)})
	} else {
		if b.byName == nil {
			b.byName = map[string]*Stage{}
		}
		b.byName[name] = s
	}
	b.stages = append(b.stages, s)
	return s
}

// Stages returns the stages in the order they were added.
func (b *Build) Stages() []*Stage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Stage(nil), b.stages...)
}

// Lookup returns the stage named name, or nil when there is none.
func (b *Build) Lookup(name string) *Stage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byName[name]
}

// Arg declares a build arg before the first stage, with an optional default
// value:
//
//	ARG GO_VERSION=1.22
//
// Such an arg can be used in [Stage.FromExpand] and [Stage.Platform] ("$NAME"); to use
// it inside a stage, declare it there too with [Stage.Arg] (without a
// default, the stage inherits this one). The default is literal.
func (b *Build) Arg(name string, defaultValue ...string) *Build {
	b.mu.Lock()
	defer b.mu.Unlock()
	rec, err := newArg(name, defaultValue, false)
	if err != nil {
		b.errs = append(b.errs, fmt.Errorf("ARG before the first stage: %w", err))
		return b
	}
	b.args = append(b.args, rec)
	return b
}

// Compiled is the result of [Build.Compile]: the LLB definition of the
// target stage and the image config that goes with it.
type Compiled struct {
	// Definition is the marshalled LLB of the target stage.
	Definition *llb.Definition
	// Image is the OCI image config of the target stage.
	Image ocispecs.Image
	// DockerImage is Image with the Docker extensions of the config
	// (Healthcheck, Shell, OnBuild, ArgsEscaped) that the OCI spec lacks.
	// Its JSON is what BuildKit's image exporters take as
	// "containerimage.config".
	DockerImage dockerspec.DockerOCIImage
	// Target is the name of the compiled stage.
	Target string
}

// Validate reports every problem of the build, joined with [errors.Join],
// without rendering or compiling it. It returns nil for a valid build.
// What depends on build args or on the base images (a value that refers to
// variables, a Windows path on a drive BuildKit refuses) is known only once
// they are known: [Build.Compile] checks it, as BuildKit does when it
// builds.
func (b *Build) Validate(opts ...Option) error {
	_, _, err := b.lower(newConfig(opts))
	return err
}

// Dockerfile renders the build as a Dockerfile that BuildKit's Dockerfile
// frontend builds into the same image as [Build.Compile].
//
// Without [Target], every stage is rendered and the last stage added is
// the target; with Target(t), only the stages t needs are rendered. Either
// way the target comes last, so a plain "docker build" builds it. Stages
// are written in the order they were added, except that a stage always
// comes after the stages it uses.
//
// The output is canonical: the same build gives the same bytes.
func (b *Build) Dockerfile(opts ...Option) ([]byte, error) {
	cfg := newConfig(opts)
	m, _, err := b.lower(cfg)
	if err != nil {
		return nil, err
	}
	out, err := dockerfile.Render(m)
	if err != nil {
		return nil, renderError(err)
	}
	return out, nil
}

// renderError turns the renderer's errors into InstructionErrors wrapping
// ErrUnsafeValue. The checks at the call refuse what cannot be rendered, so
// these are a second line of defence.
func renderError(err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var de *dockerfile.Error
		if errors.As(e, &de) {
			out = append(out, &InstructionError{Stage: de.Stage, Index: de.Index, Instruction: de.Instruction, Err: unsafeValue(de.Err)})
			continue
		}
		out = append(out, unsafeValue(e))
	}
	return errors.Join(out...)
}

// unsafeValue wraps a renderer error in ErrUnsafeValue, dropping the
// renderer's own sentinel, which has the same text, so that the message
// says "value cannot be rendered safely" once.
func unsafeValue(err error) error {
	msg := err.Error()
	if errors.Is(err, dockerfile.ErrUnsafe) {
		msg = strings.TrimPrefix(msg, dockerfile.ErrUnsafe.Error()+": ")
	}
	return fmt.Errorf("%w: %s", ErrUnsafeValue, msg)
}

// Compile compiles the target stage to BuildKit LLB, without rendering a
// Dockerfile, and computes its image config.
//
// With [WithMetaResolver], each base image is resolved once: the LLB pins
// it by the digest the resolver returns, and its config (Env such as PATH,
// WorkingDir, User, Entrypoint, Cmd, ...) is inherited exactly as BuildKit's
// Dockerfile frontend inherits it. Without a resolver Compile does no
// network I/O, and the base images' configs are unknown: they are treated
// as empty (PATH is set to BuildKit's default, the working directory is /),
// and the image references are not pinned.
func (b *Build) Compile(ctx context.Context, opts ...Option) (*Compiled, error) {
	cfg := newConfig(opts)
	m, target, err := b.lower(cfg)
	if err != nil {
		return nil, err
	}
	res, err := compile.Compile(ctx, m, compile.Options{
		Resolver:       cfg.resolver,
		BuildArgs:      cfg.buildArgs,
		Platform:       cfg.platform,
		OnBuildTrigger: onBuildTrigger,
		Caps:           cfg.caps,

		MaxExpandedValue: cfg.maxExpandedValue,
		MaxExpandedTotal: cfg.maxExpandedTotal,
	})
	if err != nil {
		return nil, compileError(err)
	}
	out := &Compiled{Definition: res.Definition, DockerImage: res.Image, Target: target}
	out.Image = res.Image.Image
	out.Image.Config = res.Image.Config.ImageConfig
	return out, nil
}

// compileError turns the compiler's errors into InstructionErrors. Their
// problems are values that only expanding variables shows invalid (a mode
// "${M}" that comes out as "u+q"), so the ones that wrap no sentinel get
// ErrInvalidValue. Errors of the resolver are no *compile.Error and pass
// as they are.
func compileError(err error) error {
	var ce *compile.Error
	if errors.As(err, &ce) {
		inner := ce.Err
		if !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(inner, s) }) {
			inner = fmt.Errorf("%w: %w", ErrInvalidValue, inner)
		}
		if ce.Stage == "" {
			// The args before the first stage, as Build.Arg reports them.
			return fmt.Errorf("%s before the first stage: %w", ce.Instruction, inner)
		}
		return &InstructionError{Stage: ce.Stage, Index: ce.Index, Instruction: ce.Instruction, Err: inner}
	}
	return err
}
