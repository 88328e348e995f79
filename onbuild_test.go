package multistage_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	digest "github.com/opencontainers/go-digest"
)

// onBuildResolver resolves every image to one config, with ONBUILD
// triggers for the images named only (all when only is empty).
type onBuildResolver struct {
	triggers []string
	only     string
}

func (r onBuildResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	triggers := r.triggers
	if r.only != "" && !strings.Contains(ref, r.only) {
		triggers = nil
	}
	dt, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + digest.FromString(ref).Encoded()}},
		"config": map[string]any{"Env": []string{"PATH=/usr/bin:/bin"}, "WorkingDir": "/srv", "OnBuild": triggers},
	})
	return ref, digest.FromString(ref), dt, err
}

// TestBaseImageOnBuild checks that a stage on a base image with ONBUILD
// triggers runs them first, as BuildKit's Dockerfile frontend does, and
// that a trigger the API cannot express is an error.
func TestBaseImageOnBuild(t *testing.T) {
	r := onBuildResolver{triggers: []string{"WORKDIR app", "COPY package.json ./", "RUN echo $HOME", "ENV A=1"}}
	b := multistage.New()
	b.Stage("s").From("example.com/onbuild:1").Run("ls").OnBuild("RUN true")
	diff, res, err := crosscheck.Check(t.Context(), b, crosscheck.Options{Resolver: r})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("Compile and dockerfile2llb disagree:\n%s\n%s", res.Dockerfile, diff)
	}
	if h := res.Compiled.DockerImage.History; len(h) < 5 || h[0].CreatedBy != "WORKDIR /srv/app" {
		t.Errorf("the triggers did not run first: history %+v", h)
	}
	if ob := res.Compiled.DockerImage.Config.OnBuild; len(ob) != 1 || ob[0] != "RUN true" {
		t.Errorf("OnBuild = %q, want only the stage's own trigger", ob)
	}

	// A trigger that copies from an image, which is resolved when the
	// trigger runs, and one that mounts a stage of this build, by name.
	withSources := onBuildResolver{triggers: []string{"COPY --from=busybox:1.36 /bin/busybox /bin/", "RUN --mount=from=assets,target=/a ls /a"}, only: "example.com/onbuild"}
	b2 := multistage.New()
	b2.Stage("assets").From("scratch").CopyContent("x.txt", "data\n", "/x")
	b2.Stage("s").From("example.com/onbuild:1").Run("ls")
	diff, res, err = crosscheck.Check(t.Context(), b2, crosscheck.Options{Resolver: withSources})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Errorf("triggers with sources: Compile and dockerfile2llb disagree:\n%s\n%s", res.Dockerfile, diff)
	}

	bad := onBuildResolver{triggers: []string{"COPY --from=0 /a /a"}}
	_, err = b.Compile(t.Context(), multistage.WithMetaResolver(bad))
	var ie *multistage.InstructionError
	if !errors.Is(err, multistage.ErrInvalidValue) || !errors.As(err, &ie) || ie.Instruction != "ONBUILD" {
		t.Errorf("a trigger that copies from a stage index: got %v, want an ONBUILD error wrapping ErrInvalidValue", err)
	}
}
