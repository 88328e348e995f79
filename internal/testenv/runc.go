package testenv

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// RunOption adjusts a RunRootfs / StartRootfs container.
type RunOption func(*runConfig)

type runConfig struct {
	env     []string
	binds   []bind
	user    *string
	workdir string
	timeout time.Duration
}

type bind struct {
	src, dst string
	ro       bool
}

// WithEnv adds (or overrides) KEY=VALUE environment entries.
func WithEnv(kv ...string) RunOption {
	return func(c *runConfig) { c.env = append(c.env, kv...) }
}

// WithBind bind-mounts host path src at dst in the container.
func WithBind(src, dst string, readOnly bool) RunOption {
	return func(c *runConfig) { c.binds = append(c.binds, bind{src, dst, readOnly}) }
}

// WithUser overrides the image's User ("uid[:gid]" or "name[:group]").
func WithUser(u string) RunOption {
	return func(c *runConfig) { c.user = &u }
}

// WithWorkdir overrides the image's WorkingDir.
func WithWorkdir(dir string) RunOption {
	return func(c *runConfig) { c.workdir = dir }
}

// WithTimeout bounds a RunRootfs run (default 2 minutes); the container is killed after it.
func WithTimeout(d time.Duration) RunOption {
	return func(c *runConfig) { c.timeout = d }
}

// dockerCaps is Docker's default capability set. runc spec's default (AUDIT_WRITE, KILL,
// NET_BIND_SERVICE) breaks e.g. nginx, which chowns its temp dirs.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

func runcUsable(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("runc")
	if err != nil {
		skipOrFatal(t, "runc not found in PATH (internal/testenv/testenv.sh setup installs it)")
	}
	if os.Geteuid() != 0 {
		skipOrFatal(t, "running exported images with runc needs root")
	}
	return p
}

// RunRootfs runs args (default: the image's Entrypoint+Cmd) inside the
// exported root filesystem rootfs with runc, configured from the image config
// cfg (Env, User, WorkingDir) like `docker run --network host` would: host
// network (servers are reachable on 127.0.0.1), private pid/ipc/uts/mount
// namespaces, Docker's default capabilities, the host's /etc/resolv.conf and
// /etc/hosts. It returns the combined stdout+stderr and fails the test if the
// command cannot run or exits non-zero.
//
// The container writes into rootfs (runc creates mount points such as /proc,
// /dev, /etc/hosts): take TreeDigest before running.
func RunRootfs(ctx context.Context, t testing.TB, rootfs string, cfg ocispecs.Image, args []string, opts ...RunOption) string {
	t.Helper()
	out, err := TryRunRootfs(ctx, t, rootfs, cfg, args, opts...)
	if err != nil {
		t.Fatalf("run %q in %s: %v\n--- output ---\n%s", args, rootfs, err, tail(out, 80))
	}
	return out
}

// TryRunRootfs is RunRootfs returning the error (an *exec.ExitError for a
// non-zero exit) instead of failing the test.
func TryRunRootfs(ctx context.Context, t testing.TB, rootfs string, cfg ocispecs.Image, args []string, opts ...RunOption) (string, error) {
	t.Helper()
	runc := runcUsable(t)
	rc := runConfig{timeout: 2 * time.Minute}
	for _, o := range opts {
		o(&rc)
	}
	id, bundle, err := prepareBundle(t, rootfs, cfg, args, rc)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, rc.timeout)
	defer cancel()
	var out lockedBuffer
	cmd := exec.CommandContext(ctx, runc, "run", "--bundle", bundle, id)
	cmd.Stdin = nil
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Cancel = func() error { return exec.Command(runc, "kill", id, "KILL").Run() }
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	_ = exec.Command(runc, "delete", "--force", id).Run()
	if ctx.Err() != nil && err != nil {
		err = fmt.Errorf("%w (context: %v)", err, ctx.Err())
	}
	return out.String(), err
}

// Container is a container started by StartRootfs.
type Container struct {
	ID      string
	runc    string
	cmd     *exec.Cmd
	out     *lockedBuffer
	stopSig string // runc kill signal name, e.g. "QUIT"
	once    sync.Once
	done    chan struct{}
	err     error
}

// Output returns what the container wrote so far (stdout+stderr).
func (c *Container) Output() string { return c.out.String() }

// Exited reports whether the container's main process has ended.
func (c *Container) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Stop sends the image's StopSignal (default SIGTERM), SIGKILL after 10 s,
// deletes the container and returns its output. Safe to call twice.
func (c *Container) Stop() string {
	c.once.Do(func() {
		sig := c.stopSig
		if sig == "" {
			sig = "TERM"
		}
		_ = exec.Command(c.runc, "kill", c.ID, sig).Run()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = exec.Command(c.runc, "kill", c.ID, "KILL").Run()
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.done
			}
		}
		_ = exec.Command(c.runc, "delete", "--force", c.ID).Run()
	})
	return c.out.String()
}

// StartRootfs starts args (default: Entrypoint+Cmd) in rootfs like RunRootfs,
// but in the background, e.g. a server a test then talks to on 127.0.0.1
// (see WaitHTTP). It returns a stop func that stops the container and returns
// its output; the container is also stopped when the test ends.
func StartRootfs(ctx context.Context, t testing.TB, rootfs string, cfg ocispecs.Image, args []string, opts ...RunOption) (c *Container, stop func() string) {
	t.Helper()
	runc := runcUsable(t)
	rc := runConfig{}
	for _, o := range opts {
		o(&rc)
	}
	id, bundle, err := prepareBundle(t, rootfs, cfg, args, rc)
	if err != nil {
		t.Fatalf("prepare container: %v", err)
	}
	c = &Container{ID: id, runc: runc, out: &lockedBuffer{}, done: make(chan struct{})}
	if s := strings.TrimPrefix(strings.ToUpper(cfg.Config.StopSignal), "SIG"); s != "" {
		c.stopSig = s
	}
	c.cmd = exec.Command(runc, "run", "--bundle", bundle, id)
	c.cmd.Stdout = c.out
	c.cmd.Stderr = c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("runc run: %v", err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() { c.Stop() })
	go func() {
		select {
		case <-ctx.Done():
			c.Stop()
		case <-c.done:
		}
	}()
	return c, c.Stop
}

// WaitHTTP polls url until it answers with status 200 (or timeout) and
// returns the body. c (may be nil) is checked for an early exit, and its
// output is included in the failure message.
func WaitHTTP(t testing.TB, c *Container, url string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 3 * time.Second}
	var last string
	for {
		resp, err := hc.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b)
			}
			last = fmt.Sprintf("status %d: %.200s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		if c != nil && c.Exited() {
			t.Fatalf("GET %s: container %s exited (%v) before answering; last: %s\n--- output ---\n%s", url, c.ID, c.err, last, tail(c.Output(), 60))
		}
		if time.Now().After(deadline) {
			out := ""
			if c != nil {
				out = tail(c.Output(), 60)
			}
			t.Fatalf("GET %s: no 200 within %v; last: %s\n--- output ---\n%s", url, timeout, last, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var idCounter struct {
	sync.Mutex
	n int
}

func newID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	idCounter.Lock()
	idCounter.n++
	n := idCounter.n
	idCounter.Unlock()
	return fmt.Sprintf("msenv-%d-%d-%s", os.Getpid(), n, hex.EncodeToString(b[:]))
}

// prepareBundle writes a runc bundle (config.json) for rootfs into a test temp dir.
func prepareBundle(t testing.TB, rootfs string, img ocispecs.Image, args []string, rc runConfig) (id, bundle string, err error) {
	rootfs, err = filepath.Abs(rootfs)
	if err != nil {
		return "", "", err
	}
	if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("rootfs %s: not a directory (%v)", rootfs, err)
	}
	// buildkit's local exporter makes the destination 0700: as "/" that locks out non-root users
	if err := os.Chmod(rootfs, 0o755); err != nil {
		return "", "", err
	}
	cfg := img.Config
	if len(args) == 0 {
		args = append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...)
	}
	if len(args) == 0 {
		return "", "", errors.New("no command given and the image has no Entrypoint/Cmd")
	}
	userSpec := cfg.User
	if rc.user != nil {
		userSpec = *rc.user
	}
	uid, gid, groups, home, err := resolveUser(rootfs, userSpec)
	if err != nil {
		return "", "", err
	}
	cwd := cfg.WorkingDir
	if rc.workdir != "" {
		cwd = rc.workdir
	}
	if cwd == "" {
		cwd = "/"
	}
	env := mergeEnv(cfg.Env, rc.env)
	if !hasKey(env, "PATH") {
		env = append([]string{defaultPath}, env...)
	}
	env = append([]string{"HOSTNAME=testenv"}, env...)
	if !hasKey(env, "HOME") {
		env = append(env, "HOME="+home)
	}

	mounts := []map[string]any{
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": []string{"nosuid", "noexec", "nodev"}},
		{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": []string{"nosuid", "noexec", "nodev", "ro"}},
		{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
	}
	// like Docker: the host's resolver config and a hosts file (so "localhost" resolves)
	for _, f := range []string{"/etc/resolv.conf", "/etc/hosts"} {
		if _, err := os.Stat(f); err == nil {
			mounts = append(mounts, map[string]any{"destination": f, "type": "bind", "source": f, "options": []string{"rbind", "ro"}})
		}
	}
	for _, b := range rc.binds {
		src, err := filepath.Abs(b.src)
		if err != nil {
			return "", "", err
		}
		o := []string{"rbind"}
		if b.ro {
			o = append(o, "ro")
		}
		mounts = append(mounts, map[string]any{"destination": b.dst, "type": "bind", "source": src, "options": o})
	}

	spec := map[string]any{
		"ociVersion": "1.0.2-dev",
		"process": map[string]any{
			"terminal":        false,
			"user":            map[string]any{"uid": uid, "gid": gid, "additionalGids": groups},
			"args":            args,
			"env":             env,
			"cwd":             cwd,
			"capabilities":    map[string]any{"bounding": dockerCaps, "effective": dockerCaps, "permitted": dockerCaps},
			"noNewPrivileges": false,
		},
		"root":     map[string]any{"path": rootfs, "readonly": false},
		"hostname": "testenv",
		"mounts":   mounts,
		"linux": map[string]any{
			"resources": map[string]any{"devices": []map[string]any{{"allow": false, "access": "rwm"}}},
			// no "network" namespace: the container shares the host network (like --network host)
			"namespaces": []map[string]any{{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}},
			"maskedPaths": []string{
				"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
				"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			"readonlyPaths": []string{
				"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
			},
		},
	}
	data, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return "", "", err
	}
	bundle = t.TempDir()
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		return "", "", err
	}
	return newID(), bundle, nil
}

func hasKey(env []string, k string) bool {
	for _, e := range env {
		if strings.HasPrefix(e, k+"=") {
			return true
		}
	}
	return false
}

// mergeEnv returns base with the KEY=VALUE entries of over replacing or appended.
func mergeEnv(base, over []string) []string {
	out := append([]string{}, base...)
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, e := range out {
			if strings.HasPrefix(e, k+"=") {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// resolveUser turns an image User ("", "uid", "uid:gid", "name", "name:group")
// into ids using the rootfs's /etc/passwd and /etc/group, like Docker does.
func resolveUser(rootfs, spec string) (uid, gid int, groups []int, home string, err error) {
	home = "/"
	groups = []int{}
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	passwd := readColonFile(filepath.Join(rootfs, "etc/passwd"))
	grp := readColonFile(filepath.Join(rootfs, "etc/group"))
	name := ""
	switch {
	case userPart == "":
		uid, gid = 0, 0
		name = "root"
	default:
		if n, e := strconv.Atoi(userPart); e == nil {
			uid = n
		} else {
			found := false
			for _, f := range passwd {
				if len(f) >= 4 && f[0] == userPart {
					uid, _ = strconv.Atoi(f[2])
					found = true
					break
				}
			}
			if !found {
				return 0, 0, nil, "", fmt.Errorf("user %q not found in %s/etc/passwd", userPart, rootfs)
			}
		}
	}
	// primary group and home from passwd
	for _, f := range passwd {
		if len(f) >= 6 {
			if n, e := strconv.Atoi(f[2]); e == nil && n == uid {
				gid, _ = strconv.Atoi(f[3])
				home = f[5]
				name = f[0]
				break
			}
		}
	}
	if hasGroup && groupPart != "" {
		if n, e := strconv.Atoi(groupPart); e == nil {
			gid = n
		} else {
			found := false
			for _, f := range grp {
				if len(f) >= 3 && f[0] == groupPart {
					gid, _ = strconv.Atoi(f[2])
					found = true
					break
				}
			}
			if !found {
				return 0, 0, nil, "", fmt.Errorf("group %q not found in %s/etc/group", groupPart, rootfs)
			}
		}
	} else if name != "" {
		// supplementary groups (only when no explicit group is given, as Docker does)
		for _, f := range grp {
			if len(f) >= 4 {
				for _, m := range strings.Split(f[3], ",") {
					if m == name {
						if n, e := strconv.Atoi(f[2]); e == nil && n != gid {
							groups = append(groups, n)
						}
					}
				}
			}
		}
	}
	return uid, gid, groups, home, nil
}

func readColonFile(p string) [][]string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, ":"))
	}
	return out
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
