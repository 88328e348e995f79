package multistage_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/multistage/multistage"
)

// Compiling inside a BuildKit gateway build function, as the Dockerfile
// frontend does: the gateway reports the daemon's LLB capabilities, and
// the LLB is made for them ([Build.Solve] does this by itself).
func ExampleWithLLBCaps() {
	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").Copy(".", ".").Run("go build -o /out/app .")
	b.Stage("run").From("alpine:latest").CopyFrom(build, "/out/app", "/app", multistage.Link())

	ctx := context.Background()
	c, err := client.New(ctx, "unix:///run/buildkit/buildkitd.sock")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Build(ctx, client.SolveOpt{}, "", func(ctx context.Context, gw gwclient.Client) (*gwclient.Result, error) {
		out, err := b.Compile(ctx, multistage.WithMetaResolver(gw), multistage.WithLLBCaps(gw.BuildOpts().LLBCaps))
		if err != nil {
			return nil, err // such as ErrUnsupportedByDaemon
		}
		return gw.Solve(ctx, gwclient.SolveRequest{Definition: out.Definition.ToPB()})
	}, nil)
	if err != nil {
		fmt.Println(err)
	}
}

// What a daemon cannot build at all is refused before anything is sent:
// here a daemon without patterns in copies (BuildKit before v0.9, such as
// the v0.8 of Docker Engine 20.10) and an --exclude on a copy from a stage.
// The same --exclude on a copy of a directory of the build context would
// compile, reading a filtered context.
func ExampleErrUnsupportedByDaemon() {
	var caps []*apicaps.PBCap
	for _, c := range pb.Caps.All() {
		if c.ID != string(pb.CapFileCopyIncludeExcludePatterns) {
			caps = append(caps, &apicaps.PBCap{ID: c.ID, Enabled: true})
		}
	}
	b := multistage.New()
	deps := b.Stage("deps").From("node:20").Workdir("/app").Copy("package*.json", "./").Run("npm ci")
	b.Stage("app").From("node:20-slim").CopyFrom(deps, "/app", "/app", multistage.Exclude("**/*.md"))

	_, err := b.Compile(context.Background(), multistage.WithLLBCaps(pb.Caps.CapSet(caps)))
	fmt.Println(errors.Is(err, multistage.ErrUnsupportedByDaemon))
	fmt.Println(err)
	// Output:
	// true
	// stage "app": instruction 1 (COPY): not supported by the daemon: COPY --exclude needs the LLB capability file.copy.includeexcludepatterns (the daemon lacks it, BuildKit v0.9 and later)
}
