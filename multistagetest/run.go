package multistagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
)

// defaultPath is the PATH of a process whose image sets none, as Docker
// and BuildKit give it.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Run builds the image of stage s on the BuildKit daemon behind c and runs
// argv in a container of it, and returns what the command wrote to
// standard output. It fails t, with the command's standard error in the
// message, when the command cannot start or exits with a status other
// than 0; and with the build's log when the image does not build.
//
// The container is one of BuildKit's gateway containers: it needs no
// Docker, only the daemon. The command runs as the image would run it:
// as the image's user (USER), in its working directory (WORKDIR, "/" when
// it has none), with its environment (ENV, and BuildKit's default PATH if
// the image sets none), on the daemon's network. argv is the whole
// command, as "docker run --entrypoint" gives it: the image's
// ENTRYPOINT does not wrap it. Without argv, Run runs the image's
// ENTRYPOINT and CMD, as "docker run image" does. The command must end:
// for a server, use [Listens] or [HTTPGet].
//
// The build is the one [multistage.Build.Solve] makes with
// [multistage.Target](s), with the current directory (the package's,
// under go test) as the build context; BuildKit's cache makes the next
// call on the same stage cheap. The container ends when the command does,
// and nothing is exported.
func Run(t testing.TB, c *client.Client, s *multistage.Stage, argv ...string) string {
	t.Helper()
	var out string
	inspect(t, c, s, func(ctx context.Context, built *multistage.Built) error {
		args, err := command(built, argv)
		if err != nil {
			return err
		}
		ctr, err := newContainer(ctx, built, pb.NetMode_UNSET)
		if err != nil {
			return err
		}
		defer ctr.release()
		res := ctr.run(ctx, process(built, args))
		if res.err != nil {
			return res.failure(args)
		}
		out = res.stdout
		return nil
	})
	return out
}

// inspect builds the target s on the daemon behind c and calls fn inside
// the build. It fails t when the build or fn fails: a problem found by fn
// (a *checkError) as it is, any other error with the build's log.
func inspect(t testing.TB, c *client.Client, s *multistage.Stage, fn func(ctx context.Context, built *multistage.Built) error, opts ...multistage.SolveOption) *multistage.SolveResult {
	t.Helper()
	if c == nil || s == nil {
		t.Fatalf("multistagetest: nil client or stage")
		return nil
	}
	var log lockedBuffer
	var found error
	all := append([]multistage.SolveOption{
		multistage.Target(s),
		multistage.Progress("plain", &log),
		multistage.Inspect(func(ctx context.Context, built *multistage.Built) error {
			err := fn(ctx, built)
			var ce *checkError
			if errors.As(err, &ce) {
				found = ce
			}
			return err
		}),
	}, opts...)
	res, err := s.Build().Solve(t.Context(), c, all...)
	if found != nil {
		t.Fatalf("stage %s: %v", s.Name(), found)
		return nil
	}
	if err != nil {
		t.Fatalf("stage %s: %v\nbuild log:\n%s", s.Name(), err, tail(log.String(), 60))
		return nil
	}
	return res
}

// checkError is a problem of the image that a check found, as opposed to
// a failure of the build.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

func checkFailed(format string, args ...any) error {
	return &checkError{msg: fmt.Sprintf(format, args...)}
}

// command returns argv, or the image's ENTRYPOINT and CMD without it.
func command(built *multistage.Built, argv []string) ([]string, error) {
	if len(argv) > 0 {
		return argv, nil
	}
	args := append(append([]string(nil), built.Image.Config.Entrypoint...), built.Image.Config.Cmd...)
	if len(args) == 0 {
		return nil, checkFailed("no command: the image has no ENTRYPOINT or CMD, and no argv was given")
	}
	return args, nil
}

// process is a start request for args as the image runs its commands.
func process(built *multistage.Built, args []string) gwclient.StartRequest {
	cfg := built.Image.Config
	env := append([]string(nil), cfg.Env...)
	hasPath := false
	for _, e := range env {
		hasPath = hasPath || strings.HasPrefix(e, "PATH=")
	}
	if !hasPath {
		env = append(env, defaultPath)
	}
	cwd := cfg.WorkingDir
	if cwd == "" {
		cwd = "/"
	}
	return gwclient.StartRequest{Args: args, Env: env, User: cfg.User, Cwd: cwd}
}

// container is a gateway container with the built image as its root.
type container struct {
	gwclient.Container
	ctx context.Context
}

// newContainer starts a container of the built image, with more mounts
// (such as the probe's) if given. netMode is the network: UNSET for the
// daemon's, NONE for a network of its own with only a loopback interface.
func newContainer(ctx context.Context, built *multistage.Built, netMode pb.NetMode, more ...gwclient.Mount) (*container, error) {
	p, err := platforms.Parse(built.Platform)
	if err != nil {
		return nil, err
	}
	ctr, err := built.Gateway.NewContainer(ctx, gwclient.NewContainerRequest{
		Mounts:   append([]gwclient.Mount{{Dest: "/", MountType: pb.MountType_BIND, Ref: built.Ref}}, more...),
		NetMode:  netMode,
		Platform: &pb.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
	})
	if err != nil {
		return nil, fmt.Errorf("starting a container: %w", err)
	}
	return &container{Container: ctr, ctx: ctx}, nil
}

func (c *container) release() {
	c.Release(context.WithoutCancel(c.ctx))
}

// result is how a process ended.
type result struct {
	stdout, stderr string
	code           int // -1 when the process did not start or its status is unknown
	err            error
}

// failure is the error of a result whose process failed.
func (r result) failure(args []string) error {
	if r.code >= 0 {
		return checkFailed("%q exited with status %d; standard error:\n%s", args, r.code, r.stderr)
	}
	return checkFailed("%q did not run: %v; standard error:\n%s", args, r.err, r.stderr)
}

// run starts req in the container and waits for it to end.
func (c *container) run(ctx context.Context, req gwclient.StartRequest) result {
	var stdout, stderr lockedBuffer
	req.Stdout, req.Stderr = &stdout, &stderr
	proc, err := c.Start(ctx, req)
	if err != nil {
		return result{code: -1, err: err, stderr: stderr.String()}
	}
	err = proc.Wait()
	return ended(err, stdout.String(), stderr.String())
}

// ended is the result of a process that Wait returned err for.
func ended(err error, stdout, stderr string) result {
	r := result{stdout: stdout, stderr: stderr, err: err}
	var exit *gwpb.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode != gwpb.UnknownExitStatus:
		r.code = int(exit.ExitCode)
	default:
		r.code = -1
	}
	return r
}

// lockedBuffer is an io.WriteCloser that collects what BuildKit streams
// from another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Close() error { return nil }

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[… %d lines before]\n", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "")
}
