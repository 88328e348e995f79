package presets_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/e2e"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestEndToEndGoCgoUI builds the fixture go-cgo-ui as Detect sees it,
// with its real dependencies: github.com/mattn/go-sqlite3 from the Go
// module proxy, compiled with cgo, and esbuild from the npm registry for
// the UI that the binary embeds. With a data directory the non-root user
// can write (WritableDirs) and a version stamped through a build arg, the
// server starts on the glibc runtime, serves the built page, and stores
// and reads a note in SQLite: a binary built without cgo would exit with
// "requires cgo" instead.
func TestEndToEndGoCgoUI(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	d := detectOne(t, filepath.Join(projectsDir, "go-cgo-ui"), presets.PresetGo)
	if !d.Go.CGO || len(d.Go.UI) != 1 {
		t.Fatalf("Detect: CGO %v, UI %+v; want cgo and one UI", d.Go.CGO, d.Go.UI)
	}
	d.Go.WritableDirs = []string{"data"}
	r := e2e.Build(t, c, d.Build(), d.Context, e2e.Options{Solve: []multistage.SolveOption{multistage.BuildArg("VERSION", "1.2.3 (e2e)")}})

	port := freePort(t)
	ctr, stop := testenv.StartRootfs(ctx, t, r.Rootfs, r.Config, nil, testenv.WithEnv(fmt.Sprintf("PORT=%d", port)))
	defer stop()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	wantContains(t, "GET /healthz", testenv.WaitHTTP(t, ctr, base+"/healthz", 30*time.Second), `"version":"1.2.3 (e2e)"`, `"sqlite":"3.`)
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, base+"/", 10*time.Second), "<h1>Notes</h1>", `src="assets/app.js"`)
	wantContains(t, "GET /assets/app.js", testenv.WaitHTTP(t, ctr, base+"/assets/app.js", 10*time.Second), "esbuild 0.")
	resp, err := http.Post(base+"/api/notes", "application/json", strings.NewReader(`{"text":"written by the e2e test"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/notes: %s, want 201 (the data directory must be writable by %s)\n%s", resp.Status, presets.NonRootUser, stop())
	}
	wantContains(t, "GET /api/notes", testenv.WaitHTTP(t, ctr, base+"/api/notes", 10*time.Second), "written by the e2e test")
}

// TestEndToEndGoWorkspace builds the API member of the fixture go-work
// as Detect sees it from the workspace root (go.work, the library module
// it imports, github.com/go-chi/chi/v5 from the Go module proxy), and
// asks the server, started on the port Detect read from its flag.
func TestEndToEndGoWorkspace(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	found, err := presets.Detect(filepath.Join(projectsDir, "go-work"))
	if err != nil {
		t.Fatal(err)
	}
	d := found[0]
	if d.Go == nil || d.Go.ModuleDir != "services/api" {
		t.Fatalf("first detection %+v, want the API member", d)
	}
	rootfs, cfg := build(t, c, d.Build(), d.Context, true)
	port := freePort(t)
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, []string{"/usr/local/bin/api", fmt.Sprintf("-addr=127.0.0.1:%d", port)})
	defer stop()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, base+"/", 30*time.Second), "hello from the shop's api service")
	wantContains(t, "GET /items/7", testenv.WaitHTTP(t, ctr, base+"/items/7", 10*time.Second), "item 7")
}
