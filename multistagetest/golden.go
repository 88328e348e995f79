package multistagetest

import (
	"path/filepath"
	"testing"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/golden"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// UpdateEnv is the environment variable that makes [Golden] write its
// golden files instead of comparing them:
//
//	MULTISTAGE_UPDATE=1 go test ./...
const UpdateEnv = golden.UpdateEnv

// GoldenPlatform is the platform [Golden] compiles for unless its options
// say otherwise ([multistage.WithPlatform]), so that golden files do not
// depend on the machine that runs the tests.
var GoldenPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// Golden compares what b builds with the golden file testdata/<name>.golden
// (relative to the test's working directory, which go test sets to the
// package's directory), and fails t with a readable diff when they differ
// or when the file is missing.
//
// The golden file is a txtar archive with three sections:
//
//	-- Dockerfile --   what [multistage.Build.Dockerfile] renders
//	-- llb.json --     the LLB of [multistage.Build.Compile], one JSON object per op
//	-- image.json --   the image config that goes with it
//
// A failure names the section and its first line that differs, then shows
// a go-cmp diff (-want +got). Review the diff: it is what the change does
// to the image.
//
// To write the file, run the test with MULTISTAGE_UPDATE=1 in the
// environment, or with the -update flag:
//
//	MULTISTAGE_UPDATE=1 go test -run TestBuild ./...
//	go test -run TestBuild . -update
//
// Golden defines the -update flag only when the test binary is run with
// -update and has no -update flag yet, and otherwise reads the boolean
// -update flag that is there. So a test package may define an -update
// flag of its own for its other golden files; when it does so after
// importing this package, run it with MULTISTAGE_UPDATE=1 rather than
// -update, which would define the flag twice (the flag package panics).
//
// opts are passed to both Dockerfile and Compile: [multistage.Target],
// [multistage.BuildArg], [multistage.WithPlatform] (the default is
// [GoldenPlatform], linux/amd64) and the others. The output is the same on
// every machine and in every run: Golden resolves no base image, so the
// LLB names images by the references the build gives (no digest of
// whatever the registry holds today), and every base image's config is
// taken as empty, as [multistage.Build.Compile] does without a resolver:
// PATH is BuildKit's default and the working directory is "/", and an
// Env, User, Entrypoint or Cmd that a base image would pass on is not in
// image.json. To record those, pass [multistage.WithMetaResolver] with a
// resolver of your own that answers from fixed configs (never from a
// registry, whose answers change). The LLB holds no timestamps (unless
// the build sets SOURCE_DATE_EPOCH) and no paths of the machine.
func Golden(t testing.TB, b *multistage.Build, name string, opts ...multistage.Option) {
	t.Helper()
	if name == "" || !filepath.IsLocal(filepath.FromSlash(name)) {
		t.Fatalf("multistagetest.Golden: name %q: want a relative path inside testdata, such as \"app\" or \"services/api\"", name)
	}
	if b == nil {
		t.Fatalf("multistagetest.Golden(%q): nil build", name)
	}
	all := append([]multistage.Option{multistage.WithPlatform(GoldenPlatform)}, opts...)
	files, _, err := golden.Render(t.Context(), b, all...)
	if err != nil {
		t.Fatalf("multistagetest.Golden(%q): %v", name, err)
	}
	path := filepath.Join("testdata", filepath.FromSlash(name)+".golden")
	golden.Check(t, path, "Golden file of multistagetest.Golden: the Dockerfile, LLB and image config of "+name+".\nRegenerate with "+UpdateEnv+"=1 go test.", files)
}
