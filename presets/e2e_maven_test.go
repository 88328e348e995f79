package presets_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testenv"
	"github.com/multistage/multistage/presets"
)

// detectOne runs Detect on a fixture directory and returns its one
// detection of preset.
func detectOne(t *testing.T, dir, preset string) presets.Detection {
	t.Helper()
	found, err := presets.Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []presets.Detection
	for _, d := range found {
		if d.Preset == preset {
			out = append(out, d)
		}
	}
	if len(out) != 1 {
		t.Fatalf("Detect(%s): %d %s detections, want 1: %+v", dir, len(out), preset, found)
	}
	t.Logf("%s: %s", preset, out[0].Reason)
	return out[0]
}

// TestEndToEndMavenReactor builds, offline on the Maven stand-in, the
// server module of a reactor as Detect chose it from the reactor's root:
// Maven builds the library module it depends on (-pl -am), and the shaded
// jar runs on the JRE as the non-root user.
func TestEndToEndMavenReactor(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	d := detectOne(t, filepath.Join(projectsDir, "maven-reactor-shade"), presets.PresetMaven)
	rootfs, cfg := build(t, c, d.Build(), d.Context, false)
	out := testenv.RunRootfs(ctx, t, rootfs, cfg, []string{"java", "-jar", "/app/app.jar", "--selftest"})
	wantContains(t, "java -jar /app/app.jar --selftest", out, "hello world from the reactor's library (java 17)")

	port := freePort(t)
	ctr, stop := testenv.StartRootfs(ctx, t, rootfs, cfg, nil, testenv.WithEnv(fmt.Sprintf("PORT=%d", port)))
	wantContains(t, "GET /", testenv.WaitHTTP(t, ctr, fmt.Sprintf("http://127.0.0.1:%d/", port), 60*time.Second), "hello world from the reactor's library")
	stop()
}

// TestEndToEndMavenSpringBootOffline: Spring Boot is not in the Maven
// stand-in's offline repository and Maven Central is unreachable, so the
// Spring Boot reactor fails in "mvn package", and the log names the
// missing parent POM.
func TestEndToEndMavenSpringBootOffline(t *testing.T) {
	c := testenv.Client(t)
	d := detectOne(t, filepath.Join(projectsDir, "maven-reactor", "shop-web"), presets.PresetMaven)
	d.Maven.JavaVersion = "17" // the stand-in JDK every test environment has
	var log bytes.Buffer
	_, err := d.Build().Solve(context.Background(), c, multistage.ContextDir(d.Context), multistage.Progress("plain", &log))
	if err == nil {
		t.Fatal("Solve of the Spring Boot reactor succeeded offline; want Maven to fail on the missing Spring Boot parent")
	}
	wantContains(t, "the error", err.Error(), "mvn -B -pl shop-web -am package")
	wantContains(t, "the build log", log.String(), "org.springframework.boot:spring-boot-starter-parent:pom:3.4.1")
}
