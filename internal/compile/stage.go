package compile

import (
	"context"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/system"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage/internal/ir"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// stageState is one stage being compiled (dockerfile2llb's dispatchState).
type stageState struct {
	index    int
	ir       *ir.Stage
	base     *stageState // FROM another stage
	img      *imageState // FROM an image
	scratch  bool
	platform *ocispecs.Platform

	state     llb.State
	env       *stateEnvMap              // the state's environment, for expansions
	image     dockerspec.DockerOCIImage // without History, which hist holds
	hist      *history
	envIndex  map[string]int // the positions of image.Config.Env's keys
	buildArgs []ir.Arg       // declared args with their values, for history
	cmdSet    bool

	// sources of COPY --from and RUN --mount from= that are images, by
	// instruction index and mount index (-1 for a copy).
	images map[[2]int]*imageState
}

// baseConfig is the resolver's config of the image under the stage.
func (s *stageState) baseConfig() []byte {
	for ; s != nil; s = s.base {
		if s.img != nil {
			return s.img.config
		}
	}
	return nil
}

// newStage prepares stage i: its base and the images it copies or mounts
// from, which resolveAll then resolves.
func (c *compiler) newStage(i int, st *ir.Stage) (*stageState, error) {
	s := &stageState{index: i, ir: st, images: map[[2]int]*imageState{}}
	fail := func(err error) (*stageState, error) {
		return nil, &Error{Stage: st.Name, Index: -1, Instruction: "FROM", Err: err}
	}
	p, err := c.expandPlatform(st.Platform)
	if err != nil {
		return fail(err)
	}
	s.platform = p
	switch {
	case st.Base.Stage >= 0:
		s.base = c.stages[st.Base.Stage]
	default:
		name := st.Base.Image
		if st.Base.ExpandImage {
			if name, err = c.expandBaseName(name); err != nil {
				return fail(err)
			}
			if j, ok := c.stageNamed(name, i); ok && c.build.Stages[j].Name == name {
				s.base = c.stages[j]
				break
			}
		}
		if name == "scratch" {
			s.scratch = true
			break
		}
		is, err := c.image(name, s.platform)
		if err != nil {
			return fail(err)
		}
		s.img = is
	}
	for j, in := range st.Instructions {
		switch x := in.(type) {
		case *ir.Copy:
			if x.From.Image != "" {
				is, err := c.image(x.From.Image, nil)
				if err != nil {
					return nil, &Error{Stage: st.Name, Index: j, Instruction: "COPY", Err: err}
				}
				s.images[[2]int{j, -1}] = is
			}
		case *ir.Run:
			for k, m := range x.Mounts {
				if m.From.Image != "" && m.From.Image != "scratch" {
					is, err := c.image(m.From.Image, nil)
					if err != nil {
						return nil, &Error{Stage: st.Name, Index: j, Instruction: "RUN", Err: err}
					}
					s.images[[2]int{j, k}] = is
				}
			}
		}
	}
	return s, nil
}

// dispatch compiles the instructions of a stage (dispatchStages).
func (c *compiler) dispatch(ctx context.Context, s *stageState) error {
	switch {
	case s.base != nil:
		b := s.base
		st, err := restate(ctx, b.state)
		if err != nil {
			return &Error{Stage: s.ir.Name, Index: -1, Instruction: "FROM", Err: err}
		}
		s.state = st
		s.env = b.env.share()
		s.hist = b.hist
		s.platform = b.platform
		s.image = cloneImage(b.image)
		s.image.Config.OnBuild = nil
		s.buildArgs = append(s.buildArgs, b.buildArgs...)
	case s.scratch:
		s.state = llb.Scratch()
		s.env = newStateEnv()
		s.image = emptyImage(c.targetPlatform)
		s.hist = &history{root: true, base: s.image.History}
		s.image.History = nil
		p := c.targetPlatform
		s.platform = &p
	default:
		s.state = s.img.state
		s.env = newStateEnv()
		s.image = cloneImage(s.img.image)
		s.hist = &history{root: true, base: s.img.image.History}
		s.image.History = nil
		p := s.img.resolved
		s.platform = &p
	}
	if s.platform == nil {
		p := c.targetPlatform
		s.platform = &p
	}
	if _, ok := shell.EnvsFromSlice(s.image.Config.Env).Get("PATH"); !ok && s.platform.OS != "windows" {
		s.image.Config.Env = append(s.image.Config.Env, "PATH="+system.DefaultPathEnv(s.platform.OS))
	}
	for _, env := range s.image.Config.Env {
		k, v, _ := strings.Cut(env, "=")
		s.state = s.state.AddEnv(k, v)
		s.env.set(k, v)
	}
	if h := c.opt.BuildArgs["BUILDKIT_SANDBOX_HOSTNAME"]; h != "" {
		// Read by the frontend's options (dockerui), as docker build
		// --build-arg BUILDKIT_SANDBOX_HOSTNAME=... sets it.
		s.state = s.state.Hostname(h)
	}
	if wd := s.image.Config.WorkingDir; wd != "" {
		if err := c.workdir(ctx, s, wd, false); err != nil {
			return &Error{Stage: s.ir.Name, Index: -1, Instruction: "FROM", Err: err}
		}
	}
	if u := s.image.Config.User; u != "" {
		s.state = s.state.User(u)
	}
	s.state = s.state.Network(pb.NetMode_UNSET)

	if triggers := s.image.Config.OnBuild; len(triggers) > 0 {
		// The ONBUILD triggers of a base image run first, and are not
		// passed on (resolveStages, initOnBuildTriggers).
		if c.opt.OnBuildTrigger == nil {
			return &Error{Stage: s.ir.Name, Index: -1, Instruction: "FROM", Err: fmt.Errorf("the base image has ONBUILD triggers %q, which this compiler cannot run", triggers)}
		}
		for _, expr := range triggers {
			ins, err := c.opt.OnBuildTrigger(expr)
			for k := 0; err == nil && k < len(ins); k++ {
				err = c.instruction(ctx, s, -1, ins[k])
			}
			if err != nil {
				return &Error{Stage: s.ir.Name, Index: -1, Instruction: "ONBUILD", Err: fmt.Errorf("trigger %q of the base image: %w", expr, err)}
			}
		}
		s.image.Config.OnBuild = nil
	}
	if s.base != nil {
		// The ONBUILD triggers of a base stage run first (initOnBuildTriggers).
		for _, in := range s.base.ir.Instructions {
			if ob, ok := in.(*ir.OnBuild); ok {
				if len(ob.Triggers) == 0 {
					return &Error{Stage: s.ir.Name, Index: -1, Instruction: "ONBUILD", Err: fmt.Errorf("trigger %q has no instruction", ob.Expression)}
				}
				for _, t := range ob.Triggers {
					if err := c.instruction(ctx, s, -1, t); err != nil {
						return &Error{Stage: s.ir.Name, Index: -1, Instruction: "ONBUILD " + ir.Name(t), Err: err}
					}
				}
			}
		}
	}
	for i, in := range s.ir.Instructions {
		if err := c.instruction(ctx, s, i, in); err != nil {
			return &Error{Stage: s.ir.Name, Index: i, Instruction: ir.Name(in), Err: err}
		}
	}
	return nil
}

// stateEnv is the environment that Expand fields are expanded against.
func stateEnv(ctx context.Context, s *stageState) (shell.EnvGetter, error) {
	return s.env, nil
}

func (c *compiler) expand(ctx context.Context, s *stageState, word string) (string, error) {
	env, err := stateEnv(ctx, s)
	if err != nil {
		return "", err
	}
	v, err := c.processWord(c.lex, word, env)
	return v, err
}

// instruction compiles one instruction: the working directory, build args,
// copies and runs here, and what only changes the image config in
// imageConfig.
func (c *compiler) instruction(ctx context.Context, s *stageState, i int, in ir.Instruction) error {
	switch x := in.(type) {
	case *ir.Workdir:
		p := x.Path
		if x.Expand {
			var err error
			if p, err = c.expand(ctx, s, p); err != nil {
				return err
			}
		}
		return c.workdir(ctx, s, p, true)
	case *ir.ArgDecl:
		return c.arg(ctx, s, x.Arg)
	case *ir.Copy:
		return c.copy(ctx, s, i, x)
	case *ir.Run:
		return c.run(ctx, s, i, x)
	default:
		return c.imageConfig(ctx, s, i, in)
	}
}

// dir is the working directory of the stage's state: workdir sets both it
// and the image's, and reading it back from the state would evaluate the
// state's whole chain of options.
func (s *stageState) dir() string {
	return system.ToSlash(s.image.Config.WorkingDir, s.platform.OS)
}

// workdir mirrors dispatchWorkdir.
func (c *compiler) workdir(ctx context.Context, s *stageState, p string, commit bool) error {
	wd, err := system.NormalizeWorkdir(s.image.Config.WorkingDir, p, s.platform.OS)
	if err != nil {
		return fmt.Errorf("normalizing workdir: %w", err)
	}
	s.image.Config.WorkingDir = wd
	wd = system.ToSlash(wd, s.platform.OS)
	s.state = s.state.Dir(wd)
	if !commit {
		return nil
	}
	withLayer := false
	if wd != "/" {
		opts := []llb.MkdirOption{llb.WithParents(true)}
		if u := s.image.Config.User; u != "" {
			opts = append(opts, llb.WithUser(u))
		}
		if c.epoch != nil {
			opts = append(opts, llb.WithCreatedTime(*c.epoch))
		}
		s.state = s.state.File(llb.Mkdir(wd, 0755, opts...), llb.Platform(*s.platform))
		withLayer = true
	}
	c.history(s, "WORKDIR "+wd, withLayer)
	return nil
}

// arg mirrors dispatchArg.
func (c *compiler) arg(ctx context.Context, s *stageState, a ir.Arg) error {
	bv, hasValue := c.opt.BuildArgs[a.Name]
	var value *string
	switch {
	case hasValue:
		value = &bv
	case a.Default != nil:
		v := *a.Default
		if a.Expand {
			var err error
			if v, err = c.expand(ctx, s, v); err != nil {
				return err
			}
		}
		value = &v
	default:
		if v, ok := c.globalArgs.Get(a.Name); ok {
			value = &v
		}
	}
	commit := a.Name
	if value != nil {
		if !nonEnvArgs[a.Name] {
			s.state = s.state.AddEnv(a.Name, *value)
			s.env.set(a.Name, *value)
		}
		commit += "=" + *value
	}
	s.buildArgs = append(s.buildArgs, ir.Arg{Name: a.Name, Default: value})
	c.history(s, "ARG "+commit, false)
	return nil
}

// source returns the state a copy or mount reads from.
func (c *compiler) source(ctx context.Context, s *stageState, src ir.Source, key [2]int) (llb.State, error) {
	switch {
	case src.Stage >= 0:
		return c.stages[src.Stage].state, nil
	case src.Image == "scratch":
		return llb.Scratch(), nil
	case src.Image != "":
		if is := s.images[key]; is != nil {
			return is.state, nil
		}
		return c.triggerSource(ctx, src.Image)
	default:
		return llb.NewState(c.buildContext), nil
	}
}

// triggerSource returns what an ONBUILD trigger copies or mounts from: as
// the frontend parses a trigger in the stage that runs it (toCommand), a
// name is a stage of the build, looked up by name, or else an image,
// resolved when the trigger runs.
func (c *compiler) triggerSource(ctx context.Context, name string) (llb.State, error) {
	if j, ok := c.stageNamed(name, len(c.build.Stages)); ok {
		if j >= c.current {
			return llb.State{}, fmt.Errorf("stage %q, which an ONBUILD trigger uses, is not built before the stage that runs it", c.build.Stages[j].Name)
		}
		if err := c.ensureStage(ctx, j); err != nil {
			return llb.State{}, err
		}
		return c.stages[j].state, nil
	}
	is, err := c.image(name, nil)
	if err != nil {
		return llb.State{}, err
	}
	is.resolve(ctx, c)
	if is.err != nil {
		return llb.State{}, is.err
	}
	return is.state, nil
}

// ensureStage compiles stage j, an earlier stage that only an ONBUILD
// trigger of a base image uses, and the stages it needs, as the frontend
// adds the stages a trigger names to the build (initOnBuildTriggers).
func (c *compiler) ensureStage(ctx context.Context, j int) error {
	if c.stages[j] != nil {
		return nil
	}
	current := c.current
	defer func() { c.current = current }()
	need := c.reachable(j)
	for i := 0; i <= j; i++ {
		if !need[i] || c.stages[i] != nil {
			continue
		}
		s, err := c.newStage(i, c.build.Stages[i])
		if err != nil {
			return err
		}
		if err := c.resolveAll(ctx); err != nil {
			return err
		}
		c.stages[i], c.current = s, i
		if err := c.dispatch(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// triggerSources are the names that the ONBUILD triggers of a stage copy
// or mount from: stages of the build or images (triggerSource).
func triggerSources(st *ir.Stage) []string {
	var out []string
	for _, in := range st.Instructions {
		if ob, ok := in.(*ir.OnBuild); ok {
			out = append(out, ob.SourceNames()...)
		}
	}
	return out
}
