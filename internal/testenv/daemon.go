//go:build linux

package testenv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
)

// Daemon is a buildkitd of one test's own, for tests that must stop or
// kill a daemon: the shared one of the test environment serves every other
// test and is never touched.
type Daemon struct {
	// Addr is its address, unix://<dir>/buildkitd.sock.
	Addr string
	// Client is a client of it, closed when the test ends.
	Client *client.Client

	cmd    *exec.Cmd
	dir    string
	exited chan struct{}
}

// StartDaemon starts a buildkitd (the test environment's binary, from
// PATH) with its own root, socket and temporary directory under a
// t.TempDir(), an OCI worker with the native snapshotter and no registry
// configuration: it builds from scratch and local contexts only. It skips
// or fails like [Addr] when there is no test environment. The daemon is
// killed and its leftover mounts are removed when the test ends.
func StartDaemon(t testing.TB) *Daemon {
	t.Helper()
	Addr(t) // skip or fail as every end-to-end test does
	bin, err := exec.LookPath("buildkitd")
	if err != nil {
		t.Fatalf("buildkitd is not in PATH (internal/testenv/testenv.sh env puts it there): %v", err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "buildkitd.sock")
	cfg := filepath.Join(dir, "buildkitd.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`root = %q
[grpc]
  address = ["unix://%s"]
[worker.oci]
  enabled = true
  snapshotter = "native"
  networkMode = "host"
  gc = false
[worker.containerd]
  enabled = false
`, filepath.Join(dir, "root"), sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "buildkitd.log"))
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{Addr: "unix://" + sock, dir: dir, exited: make(chan struct{})}
	d.cmd = exec.Command(bin, "--config", cfg)
	// Its temporary mounts go under dir too, where the cleanup finds them.
	d.cmd.Env = append(os.Environ(), "TMPDIR="+filepath.Join(dir, "tmp"))
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		d.cmd.Wait()
		logf.Close()
		close(d.exited)
	}()
	t.Cleanup(func() {
		d.Kill(t)
		unmountUnder(t, dir)
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(dir, "buildkitd.log")); err == nil {
				t.Logf("buildkitd log:\n%s", tail(string(log), 30))
			}
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		c, err := client.New(ctx, d.Addr)
		if err == nil {
			if _, err = c.ListWorkers(ctx); err == nil {
				d.Client = c
				t.Cleanup(func() { c.Close() })
				return d
			}
			c.Close()
		}
		select {
		case <-d.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "buildkitd.log"))
			t.Fatalf("buildkitd exited: %s", tail(string(log), 30))
		case <-ctx.Done():
			t.Fatalf("buildkitd did not answer on %s: %v", d.Addr, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Pid is the daemon's process id.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Kill kills the daemon (SIGKILL, as a crash or an OOM kill ends it) and
// waits until it has exited.
func (d *Daemon) Kill(t testing.TB) {
	t.Helper()
	select {
	case <-d.exited:
		return
	default:
	}
	if err := d.cmd.Process.Kill(); err != nil {
		t.Errorf("killing buildkitd (pid %d): %v", d.Pid(), err)
	}
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("buildkitd (pid %d) did not exit after SIGKILL", d.Pid())
	}
}

// unmountUnder detaches the mounts a killed daemon left under dir,
// deepest first, so that the test's temporary directory can be removed.
func unmountUnder(t testing.TB, dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint ...
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	slices.SortFunc(mounts, func(a, b string) int { return len(b) - len(a) })
	for _, m := range mounts {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			t.Logf("unmounting %s: %v", m, err)
		}
	}
}
