package multistagetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
)

// The probe is a small static program that [Listens] and [HTTPGet] run
// inside the image's container, beside its entrypoint, so that they reach
// its port from its own network namespace on any daemon, and need no
// tool in the image (a distroless image has no shell, let alone curl).
// It is compiled with the go command that runs the tests, for the
// image's platform, once per platform and test process.
const probeSource = `// The probe of package multistagetest: it waits until a TCP port accepts
// a connection, or an HTTP GET answers, and prints the answer.
//
//	probe tcp 127.0.0.1:8080 60s
//	probe http http://127.0.0.1:8080/health 60s
//
// It always exits 0, since a process of a BuildKit gateway container that
// fails ends the whole container, the server with it; its last line on
// standard error says how it went: "probe: 0" (answered), "probe: 2"
// (nothing answered in time) or "probe: 3" (the answer was no 2xx).
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	os.Exit(0 * probe())
}

func probe() int {
	if len(os.Args) != 4 {
		return done(1, "usage: probe tcp|http address|url timeout")
	}
	mode, target := os.Args[1], os.Args[2]
	timeout, err := time.ParseDuration(os.Args[3])
	if err != nil {
		return done(1, err.Error())
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		switch mode {
		case "tcp":
			c, err := net.DialTimeout("tcp", target, time.Second)
			if err == nil {
				c.Close()
				return done(0, "")
			}
			last = err
		case "http":
			resp, err := client.Get(target)
			if err == nil {
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					os.Stdout.Write(body)
					if resp.StatusCode/100 != 2 {
						return done(3, "GET "+target+": "+resp.Status)
					}
					return done(0, "")
				}
			}
			last = err
		default:
			return done(1, "unknown mode "+mode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return done(2, fmt.Sprintf("nothing answered on %s in %v: %v", target, timeout, last))
}

func done(code int, msg string) int {
	if msg != "" {
		fmt.Fprintln(os.Stderr, msg)
	}
	fmt.Fprintf(os.Stderr, "probe: %d\n", code)
	return code
}
`

// probeDir is where the probe is mounted in the container.
const probeDir = "/.multistagetest"

// probes are the compiled probes, by platform.
var probes sync.Map // string → *probeBuild

type probeBuild struct {
	once sync.Once
	data []byte
	err  error
}

// probeBinary returns the probe compiled for platform p.
func probeBinary(p string) ([]byte, error) {
	v, _ := probes.LoadOrStore(p, &probeBuild{})
	pb := v.(*probeBuild)
	pb.once.Do(func() { pb.data, pb.err = compileProbe(p) })
	return pb.data, pb.err
}

// compileProbe compiles the probe for platform p with the go command.
func compileProbe(p string) ([]byte, error) {
	plat, err := platforms.Parse(p)
	if err != nil {
		return nil, err
	}
	if plat.OS != "linux" {
		return nil, fmt.Errorf("the probe runs in Linux containers, not on %s", p)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		// go test puts its GOROOT/bin first in PATH; this is for test
		// binaries run by hand.
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	dir, err := os.MkdirTemp("", "multistagetest-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "probe.go"), []byte(probeSource), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags=-s -w", "-o", "probe", "probe.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+plat.Architecture, "GOFLAGS=", "GOWORK=off", "GO111MODULE=on")
	if plat.Architecture == "arm" && strings.HasPrefix(plat.Variant, "v") {
		cmd.Env = append(cmd.Env, "GOARM="+strings.TrimPrefix(plat.Variant, "v"))
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compiling the probe for %s: %w\n%s", p, err, out)
	}
	return os.ReadFile(filepath.Join(dir, "probe"))
}

// probeMount solves the probe for the built image into a mount.
func probeMount(ctx context.Context, built *multistage.Built) (gwclient.Mount, error) {
	data, err := probeBinary(built.Platform)
	if err != nil {
		return gwclient.Mount{}, err
	}
	def, err := llb.Scratch().File(llb.Mkfile("/probe", 0o755, data), llb.WithCustomName("[multistagetest] probe")).Marshal(ctx)
	if err != nil {
		return gwclient.Mount{}, err
	}
	res, err := built.Gateway.Solve(ctx, gwclient.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return gwclient.Mount{}, fmt.Errorf("solving the probe: %w", err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return gwclient.Mount{}, err
	}
	if ref == nil {
		return gwclient.Mount{}, errors.New("solving the probe: no result")
	}
	return gwclient.Mount{Dest: probeDir, MountType: pb.MountType_BIND, Ref: ref, Readonly: true}, nil
}
