package compile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/system"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/sys/signal"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	mode "github.com/tonistiigi/dchapes-mode"
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
	image     dockerspec.DockerOCIImage
	buildArgs []ir.Arg // declared args with their values, for history
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
		s.state = b.state
		s.platform = b.platform
		s.image = cloneImage(b.image)
		s.image.Config.OnBuild = nil
		s.buildArgs = append(s.buildArgs, b.buildArgs...)
	case s.scratch:
		s.state = llb.Scratch()
		s.image = emptyImage(c.targetPlatform)
		p := c.targetPlatform
		s.platform = &p
	default:
		s.state = s.img.state
		s.image = cloneImage(s.img.image)
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
	return s.state.Env(ctx)
}

func (c *compiler) expand(ctx context.Context, s *stageState, word string) (string, error) {
	env, err := stateEnv(ctx, s)
	if err != nil {
		return "", err
	}
	v, _, err := c.lex.ProcessWord(word, env)
	return v, err
}

func (c *compiler) instruction(ctx context.Context, s *stageState, i int, in ir.Instruction) error {
	img := &s.image
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
	case *ir.Env:
		v := x.Value
		if x.Expand {
			var err error
			if v, err = c.expand(ctx, s, v); err != nil {
				return err
			}
		}
		s.state = s.state.AddEnv(x.Key, v)
		img.Config.Env = addEnv(img.Config.Env, x.Key, v)
		c.history(img, "ENV "+x.Key+"="+v, false)
	case *ir.ArgDecl:
		return c.arg(ctx, s, x.Arg)
	case *ir.EnvGroup:
		// Every value is expanded before any is set (dispatchEnv).
		vals := make([]string, len(x.Vars))
		for k, e := range x.Vars {
			vals[k] = e.Value
			if e.Expand {
				var err error
				if vals[k], err = c.expand(ctx, s, e.Value); err != nil {
					return err
				}
			}
		}
		msg := "ENV"
		for k, e := range x.Vars {
			s.state = s.state.AddEnv(e.Key, vals[k])
			img.Config.Env = addEnv(img.Config.Env, e.Key, vals[k])
			msg += " " + e.Key + "=" + vals[k]
		}
		c.history(img, msg, false)
	case *ir.User:
		u := x.User
		if x.Expand {
			var err error
			if u, err = c.expand(ctx, s, u); err != nil {
				return err
			}
		}
		s.state = s.state.User(u)
		img.Config.User = u
		c.history(img, "USER "+u, false)
	case *ir.Label:
		return c.instruction(ctx, s, i, &ir.LabelGroup{Labels: []ir.Label{*x}})
	case *ir.LabelGroup:
		// Every key and value is expanded before any is set (dispatchLabel).
		kvs := make([][2]string, len(x.Labels))
		for k, l := range x.Labels {
			kvs[k] = [2]string{l.Key, l.Value}
			if l.Expand {
				for f := range kvs[k] {
					v, err := c.expand(ctx, s, kvs[k][f])
					if err != nil {
						return err
					}
					kvs[k][f] = v
				}
			}
		}
		if img.Config.Labels == nil {
			img.Config.Labels = map[string]string{}
		}
		msg := "LABEL"
		for _, kv := range kvs {
			img.Config.Labels[kv[0]] = kv[1]
			msg += " " + kv[0] + "=" + kv[1]
		}
		c.history(img, msg, false)
	case *ir.Maintainer:
		img.Author = x.Name
		c.history(img, "MAINTAINER "+x.Name, false)
	case *ir.OnBuild:
		// Only recorded; a stage based on this one runs the trigger.
		img.Config.OnBuild = append(img.Config.OnBuild, x.Expression)
	case *ir.Expose:
		var ports []string
		if !x.Expand {
			ports = []string{strconv.Itoa(x.Port) + "/" + x.Proto}
		} else {
			env, err := stateEnv(ctx, s)
			if err != nil {
				return err
			}
			// The parser splits the words at white space and sorts them
			// as strings (parseExpose); each is then expanded and split
			// again (dispatchExpose).
			raw := strings.FieldsFunc(x.Spec, func(r rune) bool { return strings.ContainsRune(" \t\v\f\r", r) })
			slices.Sort(raw)
			var words []string
			for _, w := range raw {
				ws, err := c.lex.ProcessWords(w, env)
				if err != nil {
					return err
				}
				words = append(words, ws...)
			}
			if ports, err = parsePorts(words); err != nil {
				return err
			}
		}
		if img.Config.ExposedPorts == nil {
			img.Config.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			img.Config.ExposedPorts[p] = struct{}{}
		}
		c.history(img, "EXPOSE ["+strings.Join(ports, " ")+"]", false) // fmt.Sprintf("EXPOSE %v"), as the frontend writes it
	case *ir.Copy:
		return c.copy(ctx, s, i, x)
	case *ir.Run:
		return c.run(ctx, s, i, x)
	case *ir.Entrypoint:
		img.Config.Entrypoint = slices.Clone(x.Argv)
		if len(x.Argv) == 0 {
			img.Config.Entrypoint = nil // ENTRYPOINT [] (parseShellDependentCommand)
		}
		if x.Shell {
			img.Config.Entrypoint = withShell(*img, x.Argv)
		}
		if !s.cmdSet {
			img.Config.Cmd = nil
		}
		c.history(img, "ENTRYPOINT "+quoteList(img.Config.Entrypoint), false)
	case *ir.Cmd:
		img.Config.Cmd = slices.Clone(x.Argv)
		if len(x.Argv) == 0 {
			img.Config.Cmd = []string{} // CMD [] (handleJSONArgs)
		}
		if x.Shell {
			img.Config.Cmd = withShell(*img, x.Argv)
		}
		img.Config.ArgsEscaped = true //nolint:staticcheck // set by the Dockerfile frontend for Docker compatibility
		s.cmdSet = true
		c.history(img, "CMD "+quoteList(img.Config.Cmd), false)
	case *ir.Healthcheck:
		hc := &dockerspec.HealthcheckConfig{}
		switch {
		case x.None:
			hc.Test = []string{"NONE"}
		case x.Shell:
			hc.Test = []string{"CMD-SHELL", strings.Join(x.Test, " ")}
		default:
			hc.Test = append([]string{"CMD"}, x.Test...)
		}
		if !x.None {
			hc.Interval, hc.Timeout, hc.StartPeriod, hc.StartInterval = x.Interval, x.Timeout, x.StartPeriod, x.StartInterval
			hc.Retries = x.Retries
		}
		img.Config.Healthcheck = hc
		c.history(img, fmt.Sprintf("HEALTHCHECK %+v", *hc), false)
	case *ir.StopSignal:
		sig := x.Signal
		if x.Expand {
			var err error
			if sig, err = c.expand(ctx, s, sig); err != nil {
				return err
			}
			if _, err := signal.ParseSignal(sig); err != nil {
				return err
			}
		}
		img.Config.StopSignal = sig
		c.history(img, "STOPSIGNAL "+sig, false)
	case *ir.Volume:
		paths := x.Paths
		if x.Expand {
			paths = make([]string, len(x.Paths))
			for k, p := range x.Paths {
				v, err := c.expand(ctx, s, p)
				if err != nil {
					return err
				}
				if v == "" {
					return errors.New("VOLUME specified can not be an empty string")
				}
				paths[k] = v
			}
		}
		if img.Config.Volumes == nil {
			img.Config.Volumes = map[string]struct{}{}
		}
		for _, v := range paths {
			img.Config.Volumes[v] = struct{}{}
		}
		c.history(img, fmt.Sprintf("VOLUME %v", paths), false)
	case *ir.Shell:
		img.Config.Shell = slices.Clone(x.Argv)
		c.history(img, fmt.Sprintf("SHELL %v", x.Argv), false)
	default:
		return fmt.Errorf("unsupported instruction %T", in)
	}
	return nil
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
	c.history(&s.image, "WORKDIR "+wd, withLayer)
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
		}
		commit += "=" + *value
	}
	s.buildArgs = append(s.buildArgs, ir.Arg{Name: a.Name, Default: value})
	c.history(&s.image, "ARG "+commit, false)
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

// copy mirrors dispatchCopy for COPY from the context, a stage or an
// image, for heredoc contents, and for ADD of local files (which unpacks
// archives), URLs and git repositories.
func (c *compiler) copy(ctx context.Context, s *stageState, i int, cp *ir.Copy) error {
	srcs := cp.Sources
	dst := cp.Dest
	chown, chmod, checksum := cp.Chown, cp.Chmod, cp.Checksum
	contents := cp.Contents
	if cp.Expand {
		srcs = make([]string, len(cp.Sources))
		for k, src := range cp.Sources {
			v, err := c.expand(ctx, s, src)
			if err != nil {
				return err
			}
			srcs[k] = v
		}
		var err error
		if dst, err = c.expand(ctx, s, dst); err != nil {
			return err
		}
		for _, f := range []*string{&checksum, &chown, &chmod} {
			if *f, err = c.expand(ctx, s, *f); err != nil {
				return err
			}
		}
		if len(contents) > 0 {
			// Heredoc contents are expanded without quote processing
			// (ExpandRaw).
			env, err := stateEnv(ctx, s)
			if err != nil {
				return err
			}
			lex := shell.NewLex('\\')
			lex.SkipProcessQuotes = true
			contents = slices.Clone(contents)
			for k := range contents {
				v, _, err := lex.ProcessWord(contents[k].Data, env)
				if err != nil {
					return err
				}
				contents[k].Data = v
			}
		}
	}
	platform := *s.platform
	dest, err := pathRelativeToWorkingDir(s.dir(), dst, platform)
	if err != nil {
		return err
	}
	var copyOpt []llb.CopyOption
	if chown != "" {
		// Checked once expanded, as the frontend does (dispatchCopy).
		if cp.Link && ChownByName(chown) {
			return fmt.Errorf("--chown=%s: user and group names can't be resolved when used with --link, use numeric uid[:gid] instead", chown)
		}
		copyOpt = append(copyOpt, llb.WithUser(chown))
	}
	if len(cp.Exclude) > 0 {
		copyOpt = append(copyOpt, llb.WithExcludePatterns(cp.Exclude))
	}
	var chopt *llb.ChmodOpt
	if chmod != "" {
		chopt = &llb.ChmodOpt{}
		p, err := strconv.ParseUint(chmod, 8, 32)
		switch {
		case err == nil && p > 0o7777:
			return fmt.Errorf("invalid chmod parameter: '%v'. it should be octal string and between 0 and 07777", chmod)
		case err == nil:
			chopt.Mode = os.FileMode(p)
		default:
			if _, err := mode.Parse(chmod); err != nil {
				return fmt.Errorf("invalid chmod parameter: '%v': %w", chmod, err)
			}
			chopt.ModeStr = chmod
		}
	}
	if checksum != "" {
		switch {
		case !cp.Add:
			return fmt.Errorf("checksum can't be specified for COPY")
		case len(srcs) != 1:
			return fmt.Errorf("checksum can't be specified for multiple sources")
		case !isHTTPSource(srcs[0]) && !isGitSource(srcs[0]):
			return fmt.Errorf("checksum requires HTTP(S) or Git sources")
		}
	}
	from, err := c.source(ctx, s, cp.From, [2]int{i, -1})
	if err != nil {
		return err
	}
	msg := "COPY"
	if cp.Add {
		msg = "ADD"
	}
	if cp.Parents {
		msg += " --parents"
	}
	if chown != "" {
		msg += " --chown=" + chown
	}
	if chmod != "" {
		msg += " --chmod=" + chmod
	}
	var a *llb.FileAction
	add := func(st llb.State, src string, info *llb.CopyInfo) {
		opts := append([]llb.CopyOption{info}, copyOpt...)
		if a == nil {
			a = llb.Copy(st, src, dest, opts...)
		} else {
			a = a.Copy(st, src, dest, opts...)
		}
	}
	keepGitDir := cp.KeepGitDir
	for _, src := range srcs {
		msg += " " + src
		gitRef, isGit, gitRefErr := parseGitRef(src)
		if gitRefErr != nil && isGit {
			return gitRefErr
		}
		if gitRefErr == nil && !gitRef.IndistinguishableFromLocal {
			if !cp.Add {
				return fmt.Errorf("source can't be a git ref for COPY")
			}
			gitOptions := []llb.GitOption{llb.GitRef(gitRef.Ref)}
			if keepGitDir != nil && gitRef.KeepGitDir != nil && *keepGitDir != *gitRef.KeepGitDir {
				return fmt.Errorf("inconsistent keep-git-dir configuration")
			}
			if gitRef.KeepGitDir != nil {
				keepGitDir = gitRef.KeepGitDir
			}
			if keepGitDir != nil && *keepGitDir {
				gitOptions = append(gitOptions, llb.KeepGitDir())
			}
			if checksum != "" && gitRef.Checksum != "" && checksum != gitRef.Checksum {
				return fmt.Errorf("checksum mismatch %q != %q", checksum, gitRef.Checksum)
			}
			if gitRef.Checksum != "" {
				checksum = gitRef.Checksum
			}
			if checksum != "" {
				gitOptions = append(gitOptions, llb.GitChecksum(checksum))
			}
			if gitRef.SubDir != "" {
				gitOptions = append(gitOptions, llb.GitSubDir(gitRef.SubDir))
			}
			if gitRef.Submodules != nil && !*gitRef.Submodules {
				gitOptions = append(gitOptions, llb.GitSkipSubmodules())
			}
			if gitRef.FetchByCommit {
				gitOptions = append(gitOptions, llb.GitFetchByCommit())
			}
			add(llb.Git(gitRef.Remote, "", gitOptions...), "/", &llb.CopyInfo{Mode: chopt, CreateDestPath: true})
			continue
		}
		if isHTTPSource(src) {
			if !cp.Add {
				return fmt.Errorf("source can't be a URL for COPY")
			}
			// Remote archives are not unpacked.
			f := "__unnamed__"
			if u, err := url.Parse(src); err == nil {
				if base := path.Base(u.Path); base != "." && base != "/" {
					f = base
				}
			}
			unpack := false
			if cp.Unpack != nil {
				unpack = *cp.Unpack
			}
			var dgst digest.Digest
			if checksum != "" {
				if dgst, err = digest.Parse(checksum); err != nil {
					return err
				}
			}
			add(llb.HTTP(src, llb.Filename(f), llb.Checksum(dgst)), f, &llb.CopyInfo{Mode: chopt, CreateDestPath: true, AttemptUnpack: unpack})
			continue
		}
		var patterns, requiredPaths []string
		if cp.Parents {
			parent, pattern, ok := strings.Cut(src, "/./")
			if !ok {
				pattern = src
				src = "/"
			} else {
				src = parent
			}
			pattern, err = system.NormalizePath("/", pattern, platform.OS, false)
			if err != nil {
				return err
			}
			patterns = []string{strings.TrimPrefix(pattern, "/")}
			if !containsWildcards(src) && !containsWildcards(pattern) {
				requiredPaths = []string{filepath.Join(src, pattern)}
			}
		}
		src, err = system.NormalizePath("/", src, platform.OS, false)
		if err != nil {
			return err
		}
		for k, rp := range requiredPaths {
			if requiredPaths[k], err = system.NormalizePath("/", rp, platform.OS, false); err != nil {
				return err
			}
		}
		unpack := cp.Add
		if cp.Unpack != nil {
			unpack = *cp.Unpack
		}
		add(from, src, &llb.CopyInfo{
			Mode:                chopt,
			FollowSymlinks:      true,
			CopyDirContentsOnly: true,
			IncludePatterns:     patterns,
			RequiredPaths:       requiredPaths,
			AttemptUnpack:       unpack,
			CreateDestPath:      true,
			AllowWildcard:       true,
			AllowEmptyWildcard:  true,
		})
	}
	for _, content := range contents {
		msg += " <<" + content.Name
		f, err := system.CheckSystemDriveAndRemoveDriveLetter(content.Name, platform.OS, false)
		if err != nil {
			return fmt.Errorf("removing drive letter: %w", err)
		}
		st := llb.Scratch().File(llb.Mkfile(f, 0644, []byte(content.Data)), llb.Platform(platform))
		add(st, system.ToSlash(f, platform.OS), &llb.CopyInfo{Mode: chopt, CreateDestPath: true})
	}
	msg += " " + dst
	if cp.Link && chmod == "" {
		s.state = s.state.WithOutput(llb.Merge([]llb.State{s.state, llb.Scratch().File(a, llb.Platform(platform))}).Output())
	} else {
		s.state = s.state.File(a)
	}
	switch {
	case cp.Add:
		for _, src := range srcs {
			if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
				c.ctxPaths[path.Join("/", filepath.ToSlash(src))] = struct{}{}
			}
		}
	case cp.From.IsContext():
		for _, src := range srcs {
			c.ctxPaths[path.Join("/", filepath.ToSlash(src))] = struct{}{}
		}
	}
	c.history(&s.image, msg+" # buildkit", true)
	return nil
}

func isHTTPSource(src string) bool {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return false
	}
	return !isGitSource(src)
}

func isGitSource(src string) bool {
	gitRef, isGit, _ := parseGitRef(src)
	return gitRef != nil && isGit
}

// parseGitRef is dfgitutil.ParseGitRef, without its URL parsing and
// regular expressions for the common case of a plain path: a git ref has a
// scheme or an scp-style host, both with a ':', or starts with github.com/.
func parseGitRef(src string) (*dfgitutil.GitRef, bool, error) {
	if !strings.Contains(src, ":") && !strings.HasPrefix(src, "github.com/") {
		return nil, false, errNotGit
	}
	return dfgitutil.ParseGitRef(src)
}

// errNotGit stands for the error ParseGitRef returns for a plain path; only
// its being non-nil matters.
var errNotGit = errors.New("not a git reference")

func containsWildcards(name string) bool {
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '*', '?', '[':
			return true
		case '\\':
			i++
		}
	}
	return false
}

func pathRelativeToWorkingDir(dir, p string, platform ocispecs.Platform) (string, error) {
	p, err := system.CheckSystemDriveAndRemoveDriveLetter(p, platform.OS, true)
	if err != nil {
		return "", fmt.Errorf("removing drive letter: %w", err)
	}
	if system.IsAbs(p, platform.OS) {
		return system.NormalizePath("/", p, platform.OS, true)
	}
	if p == "." || p == "" {
		p = "./"
	}
	return system.NormalizePath(dir, p, platform.OS, true)
}

// run mirrors dispatchRun and dispatchRunMounts.
func (c *compiler) run(ctx context.Context, s *stageState, i int, r *ir.Run) error {
	var args []string
	var heredocMount llb.RunOption
	switch {
	case r.Shell && r.Heredoc:
		hr, err := ir.ParseHeredocRun(r.Command)
		if err != nil {
			return err
		}
		if hr.Single && s.image.OS != "windows" && strings.HasPrefix(hr.Data, "#!") {
			// A script file, written to /dev/pipes and run.
			st := llb.Scratch().Dir("/").File(llb.Mkfile(hr.Name, 0755, []byte(hr.Data)), llb.Platform(*s.platform))
			heredocMount = llb.AddMount("/dev/pipes/", st, llb.SourcePath("/"), llb.Readonly)
			args = withShell(s.image, []string{path.Join("/dev/pipes/", hr.Name)})
		} else {
			args = withShell(s.image, []string{hr.Script})
		}
	case r.Shell:
		script := r.Command
		if ir.ScriptNeedsHeredoc(script) {
			if strings.HasPrefix(script, "#!") {
				return fmt.Errorf("a multi-line script may not start with #!")
			}
			script += "\n"
		}
		args = withShell(s.image, []string{script})
	default:
		args = slices.Clone(r.Argv)
	}
	var opts []llb.RunOption
	if heredocMount != nil {
		opts = append(opts, heredocMount)
	}
	opts = append(opts, llb.Args(args))
	if c.proxy != nil {
		opts = append(opts, llb.WithProxy(*c.proxy))
	}
	for k, m := range r.Mounts {
		o, err := c.mount(ctx, s, m, [2]int{i, k})
		if err != nil {
			return err
		}
		opts = append(opts, o)
	}
	if r.Security == "insecure" {
		opts = append(opts, llb.Security(pb.SecurityMode_INSECURE))
	} else {
		opts = append(opts, llb.Security(pb.SecurityMode_SANDBOX))
	}
	switch r.Network {
	case "none":
		opts = append(opts, llb.Network(pb.NetMode_NONE))
	case "host":
		opts = append(opts, llb.Network(pb.NetMode_HOST))
	}
	var env shell.EnvGetter
	if len(s.buildArgs) > 0 {
		// Only the history line needs the environment: skip evaluating it.
		var err error
		if env, err = stateEnv(ctx, s); err != nil {
			return err
		}
	}
	s.state = s.state.Run(opts...).Root()
	c.history(&s.image, "RUN "+runCommandString(args, s.buildArgs, env)+" # buildkit", true)
	return nil
}

func (c *compiler) mount(ctx context.Context, s *stageState, m ir.Mount, key [2]int) (llb.RunOption, error) {
	if m.Expand {
		for _, f := range []*string{&m.Target, &m.ID, &m.Source} {
			v, err := c.expand(ctx, s, *f)
			if err != nil {
				return nil, err
			}
			*f = v
		}
	}
	for _, mv := range m.Vars {
		v, err := c.expand(ctx, s, mv.Word)
		if err != nil {
			return nil, err
		}
		if err := setMountVar(&m, mv.Key, v); err != nil {
			return nil, err
		}
	}
	switch m.Type {
	case ir.MountSecret:
		// env= that expands to "" still asks for an environment
		// variable: the frontend keeps "set but empty" apart from unset.
		envSet := m.Env != "" || slices.ContainsFunc(m.Vars, func(mv ir.MountVar) bool { return mv.Key == "env" })
		return secretMount(m, envSet, s.platform.OS == "windows")
	case ir.MountSSH:
		return sshMount(m), nil
	}
	from := m.From
	if m.Type == ir.MountCache && from.IsContext() {
		from = ir.ImageSource("scratch")
	}
	st, err := c.source(ctx, s, from, key)
	if err != nil {
		return nil, err
	}
	var mopts []llb.MountOption
	if m.Type == ir.MountTmpfs {
		st = llb.Scratch()
		mopts = append(mopts, llb.Tmpfs(llb.TmpfsSize(m.Size)))
	}
	readOnly := (m.Type == ir.MountBind && !m.ReadWrite) || (m.Type == ir.MountCache && m.ReadOnly)
	if readOnly {
		mopts = append(mopts, llb.Readonly)
	} else if m.Type == ir.MountBind {
		mopts = append(mopts, llb.ForceNoOutput)
	}
	if m.Type == ir.MountCache {
		sharing := llb.CacheMountShared
		switch m.Sharing {
		case "private":
			sharing = llb.CacheMountPrivate
		case "locked":
			sharing = llb.CacheMountLocked
		}
		id := m.ID
		if id == "" {
			id = path.Clean(m.Target)
		}
		// BUILDKIT_CACHE_MOUNT_NS prefixes every cache id (dockerui).
		mopts = append(mopts, llb.AsPersistentCacheDir(c.opt.BuildArgs["BUILDKIT_CACHE_MOUNT_NS"]+"/"+id, sharing))
	}
	target := m.Target
	if !system.IsAbsolutePath(filepath.Clean(target)) {
		target = filepath.Join("/", s.dir(), target)
	}
	if target == "/" {
		return nil, fmt.Errorf("invalid mount target %q", target)
	}
	if src := path.Join("/", m.Source); src != "/" {
		mopts = append(mopts, llb.SourcePath(src))
	} else if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, os.FileMode(0755)
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = os.FileMode(*m.Mode)
		}
		st = st.File(llb.Mkdir("/cache", mode, llb.WithUIDGID(uid, gid)))
		mopts = append(mopts, llb.SourcePath("/cache"))
	}
	// The frontend mounts a cache without from= on scratch, not on the
	// context, so it adds no context path.
	if m.From.IsContext() && m.Type != ir.MountCache {
		c.ctxPaths[path.Join("/", filepath.ToSlash(m.Source))] = struct{}{}
	}
	return llb.AddMount(target, st, mopts...), nil
}

// secretMount mirrors the mount parser's check of secret mounts and
// dispatchSecret.
func secretMount(m ir.Mount, envSet, windows bool) (llb.RunOption, error) {
	targetPath := m.Target
	if windows {
		targetPath = system.ToSlash(targetPath, "windows")
	}
	id := m.ID
	if id == "" {
		if targetPath == "" {
			return nil, errors.New("invalid secret mount. one of source, target required")
		}
		id = path.Base(targetPath)
	}
	if windows && targetPath != "" && !system.IsAbs(targetPath, "windows") {
		return nil, fmt.Errorf("secret target %q must be an absolute path with forward slashes on Windows, e.g. --mount=type=secret,id=%s,target=C:/path/to/secret", targetPath, id)
	}
	var target *string
	if targetPath != "" {
		target = &targetPath
	}
	if !envSet {
		dest := targetPath
		if dest == "" {
			if windows {
				return nil, fmt.Errorf("secret target is required on Windows, e.g. --mount=type=secret,id=%s,target=C:/path/to/secret", id)
			}
			dest = "/run/secrets/" + path.Base(id)
		}
		target = &dest
	}
	opts := []llb.SecretOption{llb.SecretID(id)}
	if !m.Required {
		opts = append(opts, llb.SecretOptional)
	}
	if envSet {
		opts = append(opts, llb.SecretAsEnvName(m.Env))
	}
	if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, 0400
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = int(*m.Mode)
		}
		opts = append(opts, llb.SecretFileOpt(uid, gid, mode))
	}
	return llb.AddSecretWithDest(id, target, opts...), nil
}

// sshMount mirrors dispatchSSH.
func sshMount(m ir.Mount) llb.RunOption {
	opts := []llb.SSHOption{llb.SSHID(m.ID)}
	if m.Target != "" {
		opts = append(opts, llb.SSHSocketTarget(m.Target))
	}
	if !m.Required {
		opts = append(opts, llb.SSHOptional)
	}
	if m.UID != nil || m.GID != nil || m.Mode != nil {
		uid, gid, mode := 0, 0, 0600
		if m.UID != nil {
			uid = int(*m.UID)
		}
		if m.GID != nil {
			gid = int(*m.GID)
		}
		if m.Mode != nil {
			mode = int(*m.Mode)
		}
		opts = append(opts, llb.SSHSocketOpt(m.Target, uid, gid, mode))
	}
	return llb.AddSSHSocket(opts...)
}

func withShell(img dockerspec.DockerOCIImage, args []string) []string {
	var sh []string
	if len(img.Config.Shell) > 0 {
		sh = slices.Clone(img.Config.Shell)
	} else if img.OS == "windows" {
		sh = []string{"cmd", "/S", "/C"}
	} else {
		sh = []string{"/bin/sh", "-c"}
	}
	return append(sh, strings.Join(args, " "))
}

func addEnv(env []string, k, v string) []string {
	for i, e := range env {
		key, _, _ := strings.Cut(e, "=")
		if shell.EqualEnvKeys(key, k) {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}

func cloneImage(src dockerspec.DockerOCIImage) dockerspec.DockerOCIImage {
	img := src
	img.Config.Env = slices.Clone(src.Config.Env)
	img.Config.Cmd = slices.Clone(src.Config.Cmd)
	img.Config.Entrypoint = slices.Clone(src.Config.Entrypoint)
	img.Config.OnBuild = slices.Clone(src.Config.OnBuild)
	img.Config.ExposedPorts = maps.Clone(src.Config.ExposedPorts)
	img.Config.Volumes = maps.Clone(src.Config.Volumes)
	img.Config.Labels = maps.Clone(src.Config.Labels)
	img.Config.Shell = slices.Clone(src.Config.Shell)
	if src.Config.Healthcheck != nil {
		hc := *src.Config.Healthcheck
		hc.Test = slices.Clone(src.Config.Healthcheck.Test)
		img.Config.Healthcheck = &hc
	}
	img.History = slices.Clone(src.History)
	return img
}

// quoteList formats argv as fmt's %q does for a []string, without fmt.
func quoteList(argv []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(a))
	}
	b.WriteByte(']')
	return b.String()
}

// history mirrors commitToHistory.
func (c *compiler) history(img *dockerspec.DockerOCIImage, msg string, withLayer bool) {
	img.History = append(img.History, ocispecs.History{
		CreatedBy:  msg,
		Comment:    "buildkit.dockerfile.v0",
		EmptyLayer: !withLayer,
		Created:    c.epoch,
	})
}

// runCommandString mirrors the frontend's history line of a RUN.
func runCommandString(args []string, buildArgs []ir.Arg, env shell.EnvGetter) string {
	var tmp []string
	idx := map[string]int{}
	for _, a := range buildArgs {
		v, ok := env.Get(a.Name)
		if !ok {
			v = ""
			if a.Default != nil {
				v = *a.Default
			}
		}
		if j, ok := idx[a.Name]; ok {
			tmp[j] = a.Name + "=" + v
		} else {
			idx[a.Name] = len(tmp)
			tmp = append(tmp, a.Name+"="+v)
		}
	}
	if len(tmp) > 0 {
		tmp = append([]string{fmt.Sprintf("|%d", len(tmp))}, tmp...)
	}
	return strings.Join(append(tmp, args...), " ")
}

// parsePorts mirrors the frontend's portSpecs.parsePorts: each spec is
// [[ip:]hostPort:]port[-port][/proto], and becomes one "port/proto" per
// port of the container range.
func parsePorts(specs []string) ([]string, error) {
	var out []string
	for _, raw := range specs {
		ip, hostPort, port := splitPortParts(raw)
		port, proto, _ := strings.Cut(port, "/")
		if port == "" {
			return nil, fmt.Errorf("invalid port: %q: no port specified", raw)
		}
		switch strings.ToLower(proto) {
		case "":
			proto = "tcp"
		case "tcp", "udp", "sctp":
		default:
			return nil, fmt.Errorf("invalid port: %q: invalid proto: %s", raw, proto)
		}
		if ip != "" && ip[0] == '[' {
			h, _, err := net.SplitHostPort(ip + ":")
			if err != nil {
				return nil, fmt.Errorf("invalid IP address %v: %w", ip, err)
			}
			ip = h
		}
		if ip != "" && net.ParseIP(ip) == nil {
			return nil, fmt.Errorf("invalid IP address: %s", ip)
		}
		start, end, err := portRange(port)
		if err != nil {
			return nil, fmt.Errorf("invalid containerPort: %s", port)
		}
		if hostPort != "" {
			hs, he, err := portRange(hostPort)
			if err != nil {
				return nil, fmt.Errorf("invalid hostPort: %s", hostPort)
			}
			if end-start != he-hs && end != start {
				return nil, fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s", port, hostPort)
			}
		}
		for p := start; p <= end; p++ {
			out = append(out, strconv.Itoa(p)+"/"+strings.ToLower(proto))
		}
	}
	return out, nil
}

func splitPortParts(raw string) (ip, hostPort, port string) {
	parts := strings.Split(raw, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

// portRange reads "port" or "start-end", ports in 0-65535.
func portRange(v string) (int, int, error) {
	lo, hi, isRange := strings.Cut(v, "-")
	start, err := portNumber(lo)
	if err != nil {
		return 0, 0, err
	}
	if !isRange || lo == hi {
		return start, start, nil
	}
	end, err := portNumber(hi)
	if err != nil {
		return 0, 0, err
	}
	if end < start {
		return 0, 0, fmt.Errorf("invalid port range: %s", v)
	}
	return start, end, nil
}

func portNumber(v string) (int, error) {
	if v == "" {
		return 0, fmt.Errorf("value is empty")
	}
	n, err := strconv.ParseInt(v, 10, 0)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 65535 {
		return 0, fmt.Errorf("value out of range (0–65535)")
	}
	return int(n), nil
}

// setMountVar sets the option key of m to the expanded value v, read as
// the frontend reads --mount values (instructions.parseMount).
func setMountVar(m *ir.Mount, key, v string) error {
	invalid := func() error { return fmt.Errorf("invalid value %s for %s", v, key) }
	parseBool := func() (bool, error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return false, invalid()
		}
		return b, nil
	}
	switch key {
	case "uid", "gid":
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return invalid()
		}
		id := uint32(n)
		if key == "uid" {
			m.UID = &id
		} else {
			m.GID = &id
		}
	case "mode":
		n, err := strconv.ParseUint(v, 8, 32)
		if err != nil {
			return invalid()
		}
		mode := uint32(n)
		m.Mode = &mode
	case "size":
		n, err := units.RAMInBytes(v)
		if err != nil {
			return invalid()
		}
		m.Size = n
	case "sharing":
		switch sh := strings.ToLower(v); sh {
		case "shared", "private", "locked":
			m.Sharing = sh
		default:
			return fmt.Errorf("unsupported sharing value %q", v)
		}
	case "required":
		b, err := parseBool()
		if err != nil {
			return err
		}
		m.Required = b
	case "readonly", "ro", "readwrite", "rw":
		b, err := parseBool()
		if err != nil {
			return err
		}
		readOnly := b == (key == "readonly" || key == "ro")
		m.ReadOnly, m.ReadWrite = readOnly && m.Type == ir.MountCache, !readOnly && m.Type == ir.MountBind
	case "env":
		m.Env = v
	default:
		return fmt.Errorf("unexpected mount option %q", key)
	}
	return nil
}

// ChownByName reports whether an owner names a user or group, which a
// linked copy cannot look up (the frontend's chownByName).
func ChownByName(chown string) bool {
	co, ok := llb.WithUser(chown).(llb.ChownOpt)
	if !ok {
		return false
	}
	return (co.User != nil && co.User.Name != "") || (co.Group != nil && co.Group.Name != "")
}
