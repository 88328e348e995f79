// Package compile lowers the IR of a multi-stage build to BuildKit LLB and
// computes the image config, with the semantics of BuildKit's Dockerfile
// frontend (frontend/dockerfile/dockerfile2llb) but without a Dockerfile:
// for the Dockerfile that internal/dockerfile renders from the same IR, the
// frontend produces the same ops and the same image config. The functions
// below name the frontend functions they mirror.
package compile

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/moby/buildkit/util/system"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options configure Compile.
type Options struct {
	// Resolver resolves base images; nil for no network I/O.
	Resolver llb.ImageMetaResolver
	// ResolveConcurrently resolves all base images at once, for a resolver
	// known to go to a registry. Without it, Compile finds that out from
	// the resolver's first slow answer (see resolveAll).
	ResolveConcurrently bool
	// BuildArgs are --build-arg values.
	BuildArgs map[string]string
	// Platform is the target platform; nil for the build platform.
	Platform *ocispecs.Platform
	// BuildPlatform is the platform of the builder; nil for the target
	// platform when that is set, or else the platform of this machine.
	BuildPlatform *ocispecs.Platform
	// ContextName is the name of the local source of the build context;
	// "context" when empty.
	ContextName string
	// ContextExclude are .dockerignore patterns for the build context.
	ContextExclude []string
	// SessionID, when set, is the session the build context is read from.
	SessionID string
	// OnBuildTrigger turns an ONBUILD trigger recorded in the config of a
	// base image into the instruction that the stage runs first, as
	// BuildKit's Dockerfile frontend does. When it is nil, a base image
	// with ONBUILD triggers is an error.
	OnBuildTrigger func(expression string) ([]ir.Instruction, error)
	// ContextUniqueID identifies the build context to BuildKit, which uses
	// it to send only what changed since the last build of the same
	// context. The default is derived from ContextName, so output stays
	// deterministic.
	ContextUniqueID string
	// Caps are the LLB capabilities of the daemon the build is for, as
	// its gateway reports them (BuildOpts().LLBCaps); nil for every
	// capability of this module's BuildKit. Compile falls back where the
	// Dockerfile frontend falls back, filters the build context itself
	// where the daemon's copies cannot, and refuses the rest with an error
	// that wraps ErrUnsupported (see caps.go).
	Caps *apicaps.CapSet
	// MaxExpandedValue is the longest value an expansion of variables may
	// give, and MaxExpandedTotal the most all the expansions of the
	// compile may give; beyond them Compile fails with an error that wraps
	// ErrExpansionLimit. Zero or less is DefaultMaxExpandedValue and
	// DefaultMaxExpandedTotal.
	MaxExpandedValue, MaxExpandedTotal int
}

// Result is a compiled build.
type Result struct {
	// State is the LLB state of the target stage, with marshal defaults set.
	State      llb.State
	Definition *llb.Definition
	Image      dockerspec.DockerOCIImage
	// Epoch is the time of SOURCE_DATE_EPOCH, nil when it is not set.
	Epoch *time.Time
	// BaseConfig is the config of the image the target stage is built
	// on (through the stages it is based on), as the resolver gave it;
	// nil for scratch. The image exporter keeps that image's history
	// and layers as they are under SOURCE_DATE_EPOCH.
	BaseConfig []byte
}

// Error is a problem found while compiling one instruction.
type Error struct {
	Stage       string
	Index       int // -1 for FROM
	Instruction string
	Err         error
}

func (e *Error) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("stage %q: %s: %v", e.Stage, e.Instruction, e.Err)
	}
	return fmt.Sprintf("stage %q: instruction %d (%s): %v", e.Stage, e.Index+1, e.Instruction, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// nonEnvArgs are build args that never become environment variables.
var nonEnvArgs = map[string]bool{"BUILDKIT_SBOM_SCAN_CONTEXT": true, "BUILDKIT_SBOM_SCAN_STAGE": true}

// compiler holds the state of one Compile call.
type compiler struct {
	opt            Options
	caps           *apicaps.CapSet
	anyCaps        bool // no caps given: every feature is taken as supported
	limits         *limits
	build          *ir.Build
	targetPlatform ocispecs.Platform
	buildPlatforms []ocispecs.Platform
	implicitTarget bool
	globalArgs     *llb.EnvList
	epoch          *time.Time    // SOURCE_DATE_EPOCH
	proxy          *llb.ProxyEnv // of every RUN
	lex            *shell.Lex
	stages         []*stageState
	images         map[imageKey]*imageState
	buildContext   *mutableOutput
	ctxPaths       map[string]struct{}
	current        int // the stage being dispatched
}

// mutableOutput lets ops refer to the build context before it is known
// which paths of it the build uses (dockerfile2llb's mutableOutput).
type mutableOutput struct{ llb.Output }

// Compile compiles the last stage of m.
func Compile(ctx context.Context, m *ir.Build, opt Options) (*Result, error) {
	if len(m.Stages) == 0 {
		return nil, fmt.Errorf("no stages")
	}
	c := &compiler{
		opt:          opt,
		caps:         opt.Caps,
		limits:       newLimits(opt),
		build:        m,
		lex:          shell.NewLex('\\'),
		images:       map[imageKey]*imageState{},
		buildContext: &mutableOutput{},
		ctxPaths:     map[string]struct{}{},
	}
	if c.caps == nil {
		c.caps, c.anyCaps = &allCaps, true
	}
	c.platforms()
	c.proxy = proxyEnv(opt.BuildArgs)
	if err := c.globalArgsOf(m.Args); err != nil {
		return nil, &Error{Index: -1, Instruction: "ARG", Err: err}
	}
	target := len(m.Stages) - 1
	reachable := c.reachable(target)
	c.stages = make([]*stageState, len(m.Stages))
	for i, st := range m.Stages {
		if !reachable[i] {
			if err := c.checkUnreachable(i, st); err != nil {
				return nil, err
			}
			continue
		}
		s, err := c.newStage(i, st)
		if err != nil {
			return nil, err
		}
		c.stages[i] = s
	}
	if err := c.resolveAll(ctx); err != nil {
		return nil, err
	}
	for i := range m.Stages {
		if c.stages[i] == nil {
			continue
		}
		c.current = i
		if err := c.dispatch(ctx, c.stages[i]); err != nil {
			return nil, err
		}
	}
	t := c.stages[target]
	c.finalizeContext()

	st := t.state.SetMarshalDefaults(llb.Platform(c.targetPlatform), llb.WithCaps(*c.caps))
	img := t.image
	img.History = t.hist.entries()
	if !c.implicitTarget {
		tp := c.targetPlatform
		sameOsArch := tp.OS == img.OS && tp.Architecture == img.Architecture
		img.OS, img.Architecture = tp.OS, tp.Architecture
		if tp.Variant != "" || !sameOsArch {
			img.Variant = tp.Variant
		}
		if tp.OSVersion != "" || !sameOsArch {
			img.OSVersion = tp.OSVersion
		}
		if tp.OSFeatures != nil {
			img.OSFeatures = slices.Clone(tp.OSFeatures)
		}
	}
	img.Platform = platforms.Normalize(img.Platform)

	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	if !c.anyCaps {
		if err := checkDefinition(def, c.caps); err != nil {
			return nil, err
		}
	}
	return &Result{State: st, Definition: def, Image: img, Epoch: c.epoch, BaseConfig: t.baseConfig()}, nil
}

// platforms mirrors buildPlatformOpt.
func (c *compiler) platforms() {
	var build []ocispecs.Platform
	if c.opt.BuildPlatform != nil {
		build = []ocispecs.Platform{*c.opt.BuildPlatform}
	} else if c.opt.Platform != nil {
		build = []ocispecs.Platform{*c.opt.Platform}
	} else {
		build = []ocispecs.Platform{platforms.DefaultSpec()}
	}
	c.buildPlatforms = build
	if c.opt.Platform != nil {
		c.targetPlatform = *c.opt.Platform
	} else {
		c.targetPlatform = build[0]
		c.implicitTarget = true
	}
}

// globalArgsOf mirrors defaultArgs and buildMetaArgs.
func (c *compiler) globalArgsOf(args []ir.Arg) error {
	bp, tp := c.buildPlatforms[0], c.targetPlatform
	target := c.build.Stages[len(c.build.Stages)-1].Name
	if target == "" {
		target = "default"
	}
	defaults := [...][2]string{
		{"BUILDPLATFORM", platforms.Format(bp)},
		{"BUILDOS", bp.OS},
		{"BUILDOSVERSION", bp.OSVersion},
		{"BUILDARCH", bp.Architecture},
		{"BUILDVARIANT", bp.Variant},
		{"TARGETPLATFORM", platforms.FormatAll(tp)},
		{"TARGETOS", tp.OS},
		{"TARGETOSVERSION", tp.OSVersion},
		{"TARGETARCH", tp.Architecture},
		{"TARGETVARIANT", tp.Variant},
		{"TARGETSTAGE", target},
	}
	env := &llb.EnvList{}
	for _, kv := range defaults {
		v := kv[1]
		if ov, ok := c.opt.BuildArgs[kv[0]]; ok {
			v = ov
		}
		env = env.AddOrReplace(kv[0], v)
	}
	for _, a := range args {
		if v, ok := c.opt.BuildArgs[a.Name]; ok {
			env = env.AddOrReplace(a.Name, v)
			continue
		}
		if a.Default == nil {
			continue
		}
		v := *a.Default
		if a.Expand {
			var err error
			if v, err = c.processWord(c.lex, v, env); err != nil {
				return fmt.Errorf("ARG %s: %w", a.Name, err)
			}
		}
		env = env.AddOrReplace(a.Name, v)
	}
	env, err := c.sourceDateEpoch(env)
	if err != nil {
		return err
	}
	c.globalArgs = env
	return nil
}

// proxyEnv mirrors proxyEnvFromBuildArgs: the proxy build args, in any
// letter case and declared or not, are the proxy of every RUN, kept out
// of the cache key. Of two spellings of one, the last in sorted order
// wins.
func proxyEnv(args map[string]string) *llb.ProxyEnv {
	var pe llb.ProxyEnv
	set := false
	for _, k := range slices.Sorted(maps.Keys(args)) {
		v := args[k]
		switch strings.ToLower(k) {
		case "http_proxy":
			pe.HTTPProxy = v
		case "https_proxy":
			pe.HTTPSProxy = v
		case "ftp_proxy":
			pe.FTPProxy = v
		case "no_proxy":
			pe.NoProxy = v
		case "all_proxy":
			pe.AllProxy = v
		default:
			continue
		}
		set = true
	}
	if !set {
		return nil
	}
	return &pe
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH from the build args or the
// global args, as Dockerfile2LLB does (getBuildArgValue), and writes it
// back normalized (setBuildArgValue). Its time stamps the history and the
// directories WORKDIR creates; Solve hands it to the exporters. Only a
// Unix time is taken: the frontend's other forms ("context", a stage)
// read files during the build, which Compile cannot.
func (c *compiler) sourceDateEpoch(env *llb.EnvList) (*llb.EnvList, error) {
	const key = "SOURCE_DATE_EPOCH"
	v, fromBuildArgs := c.opt.BuildArgs[key]
	if !fromBuildArgs {
		var ok bool
		if v, ok = env.Get(key); !ok || v == "" {
			return env, nil
		}
	}
	normalized := ""
	if v != "" {
		sde, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: only a Unix time in seconds is supported", key, v)
		}
		tm := time.Unix(sde, 0).UTC()
		c.epoch = &tm
		normalized = strconv.FormatInt(sde, 10)
	}
	if fromBuildArgs {
		c.opt.BuildArgs = maps.Clone(c.opt.BuildArgs)
		if normalized == "" {
			delete(c.opt.BuildArgs, key)
		} else {
			c.opt.BuildArgs[key] = normalized
		}
	}
	if _, ok := env.Get(key); ok {
		if normalized == "" {
			e := env.Delete(key)
			env = &e
		} else {
			env = env.AddOrReplace(key, normalized)
		}
	}
	return env, nil
}

// checkUnreachable checks a stage that the target does not need, as the
// frontend checks every stage of a Dockerfile (buildDispatchStates and
// resolveReachableStages): its base name and platform must expand, and a
// base that is not a stage must be an image reference, even though
// nothing of the stage is built or resolved.
func (c *compiler) checkUnreachable(i int, st *ir.Stage) error {
	fail := func(err error) error {
		return &Error{Stage: st.Name, Index: -1, Instruction: "FROM", Err: err}
	}
	name := st.Base.Image
	if st.Base.Stage < 0 && st.Base.ExpandImage {
		var err error
		if name, err = c.expandBaseName(name); err != nil {
			return fail(err)
		}
	}
	if _, err := c.expandPlatform(st.Platform); err != nil {
		return fail(err)
	}
	if st.Base.Stage >= 0 || name == "scratch" {
		return nil
	}
	if j, ok := c.stageNamed(name, i); ok && c.build.Stages[j].Name == name {
		return nil
	}
	if _, err := parseRef(name); err != nil {
		return fail(fmt.Errorf("failed to parse stage name %q: %w", name, err))
	}
	return nil
}

// expandBaseName expands the base name of a FromExpand stage against the
// global build args.
func (c *compiler) expandBaseName(name string) (string, error) {
	v, err := c.processWord(c.lex, name, c.globalArgs)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fmt.Errorf("base name (%s) should not be blank", name)
	}
	return v, nil
}

// expandPlatform expands and parses the --platform of a FROM against the
// global build args; it returns nil when word is empty.
func (c *compiler) expandPlatform(word string) (*ocispecs.Platform, error) {
	if word == "" {
		return nil, nil
	}
	v, err := c.processWord(c.lex, word, c.globalArgs)
	if err != nil {
		return nil, fmt.Errorf("failed to process arguments for platform %s: %w", word, err)
	}
	if v == "" {
		return nil, fmt.Errorf("empty platform value from expression %s", word)
	}
	p, err := platforms.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("failed to parse platform %s: %w", word, err)
	}
	return &p, nil
}

// reachable returns the stages the target needs (allReachableStages).
func (c *compiler) reachable(target int) map[int]bool {
	out := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if out[i] {
			return
		}
		out[i] = true
		st := c.build.Stages[i]
		if st.Base.Stage >= 0 {
			visit(st.Base.Stage)
			// The base's ONBUILD triggers run here, and may use stages.
			for _, name := range triggerSources(c.build.Stages[st.Base.Stage]) {
				if j, ok := c.stageNamed(name, len(c.build.Stages)); ok {
					visit(j)
				}
			}
		} else if st.Base.ExpandImage {
			// A variable in FROM may name a stage; the name is known only
			// after expansion, which newStage does with the same args.
			if j, ok := c.stageNamed(c.expandGlobal(st.Base.Image), i); ok {
				visit(j)
			}
		}
		for _, in := range st.Instructions {
			switch x := in.(type) {
			case *ir.Copy:
				if x.From.Stage >= 0 {
					visit(x.From.Stage)
				}
			case *ir.Run:
				for _, m := range x.Mounts {
					if m.From.Stage >= 0 {
						visit(m.From.Stage)
					}
				}
			}
		}
	}
	visit(target)
	return out
}

func (c *compiler) expandGlobal(word string) string {
	// Within the limits, but not charged: the stage's own expansion is.
	be := &budgetEnv{env: c.globalArgs, budget: c.limits.budget()}
	v, _, err := c.lex.ProcessWord(word, be)
	if err != nil || be.over {
		return word
	}
	return v
}

// stageNamed finds an earlier stage by name, case-insensitively as
// BuildKit does.
func (c *compiler) stageNamed(name string, before int) (int, bool) {
	for j := 0; j < before; j++ {
		if equalFold(c.build.Stages[j].Name, name) {
			return j, true
		}
	}
	return 0, false
}

// finalizeContext mirrors finalizeResultImage and dockerui.DefaultMainContext:
// the build context sends only the paths the build uses.
func (c *compiler) finalizeContext() {
	var opts []llb.LocalOption
	if paths := normalizeContextPaths(c.ctxPaths); len(paths) > 0 {
		opts = append(opts, llb.FollowPaths(paths))
	}
	c.buildContext.Output = c.context(nil, nil, opts...).Output()
}

// context is the local source of the build context, filtered by the
// context's exclude patterns and then by exclude, and limited to what
// matches include.
func (c *compiler) context(include, exclude []string, more ...llb.LocalOption) llb.State {
	name := c.opt.ContextName
	if name == "" {
		name = "context"
	}
	unique := c.opt.ContextUniqueID
	if unique == "" {
		unique = contextUniqueID(name)
	}
	opts := []llb.LocalOption{llb.SharedKeyHint(name), llb.LocalUniqueID(unique), llb.WithCustomName("[internal] load build context")}
	if c.opt.SessionID != "" {
		opts = append(opts, llb.SessionID(c.opt.SessionID))
	}
	if len(include) > 0 {
		opts = append(opts, llb.IncludePatterns(include))
	}
	if ex := append(slices.Clip(c.opt.ContextExclude), exclude...); len(ex) > 0 {
		opts = append(opts, llb.ExcludePatterns(ex))
	}
	return llb.Local(name, append(opts, more...)...)
}

// contextUniqueID is the default ContextUniqueID of a context name, fixed
// so that the output is deterministic.
func contextUniqueID(name string) string {
	if name == "context" {
		return defaultContextUniqueID
	}
	return digest.FromString("multistage:" + name).Encoded()[:25]
}

var defaultContextUniqueID = digest.FromString("multistage:context").Encoded()[:25]

func normalizeContextPaths(paths map[string]struct{}) []string {
	if len(paths) == 0 {
		return nil
	}
	out := make([]string, 0, len(paths))
	for p := range paths {
		if p == "/" {
			return nil
		}
		out = append(out, path.Join(".", p))
	}
	slices.Sort(out)
	return out
}

func defaultPath(os string) string { return system.DefaultPathEnv(os) }
