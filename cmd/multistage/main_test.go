package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// The fixture app: a Go module without dependencies.
const app = "testdata/hello"

var binary string // the built command

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "multistage-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "multistage")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// cli runs the built command with args and extra environment variables.
func cli(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantError checks an exit code and a one-line error on standard error.
func wantError(t *testing.T, r result, code int, contains string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code %d, want %d (stderr %q)", r.code, code, r.stderr)
	}
	last := strings.TrimSpace(r.stderr)
	if i := strings.LastIndex(last, "\n"); i >= 0 {
		last = last[i+1:]
	}
	if !strings.HasPrefix(last, "multistage: ") || !strings.Contains(last, contains) {
		t.Errorf("the error line is %q, want \"multistage: …%s…\"", last, contains)
	}
}

func TestDetect(t *testing.T) {
	r := cli(t, nil, "detect", app)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "go\tcontext "+app+"\n") || !strings.Contains(r.stdout, "go.mod") {
		t.Errorf("detect %s: exit %d, stdout %q, stderr %q", app, r.code, r.stdout, r.stderr)
	}
	// flags after the directory, as before it
	r = cli(t, nil, "detect", app, "--json")
	var ds []presets.Detection
	if err := json.Unmarshal([]byte(r.stdout), &ds); err != nil || r.code != 0 {
		t.Fatalf("detect --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	if len(ds) != 1 || ds[0].Preset != presets.PresetGo || ds[0].Go == nil || ds[0].Go.Binary != "hello" {
		t.Errorf("detect --json: %+v, want the go preset with binary hello", ds)
	}
	// nothing fits: the error says where to read what the presets look
	// for, and that help names each preset's files
	empty := t.TempDir()
	wantError(t, cli(t, nil, "detect", empty), exitNoPreset, "no preset fits "+empty+" (multistage detect --help lists what the presets look for)")
	wantError(t, cli(t, nil, "build", empty, "--addr", "unix:///nonexistent.sock"), exitNoPreset, "multistage detect --help lists")
	if help := cli(t, nil, "detect", "--help").stdout; !strings.Contains(help, "go.mod or go.work (go)") || !strings.Contains(help, "a pom.xml (maven)") {
		t.Errorf("detect --help does not say which files the presets read:\n%s", help)
	}
}

func TestDockerfile(t *testing.T) {
	ds, err := presets.Detect(app)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ds[0].Build().Dockerfile()
	if err != nil {
		t.Fatal(err)
	}
	r := cli(t, nil, "dockerfile", app)
	if r.code != 0 {
		t.Fatalf("dockerfile: exit %d: %s", r.code, r.stderr)
	}
	if d := cmp.Diff(string(want), r.stdout); d != "" {
		t.Errorf("dockerfile (-Detect +command):\n%s", d)
	}
	out := filepath.Join(t.TempDir(), "Dockerfile")
	if r := cli(t, nil, "dockerfile", "-o", out, "--preset", "go", app); r.code != 0 || r.stdout != "" {
		t.Fatalf("dockerfile -o: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, want) {
		t.Errorf("dockerfile -o wrote %q (%v), want the Dockerfile", got, err)
	}
	wantError(t, cli(t, nil, "dockerfile", app, "--preset", "python"), exitNoPreset, `preset "python" does not fit`)

	for format, graph := range map[string]func(*multistage.Build, ...multistage.Option) ([]byte, error){
		"mermaid": (*multistage.Build).Mermaid, "dot": (*multistage.Build).DOT,
	} {
		want, err := graph(ds[0].Build())
		if err != nil {
			t.Fatal(err)
		}
		r := cli(t, nil, "dockerfile", "--graph", format, app)
		if r.code != 0 || r.stdout != string(want) {
			t.Errorf("dockerfile --graph %s: exit %d, stderr %q, stdout (-want +got):\n%s", format, r.code, r.stderr, cmp.Diff(string(want), r.stdout))
		}
	}
	wantError(t, cli(t, nil, "dockerfile", app, "--graph", "svg"), exitUsage, `--graph "svg": want mermaid or dot`)
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		reason   string
		args     []string
		contains string
	}{
		{"no command", nil, ""},
		{"unknown command", []string{"compile"}, `unknown command "compile"`},
		{"unknown flag", []string{"build", "--bogus"}, "flag provided but not defined: -bogus"},
		{"two directories", []string{"detect", app, app}, "one project directory"},
		{"not a directory", []string{"dockerfile", "main.go"}, "main.go is not a directory"},
		{"bad platform", []string{"build", app, "--platform", "linux/"}, "--platform"},
		{"bad progress", []string{"build", app, "--progress", "fancy"}, "--progress"},
		{"bad output", []string{"build", app, "--output", "type=zip,dest=x"}, `type "zip"`},
		{"output without dest", []string{"build", app, "--output", "type=oci"}, "needs dest="},
		{"unknown target", []string{"build", app, "--target", "nope"}, `--target "nope"`},
		// refused before anything is dialled or built
		{"bad load name", []string{"build", app, "--load", "App:dev"}, `--load "App:dev": not an image name`},
		{"bad push name", []string{"build", app, "--push", "registry.example.com/a b"}, `--push "registry.example.com/a b": not an image name`},
		{"load name with a digest", []string{"build", app, "--load", "app@sha256:0123456789012345678901234567890123456789012345678901234567890123"}, "a digest is not a name"},
		{"bad output name", []string{"build", app, "--output", "type=docker,dest=x.tar,name=:dev"}, `not an image name`},
		{"image not pushed", []string{"build", app, "--output", "type=image,name=app"}, "type=image needs push=true"},
		{"push on a file", []string{"build", app, "--output", "type=oci,dest=x.tar,push=true"}, "with type=image or type=registry"},
		{"address without port", []string{"build", app, "--addr", "tcp://builder"}, "--addr: dial tcp://builder: invalid value"},
		{"not an address", []string{"build", app, "--addr", "builder:1234"}, "--addr: dial builder:1234: invalid value"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			r := cli(t, nil, tc.args...)
			if tc.args == nil {
				if r.code != exitUsage || !strings.Contains(r.stderr, "Usage:") {
					t.Errorf("exit %d, stderr %q: want 2 and the usage", r.code, r.stderr)
				}
				return
			}
			wantError(t, r, exitUsage, tc.contains)
		})
	}
	for _, args := range [][]string{{"--help"}, {"detect", "--help"}, {"dockerfile", "-h"}, {"build", "--help"}} {
		r := cli(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || r.stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q: want 0 and the help on stdout", args, r.code, r.stdout, r.stderr)
		}
		if args[0] != "--help" && !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%q: the help has no examples", args)
		}
	}
}

// TestBuild runs build on the real engines: --load from buildkitd into the
// test environment's Docker Engine, run with docker run; --output to an
// OCI tarball; an address where nothing answers.
func TestBuild(t *testing.T) {
	bk := testenv.Addr(t)
	testenv.DockerHost(t)
	name := "multistage-e2e/cli:" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() { testenv.TryDocker(context.Background(), t, "rmi", "-f", name) })
	oci := filepath.Join(t.TempDir(), "app.tar")
	r := cli(t, []string{"BUILDKIT_HOST=" + bk}, "build", app, "--load", name, "--output", "type=oci,dest="+oci, "--progress", "plain")
	if r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "sha256:") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("build printed %q, want the image digest", r.stdout)
	}
	if !strings.Contains(r.stderr, "#1 ") || !strings.Contains(r.stderr, "loaded "+name) {
		t.Errorf("build: no plain progress or no load message on stderr:\n%s", r.stderr)
	}
	out := testenv.Docker(context.Background(), t, "run", "--rm", name)
	if !strings.Contains(out, "hello from the multistage command line, linux/amd64, uid 65532") {
		t.Errorf("docker run %s: %q", name, out)
	}
	if st, err := os.Stat(oci); err != nil || st.Size() == 0 {
		t.Errorf("--output type=oci wrote no tarball: %v", err)
	}

	wantError(t, cli(t, nil, "build", app, "--addr", "unix://"+filepath.Join(t.TempDir(), "none.sock")), exitUnreachable, "cannot reach BuildKit")
}

// TestBuildDockerEngine: without BUILDKIT_HOST, build builds on Docker
// Engine, where loading stores the image directly; --output type=docker
// without dest loads it, as buildx does.
func TestBuildDockerEngine(t *testing.T) {
	testenv.DockerHost(t)
	name := "multistage-e2e/cli:" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() { testenv.TryDocker(context.Background(), t, "rmi", "-f", name) })
	r := cli(t, []string{"BUILDKIT_HOST="}, "build", "--output", "type=docker,name="+name, "--progress", "quiet", app)
	if r.code != 0 {
		t.Fatalf("build on Docker Engine: exit %d\n%s", r.code, r.stderr)
	}
	out := testenv.Docker(context.Background(), t, "run", "--rm", name)
	if !strings.Contains(out, "hello from the multistage command line, linux/amd64, uid 65532") {
		t.Errorf("docker run %s: %q", name, out)
	}
}
