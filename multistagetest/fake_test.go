package multistagetest_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the
// test, so that tests can check that a helper fails, and how. It passes
// everything else (Context, TempDir, Helper, Logf) to the real test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.mu.Lock()
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fail()             { r.Errorf("Fail") }
func (r *recorder) FailNow()          { r.Fatalf("FailNow") }
func (r *recorder) Failed() bool      { return len(r.failures()) > 0 }

func (r *recorder) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// record runs f with a recorder on its own goroutine, so that a Fatal
// ends only f, and returns what f reported.
func record(t testing.TB, f func(t testing.TB)) []string {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.failures()
}

// mustFail checks that f fails, with a message that has every one of
// want, and returns the message.
func mustFail(t *testing.T, f func(t testing.TB), want ...string) string {
	t.Helper()
	failures := record(t, f)
	if len(failures) == 0 {
		t.Fatalf("did not fail; want a failure with %q", want)
	}
	msg := strings.Join(failures, "\n")
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("the failure does not say %q:\n%s", w, msg)
		}
	}
	return msg
}

// mustPass checks that f reports nothing.
func mustPass(t *testing.T, f func(t testing.TB)) {
	t.Helper()
	if failures := record(t, f); len(failures) > 0 {
		t.Errorf("failed:\n%s", strings.Join(failures, "\n"))
	}
}
