// Package crosscheck is the test oracle of the two backends: it builds the
// LLB of a Build twice, once with Build.Compile and once with BuildKit's own
// Dockerfile frontend (dockerfile2llb) from Build.Dockerfile, and compares
// the results op for op and the image configs field for field. A
// difference is a bug in one backend. Only tests import this package: the
// library never depends on the Dockerfile frontend.
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
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
)

// Options are what both backends get.
type Options struct {
	// Target is the stage to build; nil for the last one.
	Target *multistage.Stage
	// BuildArgs are --build-arg values.
	BuildArgs map[string]string
	// Resolver resolves base images for both backends.
	Resolver llb.ImageMetaResolver
}

// Result holds both backends' outputs.
type Result struct {
	Dockerfile []byte
	Compiled   *multistage.Compiled
	Frontend   *llb.Definition
	// FrontendImage is the image config of dockerfile2llb.
	FrontendImage any
}

// Check compiles b both ways and returns a readable description of every
// difference, empty when the backends agree.
func Check(ctx context.Context, b *multistage.Build, o Options) (string, *Result, error) {
	var mopts []multistage.Option
	if o.Target != nil {
		mopts = append(mopts, multistage.Target(o.Target))
	}
	for _, k := range slices.Sorted(maps.Keys(o.BuildArgs)) {
		mopts = append(mopts, multistage.BuildArg(k, o.BuildArgs[k]))
	}
	df, err := b.Dockerfile(mopts...)
	if err != nil {
		return "", nil, fmt.Errorf("Dockerfile: %w", err)
	}
	compiled, err := b.Compile(ctx, append(mopts, multistage.WithMetaResolver(o.Resolver))...)
	if err != nil {
		return "", nil, fmt.Errorf("Compile: %w", err)
	}
	caps := pb.Caps.CapSet(pb.Caps.All())
	fr, err := dockerfile2llb.Dockerfile2LLB(ctx, df, dockerfile2llb.ConvertOpt{
		MetaResolver: o.Resolver,
		LLBCaps:      &caps,
		Config:       dockerui.Config{Target: compiled.Target, BuildArgs: o.BuildArgs},
	})
	if err != nil {
		return "", nil, fmt.Errorf("dockerfile2llb: %w\n%s", err, df)
	}
	def, err := fr.State.Marshal(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("dockerfile2llb marshal: %w", err)
	}
	res := &Result{Dockerfile: df, Compiled: compiled, Frontend: def, FrontendImage: fr.Image}
	var report []string
	d, err := llbdump.Diff(def, compiled.Definition)
	if err != nil {
		return "", nil, err
	}
	if d != "" {
		report = append(report, "LLB (-dockerfile2llb +Compile):\n"+d)
	}
	if d := cmp.Diff(fr.Image.Config, compiled.DockerImage.Config, cmpopts.EquateEmpty()); d != "" {
		report = append(report, "image config (-dockerfile2llb +Compile):\n"+d)
	}
	want, got := fr.Image.Image, compiled.DockerImage.Image
	want.Config, got.Config = compiled.Image.Config, compiled.Image.Config
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		report = append(report, "image (-dockerfile2llb +Compile):\n"+d)
	}
	return strings.Join(report, "\n"), res, nil
}
