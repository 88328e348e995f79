package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/testresolver"
)

// large is a build of stages stages of perStage instructions each, every
// stage after the first using the one before it (COPY --from and a bind
// mount), so that the last stage needs all of them.
func large(stages, perStage int) *multistage.Build {
	b := multistage.New()
	b.Arg("VERSION", "1")
	var prev *multistage.Stage
	for i := range stages {
		s := b.Stage(fmt.Sprintf("s%d", i)).From("alpine:3.20")
		n := 0
		add := func(f func()) {
			if n < perStage {
				f()
				n++
			}
		}
		for n < perStage {
			add(func() { s.Workdir(fmt.Sprintf("/work/%d", n)) })
			add(func() { s.Env("STAGE", fmt.Sprint(i)) })
			add(func() { s.Arg("VERSION") })
			add(func() { s.Label(fmt.Sprintf("stage.%d", n), fmt.Sprint(i)) })
			add(func() { s.Copy(fmt.Sprintf("src/%d/%d", i, n), ".", multistage.Exclude("*.md")) })
			add(func() {
				if prev != nil {
					s.CopyFrom(prev, "/out", "/in")
				} else {
					s.User("app")
				}
			})
			add(func() {
				opts := []multistage.RunOption{multistage.CacheMount("/cache")}
				if prev != nil {
					opts = append(opts, multistage.BindMount("/prev", multistage.MountFrom(prev)))
				}
				s.Run(fmt.Sprintf("mkdir -p /out && echo %d > /out/%d", i, n), opts...)
			})
			add(func() { s.EnvExpand("PATH", "/work/bin:$PATH") })
			add(func() { s.RunExec([]string{"/bin/true", fmt.Sprint(n)}) })
			add(func() { s.Expose(8000 + n) })
		}
		prev = s
	}
	return b
}

// TestLargeBuild checks that a build of 1,000 stages and 10,000
// instructions validates, renders and compiles.
func TestLargeBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 stages")
	}
	b := large(1000, 10)
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Dockerfile(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Compile(context.Background(), multistage.WithMetaResolver(testresolver.New()), multistage.WithPlatform(linuxAMD64)); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLargeBuild measures every step of a build of 1,000 stages and
// 10,000 instructions: making it with the builder API, Validate, Lint,
// Dockerfile and Compile (with a static resolver).
func BenchmarkLargeBuild(b *testing.B) {
	const stages, perStage = 1000, 10
	ctx := context.Background()
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			large(stages, perStage)
		}
	})
	build := large(stages, perStage)
	b.Run("Validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := build.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Lint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			build.Lint()
		}
	})
	b.Run("Dockerfile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := build.Dockerfile(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Compile", func(b *testing.B) {
		r := testresolver.New()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := build.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(stages*perStage), "ns/instruction")
	})
}

// TestCycles checks that a cycle of stages, through FromStage, CopyFrom or
// MountFrom, is reported with ErrCycle by Validate, Dockerfile and
// Compile, and quickly: also around a ring of 10,000 stages, and in a
// build where every stage uses every stage before it.
func TestCycles(t *testing.T) {
	tests := []struct {
		name   string
		make   func() *multistage.Build
		reason string
	}{
		{name: "FromStage itself", reason: "the smallest cycle",
			make: func() *multistage.Build {
				b := multistage.New()
				s := b.Stage("a")
				s.FromStage(s)
				return b
			}},
		{name: "CopyFrom itself", reason: "a stage cannot copy from its own result",
			make: func() *multistage.Build {
				b := multistage.New()
				s := b.Stage("a").From("alpine:3.20")
				s.CopyFrom(s, "/x", "/y")
				return b
			}},
		{name: "MountFrom itself", reason: "nor mount it",
			make: func() *multistage.Build {
				b := multistage.New()
				s := b.Stage("a").From("alpine:3.20")
				s.Run("ls", multistage.BindMount("/m", multistage.MountFrom(s)))
				return b
			}},
		{name: "FromStage, CopyFrom and MountFrom", reason: "a cycle through all three kinds of use",
			make: func() *multistage.Build {
				b := multistage.New()
				a := b.Stage("a")
				bb := b.Stage("b").FromStage(a)
				c := b.Stage("c").From("alpine:3.20").Run("ls", multistage.CacheMount("/m", multistage.MountFrom(bb)))
				a.From("alpine:3.20").CopyFrom(c, "/x", "/y")
				return b
			}},
		{name: "ring of 10,000", reason: "the check is linear, not a walk of every path",
			make: func() *multistage.Build {
				b := multistage.New()
				first := b.Stage("s0")
				prev := first
				for i := 1; i < 10000; i++ {
					prev = b.Stage(fmt.Sprintf("s%d", i)).FromStage(prev)
				}
				first.FromStage(prev)
				return b
			}},
		{name: "dense", reason: "each of 300 stages uses all the stages before it, and the first uses the last: 45,000 edges",
			make: func() *multistage.Build {
				b := multistage.New()
				var all []*multistage.Stage
				first := b.Stage("s0")
				all = append(all, first)
				for i := 1; i < 300; i++ {
					s := b.Stage(fmt.Sprintf("s%d", i)).From("alpine:3.20")
					for _, p := range all {
						s.CopyFrom(p, "/x", "/y")
					}
					all = append(all, s)
				}
				first.FromStage(all[len(all)-1])
				return b
			}},
		{name: "cycle off the target's path", reason: "a cycle among stages the target does not need is still an error",
			make: func() *multistage.Build {
				b := multistage.New()
				x := b.Stage("x").From("alpine:3.20")
				y := b.Stage("y").From("alpine:3.20").CopyFrom(x, "/a", "/a")
				x.Run("ls", multistage.BindMount("/m", multistage.MountFrom(y)))
				b.Stage("target").From("alpine:3.20")
				return b
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reason == "" {
				panic("reason must be provided")
			}
			b := tt.make()
			start := time.Now()
			for name, err := range map[string]error{
				"Validate":   b.Validate(),
				"Dockerfile": second(b.Dockerfile()),
				"Compile":    second(b.Compile(context.Background())),
			} {
				if !errors.Is(err, multistage.ErrCycle) {
					t.Errorf("%s: %v, want ErrCycle; reason: %s", name, err, tt.reason)
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("finding the cycle took %v", d)
			}
		})
	}
}
