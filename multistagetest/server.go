package multistagetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	gwclient "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
)

// ServerTimeout is how long [Listens] and [HTTPGet] wait for the image's
// server to answer: 60 seconds unless a test sets another value, before
// the checks that use it start.
var ServerTimeout = 60 * time.Second

// Listens builds the image of stage s on the daemon behind c, starts its
// ENTRYPOINT and CMD as "docker run" would (as [Run] runs a command), and
// checks that the server accepts TCP connections on port within
// [ServerTimeout]. It fails t, with the server's output, when nothing
// listens there in time or the server exits first. The server is then
// stopped.
//
// The container has a network of its own with only a loopback interface,
// so the port is free whatever runs on the machine, and tests may run in
// parallel. A small probe program, compiled for the image's platform with
// the go command that runs the tests, connects from inside the container:
// the image needs no shell and no tools.
func Listens(t testing.TB, c *client.Client, s *multistage.Stage, port int) {
	t.Helper()
	serve(t, c, s, port, "tcp", "127.0.0.1:"+strconv.Itoa(port))
}

// HTTPGet is [Listens] for an HTTP server: it sends GET requests to path
// (such as "/" or "/health") on port until one is answered, and returns
// the body of the answer. It fails t when the answer's status is not 2xx
// (with the body in the message), when nothing answers within
// [ServerTimeout], or when the server exits first.
func HTTPGet(t testing.TB, c *client.Client, s *multistage.Stage, port int, path string) string {
	t.Helper()
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	return serve(t, c, s, port, "http", "http://127.0.0.1:"+strconv.Itoa(port)+path)
}

// serve starts the image's server and the probe beside it.
func serve(t testing.TB, c *client.Client, s *multistage.Stage, port int, mode, target string) string {
	t.Helper()
	if port <= 0 || port > 65535 {
		t.Fatalf("multistagetest: port %d: want 1 to 65535", port)
	}
	var answer string
	inspect(t, c, s, func(ctx context.Context, built *multistage.Built) error {
		args, err := command(built, nil)
		if err != nil {
			return err
		}
		probe, err := probeMount(ctx, built)
		if err != nil {
			return err
		}
		ctr, err := newContainer(ctx, built, pb.NetMode_NONE, probe)
		if err != nil {
			return err
		}
		defer ctr.release()

		var stdout, stderr lockedBuffer
		req := process(built, args)
		req.Stdout, req.Stderr = &stdout, &stderr
		server, err := ctr.Start(ctx, req)
		if err != nil {
			return checkFailed("the server %q did not start: %v\n%s", args, err, stderr.String())
		}
		exited := make(chan result, 1)
		go func() {
			err := server.Wait()
			exited <- ended(err, stdout.String(), stderr.String())
		}()

		probeCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		probed := make(chan result, 1)
		go func() {
			probed <- ctr.run(probeCtx, gwclient.StartRequest{
				Args: []string{probeDir + "/probe", mode, target, ServerTimeout.String()},
				Env:  []string{defaultPath},
				User: "0:0",
				Cwd:  "/",
			})
		}()
		serverExited := func(r result) error {
			return checkFailed("the server %q exited (status %d) before it answered on port %d; its output:\n%s%s", args, r.code, port, r.stdout, r.stderr)
		}
		var p result
		select {
		case p = <-probed:
		case r := <-exited:
			cancel()
			<-probed
			return serverExited(r)
		}
		code, msg := probeOutcome(p)
		if code != 0 {
			// The probe cannot start once the server has exited, which
			// ends the container: say so, rather than that the port was
			// silent.
			select {
			case r := <-exited:
				return serverExited(r)
			case <-time.After(time.Second):
			}
		}
		server.Signal(ctx, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
		switch code {
		case 0:
			answer = p.stdout
			return nil
		case 2:
			return checkFailed("%s: nothing answered on port %d within %v (%s); the server %q wrote:\n%s%s", target, port, ServerTimeout, msg, args, stdout.String(), stderr.String())
		case 3:
			return checkFailed("%s: the answer was no success: %s; body:\n%s\nthe server %q wrote:\n%s%s", target, msg, p.stdout, args, stdout.String(), stderr.String())
		}
		return checkFailed("the probe did not run: %s", msg)
	})
	return answer
}

// probeOutcome reads the outcome of the probe from its last line on
// standard error ("probe: N"), and returns it with the lines before it:
// -1 when the probe did not say, which means it did not run.
func probeOutcome(r result) (int, string) {
	msg := strings.TrimRight(r.stderr, "\n")
	// In "\n"+msg, the match at i starts one byte before msg[i:].
	i := strings.LastIndex("\n"+msg, "\nprobe: ")
	if r.err != nil || i < 0 {
		return -1, fmt.Sprintf("%v: %s", r.err, r.stderr)
	}
	code, err := strconv.Atoi(msg[i+len("probe: "):])
	if err != nil {
		return -1, r.stderr
	}
	return code, strings.TrimSpace(msg[:i])
}
