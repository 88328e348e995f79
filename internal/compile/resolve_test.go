package compile_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
)

// barrierResolver answers each call once want calls are in flight, or
// after wait, then holds it for hold, and records the most calls it saw in
// flight at once.
type barrierResolver struct {
	want       int
	wait, hold time.Duration

	mu       sync.Mutex
	cond     *sync.Cond
	inFlight int
	most     int
}

func newBarrierResolver(want int, wait, hold time.Duration) *barrierResolver {
	r := &barrierResolver{want: want, wait: wait, hold: hold}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *barrierResolver) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	r.mu.Lock()
	r.inFlight++
	r.most = max(r.most, r.inFlight)
	r.cond.Broadcast()
	deadline := time.Now().Add(r.wait)
	timer := time.AfterFunc(r.wait, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	for r.inFlight < r.want && time.Now().Before(deadline) {
		r.cond.Wait()
	}
	timer.Stop()
	r.mu.Unlock()
	// Keep the call in flight a little longer, so that calls that were
	// released together are seen together.
	time.Sleep(r.hold)
	r.mu.Lock()
	r.inFlight--
	r.mu.Unlock()
	return res{}.ResolveImageConfig(ctx, ref, opt)
}

func (r *barrierResolver) mostInFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.most
}

// threeImages is a build whose last stage copies from two other images.
func threeImages() *ir.Build {
	return &ir.Build{Stages: []*ir.Stage{{
		Name: "run",
		Base: ir.ImageSource("alpine:3.20"),
		Instructions: []ir.Instruction{
			&ir.Copy{From: ir.ImageSource("busybox:1.36"), Sources: []string{"/bin/busybox"}, Dest: "/bin/"},
			&ir.Copy{From: ir.ImageSource("debian:12"), Sources: []string{"/etc/os-release"}, Dest: "/"},
		},
	}}}
}

// TestResolveSlowResolverConcurrently: a resolver that answers slowly is
// found out on its first answer, the images still waiting then resolve
// concurrently, and the next Compile with the same resolver resolves all
// of them concurrently from the start.
func TestResolveSlowResolverConcurrently(t *testing.T) {
	ctx := context.Background()
	r := newBarrierResolver(3, 200*time.Millisecond, time.Millisecond)
	if _, err := compile.Compile(ctx, threeImages(), compile.Options{Resolver: r}); err != nil {
		t.Fatal(err)
	}
	if got := r.mostInFlight(); got != 2 {
		t.Errorf("first Compile: %d resolutions in flight at most, want 2 (the first alone, then the other two at once)", got)
	}
	r.mu.Lock()
	r.most = 0
	r.mu.Unlock()
	if _, err := compile.Compile(ctx, threeImages(), compile.Options{Resolver: r}); err != nil {
		t.Fatal(err)
	}
	if got := r.mostInFlight(); got != 3 {
		t.Errorf("second Compile: %d resolutions in flight at most, want 3", got)
	}

	// Fast again: the next Compile still starts concurrently, finds every
	// answer fast and forgets; the one after resolves in turn.
	r.mu.Lock()
	r.want, r.wait, r.hold, r.most = 1, 0, 0, 0
	r.mu.Unlock()
	for range 2 {
		if _, err := compile.Compile(ctx, threeImages(), compile.Options{Resolver: r}); err != nil {
			t.Fatal(err)
		}
	}
	r.mu.Lock()
	r.most = 0
	r.mu.Unlock()
	if _, err := compile.Compile(ctx, threeImages(), compile.Options{Resolver: r}); err != nil {
		t.Fatal(err)
	}
	if got := r.mostInFlight(); got != 1 {
		t.Errorf("once fast again: %d resolutions in flight at most, want 1", got)
	}
}

// TestResolveConcurrentlyOption: Options.ResolveConcurrently resolves
// every image at once from the first Compile.
func TestResolveConcurrentlyOption(t *testing.T) {
	r := newBarrierResolver(3, 200*time.Millisecond, time.Millisecond)
	if _, err := compile.Compile(context.Background(), threeImages(), compile.Options{Resolver: r, ResolveConcurrently: true}); err != nil {
		t.Fatal(err)
	}
	if got := r.mostInFlight(); got != 3 {
		t.Errorf("%d resolutions in flight at most, want 3", got)
	}
}

// TestResolveFastResolverInTurn: a resolver that answers at once is
// called one image at a time, with no goroutines.
func TestResolveFastResolverInTurn(t *testing.T) {
	r := newBarrierResolver(1, 0, 0)
	for range 3 {
		if _, err := compile.Compile(context.Background(), threeImages(), compile.Options{Resolver: r}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.mostInFlight(); got != 1 {
		t.Errorf("%d resolutions in flight at most, want 1", got)
	}
}
