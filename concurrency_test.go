package multistage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/llbdump"
	"github.com/multistage/multistage/internal/testresolver"
)

// concurrentBuild is a build that uses every kind of instruction that the
// lowering copies or shares: stages as bases, COPY --from, mounts from
// stages, expansion, build args, and secret-looking names for Lint.
func concurrentBuild() (*multistage.Build, *multistage.Stage) {
	b := multistage.New()
	b.Arg("GO_VERSION", "1.22").Arg("API_TOKEN")
	deps := b.Stage("deps").FromExpand("golang:${GO_VERSION}").
		Workdir("/src").
		Copy("go.mod", ".").
		Run("go mod download", multistage.CacheMount("/go/pkg/mod"))
	build := b.Stage("build").FromStage(deps).
		Arg(multistage.TargetArch).
		Copy(".", ".", multistage.Exclude("*.md")).
		EnvExpand("OUT", "/out/${TARGETARCH}").
		Run("go build -o $OUT/app .",
			multistage.CacheMount("/root/.cache/go-build"),
			multistage.BindMount("/mod", multistage.MountFrom(deps), multistage.MountSource("/go/pkg/mod")),
			multistage.SecretMount("netrc", multistage.MountTarget("/root/.netrc")))
	b.Stage("app").From("alpine:3.20").
		CopyFrom(build, "/out", "/app", multistage.Expand(), multistage.Link()).
		Env("DB_PASSWORD", "changeme").
		Label("org.opencontainers.image.source", "https://example.com/app").
		User("65532:65532").
		HealthcheckShell("wget -q --spider http://localhost:8080/").
		Entrypoint("/app/app")
	return b, build
}

// TestConcurrentUse calls Compile, Dockerfile, Validate and Lint on one
// shared Build from many goroutines at once, and checks that every call
// gives what a lone call gives. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	b, build := concurrentBuild()
	opts := []multistage.Option{multistage.WithPlatform(linuxAMD64)}
	wantDF, err := b.Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	wantC, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(testresolver.New()))...)
	if err != nil {
		t.Fatal(err)
	}
	wantLLB, err := llbdump.Normalize(wantC.Definition)
	if err != nil {
		t.Fatal(err)
	}
	wantLint := b.Lint()
	wantTarget, err := b.Dockerfile(multistage.Target(build))
	if err != nil {
		t.Fatal(err)
	}

	const goroutines, rounds = 16, 8
	r := testresolver.New() // shared too
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*rounds)
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				switch (g + i) % 5 {
				case 0:
					df, err := b.Dockerfile()
					if err != nil || !bytes.Equal(df, wantDF) {
						errs <- fmt.Errorf("Dockerfile: %v; differs: %v", err, !bytes.Equal(df, wantDF))
					}
				case 1:
					c, err := b.Compile(ctx, append(opts, multistage.WithMetaResolver(r))...)
					if err != nil {
						errs <- fmt.Errorf("Compile: %v", err)
						continue
					}
					ops, err := llbdump.Normalize(c.Definition)
					if err != nil {
						errs <- err
						continue
					}
					if d := cmp.Diff(wantLLB, ops); d != "" {
						errs <- fmt.Errorf("Compile: LLB mismatch (-want +got):\n%s", d)
					}
					if d := cmp.Diff(wantC.DockerImage, c.DockerImage); d != "" {
						errs <- fmt.Errorf("Compile: image mismatch (-want +got):\n%s", d)
					}
				case 2:
					if err := b.Validate(opts...); err != nil {
						errs <- fmt.Errorf("Validate: %v", err)
					}
				case 3:
					if d := cmp.Diff(wantLint, b.Lint()); d != "" {
						errs <- fmt.Errorf("Lint mismatch (-want +got):\n%s", d)
					}
				default:
					df, err := b.Dockerfile(multistage.Target(build))
					if err != nil || !bytes.Equal(df, wantTarget) {
						errs <- fmt.Errorf("Dockerfile(Target(build)): %v; differs: %v", err, !bytes.Equal(df, wantTarget))
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestConcurrentAppend appends stages and instructions to one Build from
// many goroutines while others render and compile it: under -race this
// finds any access to a build that its mutex does not guard. What the
// readers see depends on timing: a stage may not have its base yet
// (ErrNoBase); they must not fail otherwise.
func TestConcurrentAppend(t *testing.T) {
	ctx := context.Background()
	b := multistage.New()
	base := b.Stage("base").From("alpine:3.20")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			s := b.Stage(fmt.Sprintf("s%d", g)).FromStage(base)
			for i := range 20 {
				s.Env("I", fmt.Sprint(i)).
					Run("true", multistage.BindMount("/b", multistage.MountFrom(base))).
					CopyFrom(base, "/etc", fmt.Sprintf("/etc%d", i))
				base.Label(fmt.Sprintf("l%d.%d", g, i), "v")
			}
		})
		wg.Go(func() {
			for range 10 {
				if _, err := b.Dockerfile(); err != nil && !onlyNoBase(err) {
					t.Errorf("Dockerfile: %v", err)
				}
				if _, err := b.Compile(ctx); err != nil && !onlyNoBase(err) {
					t.Errorf("Compile: %v", err)
				}
				_ = b.Lint()
				_ = b.Stages()
			}
		})
	}
	wg.Wait()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
}

// onlyNoBase reports whether every error joined in err is ErrNoBase.
func onlyNoBase(err error) bool {
	for _, e := range unjoin(err) {
		if !errors.Is(e, multistage.ErrNoBase) {
			return false
		}
	}
	return true
}
