package presets_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// TestEndToEndNodeProjects builds the Node.js fixture applications as
// Detect sees them, on the real engine, with their real dependencies from
// the npm registry (pnpm and Yarn 4 through corepack), starts each as its
// image says, and asks it over HTTP.
func TestEndToEndNodeProjects(t *testing.T) {
	c := testenv.Client(t)
	for _, tc := range []struct {
		project, dir string
		want         []string // in the answer to GET /
	}{
		// The member's own dependency (express) and the workspace
		// package it depends on, compiled by its own build in the
		// build stage.
		{"node-pnpm-workspace", "apps/api", []string{"hello api from the pnpm workspace, built 2 minutes ago", "NODE_ENV=production"}},
		// Yarn 4 from corepack, a node_modules tree, tsc's output.
		{"node-yarn4", ".", []string{"hello from the yarn 4 app on node v", "NODE_ENV=production"}},
		// patch-package ran (from the copied patches/) and husky did not
		// fail the install.
		{"node-npm-husky", ".", []string{"up for 2 patched minutes", "NODE_ENV=production"}},
		// turbo builds the workspace package the server imports; npm
		// installs the server's production dependencies alone.
		{"node-npm-turbo", "apps/api", []string{"fixture ui banner for the api"}},
		{"next-standalone", ".", []string{"Hello from the Next.js standalone fixture", "production"}},
	} {
		t.Run(tc.project, func(t *testing.T) {
			ctx := context.Background()
			found, err := presets.Detect(filepath.Join(projectsDir, tc.project, tc.dir))
			if err != nil || len(found) == 0 || found[0].NodeServer == nil {
				t.Fatalf("Detect: %v, %+v: want a NodeServer detection first", err, found)
			}
			d := found[0]
			port := freePort(t)
			d.NodeServer.Port = port
			rootfs, cfg := build(t, c, d.Build(), d.Context, false)
			if cfg.Config.User != "node" {
				t.Errorf("User = %q, want node", cfg.Config.User)
			}
			ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, nil)
			defer stop()
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			body := testenv.WaitHTTP(t, ctr, base+"/", 60*time.Second)
			wantContains(t, "GET /", body, tc.want...)
			if tc.project == "next-standalone" {
				// public/ and .next/static are beside the standalone server.
				wantContains(t, "GET /logo.svg", testenv.WaitHTTP(t, ctr, base+"/logo.svg", 10*time.Second), "<svg")
				asset := regexp.MustCompile(`/_next/static/[^"]+\.js`).FindString(body)
				if asset == "" {
					t.Fatalf("no /_next/static script in the page:\n%s", body)
				}
				testenv.WaitHTTP(t, ctr, base+asset, 10*time.Second)
			}
		})
	}
}
