// Package multistagetest tests multi-stage builds from ordinary Go tests:
// golden files of what a build renders and compiles, and checks of the
// built image run on a BuildKit daemon.
//
// # Golden files
//
// [Golden] keeps the Dockerfile, the LLB and the image config of a build
// in testdata/<name>.golden, and fails the test with a diff when the build
// changes. Review the diff like code: it is what the change does to the
// image. Write the files with MULTISTAGE_UPDATE=1:
//
//	func TestBuild(t *testing.T) {
//		b := presets.Go(presets.GoOptions{}).Build
//		multistagetest.Golden(t, b, "api")
//	}
//
//	$ MULTISTAGE_UPDATE=1 go test ./...   # writes testdata/api.golden
//	$ go test ./...                       # compares with it
//
// Golden needs no daemon and no network, and gives the same bytes on every
// machine: it resolves no base image (see [Golden] for what that leaves
// out of the image config).
//
// # Image tests
//
// [Run] builds the image of a stage on a BuildKit daemon and runs a
// command in a container of it, as the image's user, in its working
// directory, with its environment, and returns its output. The
// containers are BuildKit's own gateway containers: no Docker is needed,
// only a daemon, local or remote. [HasFile], [NotRoot], [ReadFile],
// [SizeUnder], [Listens] and [HTTPGet] check the rest of what image tests
// usually ask:
//
//	func TestImage(t *testing.T) {
//		c, err := multistage.Dial(t.Context(), "") // $BUILDKIT_HOST, else Docker Engine
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer c.Close()
//		p := presets.Go(presets.GoOptions{})
//		out := multistagetest.Run(t, c, p.Runtime, "/app", "--version")
//		t.Log(out)
//		multistagetest.NotRoot(t, c, p.Runtime)
//		multistagetest.HTTPGet(t, c, p.Runtime, 8080, "/healthz")
//	}
//
// Each call builds the stage with [multistage.Build.Solve], the current
// directory as the build context; BuildKit's cache makes the calls after
// the first cheap. The checks fail the test with the command's standard
// error, the server's output, or the build's log, and stop it, as
// t.Fatal does. Call them from the test's goroutine.
//
// All of them stand on [multistage.Inspect], which hands a built target to
// a function before anything is exported; use it directly for checks of
// your own.
package multistagetest
