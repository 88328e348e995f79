// Package crosscheck is the test oracle of the two backends: it builds the
// LLB of a Build twice, once with Build.Compile and once with BuildKit's own
// Dockerfile frontend (dockerfile2llb) from the Dockerfile that
// Build.Dockerfile renders, and compares the results op for op (with
// llbdump.Normalize, so digests and op metadata do not count) and the image
// configs field for field. A difference is a bug in the renderer or in the
// compiler.
//
// Only tests import this package: the library itself never depends on the
// Dockerfile frontend.
package crosscheck

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/llbcaps"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/testresolver"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are what both backends get.
type Options struct {
	// Target is the stage to build; nil for the last one.
	Target *multistage.Stage
	// BuildArgs are --build-arg values.
	BuildArgs map[string]string
	// Resolver resolves base images for both backends. The default is a
	// new [testresolver.Resolver]: the frontend always resolves base
	// images, and must not go to a registry in tests.
	Resolver llb.ImageMetaResolver
	// Platform is the target platform (docker build --platform); nil for
	// the default, the platform of this machine. As in the frontend, the
	// build platform is then the target platform too.
	Platform *ocispecs.Platform
	// Caps are the LLB capabilities of the daemon both backends compile
	// for (multistage.WithLLBCaps, ConvertOpt.LLBCaps); nil for every
	// capability. See [Check] for what is compared when the frontend's
	// LLB needs more than these.
	Caps *apicaps.CapSet
}

// BuildOptions returns the multistage options that o stands for, without the
// resolver.
func (o Options) BuildOptions() []multistage.Option {
	var opts []multistage.Option
	if o.Target != nil {
		opts = append(opts, multistage.Target(o.Target))
	}
	for _, k := range slices.Sorted(maps.Keys(o.BuildArgs)) {
		opts = append(opts, multistage.BuildArg(k, o.BuildArgs[k]))
	}
	if o.Platform != nil {
		opts = append(opts, multistage.WithPlatform(*o.Platform))
	}
	if o.Caps != nil {
		opts = append(opts, multistage.WithLLBCaps(*o.Caps))
	}
	return opts
}

// Result holds both backends' outputs.
type Result struct {
	// Dockerfile is the rendered Dockerfile the frontend compiled.
	Dockerfile []byte
	// Compiled is the result of Build.Compile.
	Compiled *multistage.Compiled
	// Frontend is the marshalled LLB of dockerfile2llb.
	Frontend *llb.Definition
	// FrontendImage is the image config of dockerfile2llb.
	FrontendImage *dockerspec.DockerOCIImage
	// Missing are the capabilities beyond Options.Caps that the
	// frontend's LLB needs ([Needs]): a daemon with only Options.Caps
	// would refuse it, or for the patterns of copies, which llb does not
	// declare, silently ignore them. Compiled and Frontend are then both
	// compiled for Options.Caps plus Missing.
	Missing []apicaps.CapID
	// Reduced is the result of Build.Compile for Options.Caps alone when
	// Missing is not empty, and ReducedErr its error (nil or a refusal
	// that wraps multistage.ErrUnsupportedByDaemon).
	Reduced    *multistage.Compiled
	ReducedErr error
}

// Check compiles b both ways and returns a readable description of every
// difference, empty when the backends agree. The error is for a build that
// one of the backends refuses.
//
// With Options.Caps, both compile for a daemon with those capabilities.
// Where the frontend's LLB fits them, the two must agree op for op. Where
// it does not (the frontend hands such a daemon ops it refuses, and
// Compile refuses the build or, for a copy of the whole context with
// patterns, filters the context instead), the two are compared for the
// nearest daemon that can run the frontend's LLB, Options.Caps plus
// [Result.Missing], and Compile's LLB for Options.Caps alone must fit
// them: any capability it needs beyond them is a difference.
func Check(ctx context.Context, b *multistage.Build, o Options) (string, *Result, error) {
	if o.Resolver == nil {
		o.Resolver = testresolver.New()
	}
	opts := o.BuildOptions()
	df, err := b.Dockerfile(opts...)
	if err != nil {
		return "", nil, fmt.Errorf("Dockerfile: %w", err)
	}
	target, err := targetName(b, o)
	if err != nil {
		return "", nil, err
	}
	def, img, err := Frontend(ctx, df, target, o)
	if err != nil {
		return "", nil, err
	}
	res := &Result{Dockerfile: df}
	var report []string
	if o.Caps != nil {
		needs, err := Needs(def)
		if err != nil {
			return "", nil, err
		}
		for _, id := range needs {
			if !compile.Supports(o.Caps, id) {
				res.Missing = append(res.Missing, id)
			}
		}
		if len(res.Missing) > 0 {
			res.Reduced, res.ReducedErr = b.Compile(ctx, append(opts, multistage.WithMetaResolver(o.Resolver))...)
			switch {
			case res.ReducedErr != nil && !errors.Is(res.ReducedErr, multistage.ErrUnsupportedByDaemon):
				return "", nil, fmt.Errorf("Compile: %w", res.ReducedErr)
			case res.ReducedErr == nil:
				got, err := Needs(res.Reduced.Definition)
				if err != nil {
					return "", nil, err
				}
				for _, id := range got {
					if !compile.Supports(o.Caps, id) {
						report = append(report, fmt.Sprintf("Compile's LLB for the reduced capabilities needs %s, which they lack", id))
					}
				}
			}
			wider := llbcaps.With(*o.Caps, res.Missing...)
			o.Caps = &wider
			opts = o.BuildOptions()
			if def, img, err = Frontend(ctx, df, target, o); err != nil {
				return "", nil, err
			}
		}
	}
	compiled, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(o.Resolver))...)
	if err != nil {
		return "", nil, fmt.Errorf("Compile: %w", err)
	}
	res.Compiled, res.Frontend, res.FrontendImage = compiled, def, img
	diff, err := Compare(def, img, compiled)
	if err != nil {
		return "", nil, err
	}
	if diff != "" {
		report = append(report, diff)
	}
	return strings.Join(report, "\n"), res, nil
}

// targetName is the name of the stage that o selects in b, as
// Build.Compile reports it.
func targetName(b *multistage.Build, o Options) (string, error) {
	if o.Target != nil {
		return o.Target.Name(), nil
	}
	stages := b.Stages()
	if len(stages) == 0 {
		return "", fmt.Errorf("Compile: %w", multistage.ErrNoStages)
	}
	return stages[len(stages)-1].Name(), nil
}

// Needs returns the LLB capabilities that def needs of a daemon: those its
// op metadata names, and those that llb means to name but does not (see
// [compile.Supports] and the copy checks of internal/compile): the include
// and exclude patterns, required paths and symbolic modes of copies, and
// git subdirectories, which an older daemon misreads.
func Needs(def *llb.Definition) ([]apicaps.CapID, error) {
	set := map[apicaps.CapID]bool{}
	for _, md := range def.Metadata {
		for id := range md.Caps {
			set[id] = true
		}
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return nil, err
		}
		if f := op.GetFile(); f != nil {
			for _, a := range f.Actions {
				cp := a.GetCopy()
				if cp == nil {
					continue
				}
				if len(cp.IncludePatterns) > 0 || len(cp.ExcludePatterns) > 0 {
					set[pb.CapFileCopyIncludeExcludePatterns] = true
				}
				if len(cp.RequiredPaths) > 0 {
					set[pb.CapFileCopyRequiredPaths] = true
				}
				if cp.ModeStr != "" {
					set[pb.CapFileCopyModeStringFormat] = true
				}
			}
		}
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "git://") {
			if _, frag, ok := strings.Cut(src.Identifier, "#"); ok && strings.Contains(frag, ":") {
				set[pb.CapSourceGitSubdir] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// Frontend compiles a Dockerfile with BuildKit's Dockerfile frontend, as
// the dockerfile.v0 frontend of a daemon that has o.Caps (by default every
// LLB capability) does, and marshals the target's state as that frontend does
// (State.Marshal with no options: the state carries its platform).
// o.Target is ignored: target names the stage.
func Frontend(ctx context.Context, df []byte, target string, o Options) (*llb.Definition, *dockerspec.DockerOCIImage, error) {
	if o.Resolver == nil {
		o.Resolver = testresolver.New()
	}
	caps := llbcaps.All()
	if o.Caps != nil {
		caps = *o.Caps
	}
	fr, err := dockerfile2llb.Dockerfile2LLB(ctx, df, dockerfile2llb.ConvertOpt{
		MetaResolver:   o.Resolver,
		LLBCaps:        &caps,
		TargetPlatform: o.Platform,
		// The build args that dockerui reads as options of the
		// frontend, as it does for docker build.
		Config: dockerui.Config{Target: target, BuildArgs: o.BuildArgs,
			Hostname: o.BuildArgs["BUILDKIT_SANDBOX_HOSTNAME"], CacheIDNamespace: o.BuildArgs["BUILDKIT_CACHE_MOUNT_NS"]},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dockerfile2llb: %w\n%s", err, df)
	}
	def, err := fr.State.Marshal(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("dockerfile2llb: marshal: %w", err)
	}
	return def, fr.Image, nil
}

// Compare compares the frontend's definition and image config with a
// compiled build, and returns every difference, empty when there is none:
//
//   - the LLB, op for op, after [llbdump.Normalize];
//   - the image config, field for field (Env, Entrypoint, Cmd, WorkingDir,
//     User, ExposedPorts, Labels, Volumes, StopSignal, Healthcheck, Shell,
//     OnBuild, ArgsEscaped);
//   - the platform (OS, Architecture, Variant, ...) and the rootfs;
//   - the history, which BuildKit writes into the image.
//
// Empty and nil slices and maps are equal. Each part of the report is
// headed by what it compares, "(-dockerfile2llb +Compile)".
func Compare(def *llb.Definition, img *dockerspec.DockerOCIImage, c *multistage.Compiled) (string, error) {
	var report []string
	d, err := llbdump.Diff(def, c.Definition)
	if err != nil {
		return "", err
	}
	if d != "" {
		report = append(report, "LLB (-dockerfile2llb +Compile):\n"+d)
	}
	if img == nil {
		return "", fmt.Errorf("dockerfile2llb returned no image config")
	}
	want, got := *img, c.DockerImage
	eq := cmpopts.EquateEmpty()
	diff := func(x, y any) string {
		if reflect.DeepEqual(x, y) {
			return "" // the common case, and much cheaper than cmp.Diff
		}
		return cmp.Diff(x, y, eq)
	}
	if d := diff(want.Config, got.Config); d != "" {
		report = append(report, "image config (-dockerfile2llb +Compile):\n"+d)
	}
	if d := diff(want.Platform, got.Platform); d != "" {
		report = append(report, "image platform (-dockerfile2llb +Compile):\n"+d)
	}
	if d := diff(want.RootFS, got.RootFS); d != "" {
		report = append(report, "image rootfs (-dockerfile2llb +Compile):\n"+d)
	}
	if d := diff(want.History, got.History); d != "" {
		report = append(report, "image history (-dockerfile2llb +Compile):\n"+d)
	}
	// The rest of the image (Created, Author) is compared as a whole.
	want.Config, got.Config = dockerspec.DockerOCIImageConfig{}, dockerspec.DockerOCIImageConfig{}
	want.Platform, got.Platform = ocispecs.Platform{}, ocispecs.Platform{}
	want.RootFS, got.RootFS = ocispecs.RootFS{}, ocispecs.RootFS{}
	want.History, got.History = nil, nil
	if d := diff(want, got); d != "" {
		report = append(report, "image (-dockerfile2llb +Compile):\n"+d)
	}
	// The OCI config of Compiled must be the OCI part of its Docker config.
	oci := c.DockerImage.Image
	oci.Config = c.DockerImage.Config.ImageConfig
	if d := diff(oci, c.Image); d != "" {
		report = append(report, "Compiled.Image is not the OCI part of Compiled.DockerImage (-DockerImage +Image):\n"+d)
	}
	return strings.Join(report, "\n"), nil
}
