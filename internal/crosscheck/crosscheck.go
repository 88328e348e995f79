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
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/multistage/multistage"
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
}

// Check compiles b both ways and returns a readable description of every
// difference, empty when the backends agree. The error is for a build that
// one of the backends refuses.
func Check(ctx context.Context, b *multistage.Build, o Options) (string, *Result, error) {
	if o.Resolver == nil {
		o.Resolver = testresolver.New()
	}
	opts := o.BuildOptions()
	df, err := b.Dockerfile(opts...)
	if err != nil {
		return "", nil, fmt.Errorf("Dockerfile: %w", err)
	}
	compiled, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(o.Resolver))...)
	if err != nil {
		return "", nil, fmt.Errorf("Compile: %w", err)
	}
	def, img, err := Frontend(ctx, df, compiled.Target, o)
	if err != nil {
		return "", nil, err
	}
	res := &Result{Dockerfile: df, Compiled: compiled, Frontend: def, FrontendImage: img}
	diff, err := Compare(def, img, compiled)
	if err != nil {
		return "", nil, err
	}
	return diff, res, nil
}

// Frontend compiles a Dockerfile with BuildKit's Dockerfile frontend, as
// the dockerfile.v0 frontend of a daemon that has every LLB capability
// does, and marshals the target's state as that frontend does
// (State.Marshal with no options: the state carries its platform).
// o.Target is ignored: target names the stage.
func Frontend(ctx context.Context, df []byte, target string, o Options) (*llb.Definition, *dockerspec.DockerOCIImage, error) {
	if o.Resolver == nil {
		o.Resolver = testresolver.New()
	}
	caps := pb.Caps.CapSet(pb.Caps.All())
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
	if d := cmp.Diff(want.Config, got.Config, eq); d != "" {
		report = append(report, "image config (-dockerfile2llb +Compile):\n"+d)
	}
	if d := cmp.Diff(want.Platform, got.Platform, eq); d != "" {
		report = append(report, "image platform (-dockerfile2llb +Compile):\n"+d)
	}
	if d := cmp.Diff(want.RootFS, got.RootFS, eq); d != "" {
		report = append(report, "image rootfs (-dockerfile2llb +Compile):\n"+d)
	}
	if d := cmp.Diff(want.History, got.History, eq); d != "" {
		report = append(report, "image history (-dockerfile2llb +Compile):\n"+d)
	}
	// The rest of the image (Created, Author) is compared as a whole.
	want.Config, got.Config = dockerspec.DockerOCIImageConfig{}, dockerspec.DockerOCIImageConfig{}
	want.Platform, got.Platform = ocispecs.Platform{}, ocispecs.Platform{}
	want.RootFS, got.RootFS = ocispecs.RootFS{}, ocispecs.RootFS{}
	want.History, got.History = nil, nil
	if d := cmp.Diff(want, got, eq); d != "" {
		report = append(report, "image (-dockerfile2llb +Compile):\n"+d)
	}
	// The OCI config of Compiled must be the OCI part of its Docker config.
	oci := c.DockerImage.Image
	oci.Config = c.DockerImage.Config.ImageConfig
	if d := cmp.Diff(oci, c.Image, eq); d != "" {
		report = append(report, "Compiled.Image is not the OCI part of Compiled.DockerImage (-DockerImage +Image):\n"+d)
	}
	return strings.Join(report, "\n"), nil
}
