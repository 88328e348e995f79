package presets_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestEndToEndDockerEngine builds every preset's sample app on the test
// environment's Docker Engine (Debian's docker.io 20.10, whose built-in
// BuildKit is v0.8) and on buildkitd, both with Load into that engine,
// runs each image with docker run and asks it over HTTP, and requires the
// same image config from both routes. (.NET has no SDK image here: see
// TestEndToEndDotNetNotFound.)
func TestEndToEndDockerEngine(t *testing.T) {
	testenv.DockerHost(t)
	engine, err := multistage.Dial(context.Background(), multistage.DockerAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	bk := testenv.Client(t)
	for _, tc := range []struct {
		name string
		b    *multistage.Build
		dir  string
		port int      // the port it serves on, with PORT=port
		args []string // the arguments of docker run after the image (CMD, or the entrypoint's arguments)
		want string
	}{
		{"go", presets.Go(goSample).Build, goApp, 8080, nil, "hello from the go preset"},
		{"node-static", presets.NodeStatic(nodeSample).Build, nodeApp, 80, nil, "<h1>Hello from the node preset</h1>"},
		{"node-server", presets.NodeServer(nodeServerSample).Build, nodeServerApp, 3000, nil, "hello from the node-server preset"},
		{"python", presets.Python(pythonSample).Build, pythonApp, 8000, []string{"python", "app.py", "--serve"}, "hello from the python preset"},
		{"maven", presets.Maven(mavenSample).Build, mavenApp, 8080, []string{"--serve"}, "hello from the maven preset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tag := strings.ToLower(rand.Text()[:10])
			onEngine := e2e.Load(t, engine, tc.b, tc.dir, "multistage-e2e/preset-"+tc.name+":engine-"+tag)
			onBuildkitd := e2e.Load(t, bk, tc.b, tc.dir, "multistage-e2e/preset-"+tc.name+":buildkitd-"+tag)
			e2e.SameConfig(t, "Docker Engine's build vs buildkitd's", onBuildkitd.Config, onEngine.Config)
			for _, l := range []e2e.Loaded{onEngine, onBuildkitd} {
				_, url := e2e.RunDetached(t, l.Name, tc.port, tc.args...)
				if body := e2e.GetUntil(t, url+"/", 60*time.Second); !strings.Contains(body, tc.want) {
					t.Errorf("%s answered %q, want %q", l.Name, body, tc.want)
				}
			}
		})
	}
}
