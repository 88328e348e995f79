package multistage

import (
	"context"
	"fmt"

	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Built is the target of a [Build.Solve] once it is built and before it
// is exported, as [Inspect] hands it over.
type Built struct {
	// Gateway is the client of the running build. Gateway.NewContainer
	// starts a container with Ref mounted, in which commands run as they
	// would in the image (package multistagetest does so).
	Gateway gwclient.Client
	// Ref is the target's root file system: Ref.ReadFile, Ref.StatFile
	// and Ref.ReadDir read it without a container.
	Ref gwclient.Reference
	// Image is the target's image config, as it will be exported.
	Image ocispecs.Image
	// Platform is the platform the target was built for ("linux/amd64").
	Platform string
}

// Inspect calls fn inside the build, once the target is built and before
// anything is exported, with the target's file system and image config
// (once per platform with [Platforms]). fn can read files of the image or
// run commands in a container of it; if it returns an error, Solve
// returns that error, wrapped, and exports nothing, so a failing smoke
// test keeps the image from being pushed:
//
//	_, err := b.Solve(ctx, c, multistage.Push(name), multistage.Inspect(smokeTest))
//
// fn runs in the calling process, and the build waits for it: the daemon
// keeps the build's session, and any container fn starts, until fn
// returns. Package multistagetest builds its image tests on Inspect.
func Inspect(fn func(ctx context.Context, built *Built) error) SolveOption {
	return solveFunc(func(c *solveConfig) {
		if fn == nil {
			c.fail("Inspect", fmt.Errorf("%w: nil function", ErrInvalidValue))
			return
		}
		c.inspect = append(c.inspect, fn)
	})
}

// inspectBuilt runs the Inspect functions of c on a built target.
func (c *solveConfig) inspectBuilt(ctx context.Context, built *Built) error {
	for _, fn := range c.inspect {
		if err := fn(ctx, built); err != nil {
			return fmt.Errorf("Inspect (%s): %w", built.Platform, err)
		}
	}
	return nil
}
