package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
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

// fromChain is a chain of n stages, each based on the one before it
// (FROM s<i-1>) and adding an ENV, a LABEL and a RUN: the image config of
// every stage starts as its base's, history and all.
func fromChain(n int) *multistage.Build {
	b := multistage.New()
	prev := b.Stage("s0").From("alpine:3.20")
	for i := 1; i < n; i++ {
		prev = b.Stage(fmt.Sprintf("s%d", i)).FromStage(prev).
			Env("STAGE", fmt.Sprint(i)).
			Label("stage", fmt.Sprint(i)).
			Run("true")
	}
	return b
}

// envStage is one stage of n ENV instructions, each of a new variable
// that expands another.
func envStage(n int) *multistage.Build {
	b := multistage.New()
	s := b.Stage("s").From("alpine:3.20").Env("V0", "value")
	for i := 1; i < n; i++ {
		s.EnvExpand(fmt.Sprintf("V%d", i), "${V0}-"+fmt.Sprint(i))
	}
	return b
}

// allocated returns the bytes f allocates. Like testing.AllocsPerRun it
// runs f with GOMAXPROCS 1, so that other goroutines add little.
func allocated(f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestCompileLinearInStagesAndInstructions checks that Compile allocates
// about as much per stage for a chain of 10,000 stages, each FROM the one
// before, as for 1,000, and per instruction for 10,000 ENV instructions as
// for 1,000: the image history was once copied for every stage, and every
// expansion after an ENV built a map of the whole environment, so both
// allocated quadratically (3.2 GB for the chain). Bytes allocated, unlike
// times, are the same on every machine.
func TestCompileLinearInStagesAndInstructions(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 10,000 stages")
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		build func(n int) *multistage.Build
	}{
		{"stage chain", fromChain},
		{"ENV instructions", envStage},
	} {
		perUnit := func(n int) float64 {
			b := tc.build(n)
			r := testresolver.New()
			bytes := allocated(func() {
				if _, err := b.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
					t.Fatal(err)
				}
			})
			return float64(bytes) / float64(n)
		}
		small, large := perUnit(1000), perUnit(10000)
		t.Logf("%s: %.0f bytes allocated per unit for 1,000, %.0f for 10,000", tc.name, small, large)
		if large > 2*small {
			t.Errorf("%s: Compile is not linear: %.0f bytes per unit for 10,000, %.0f for 1,000", tc.name, large, small)
		}
	}
}

// doubling is a stage whose ENV doubles a variable of 8 bytes n times:
// 8·2ⁿ bytes, 128 MiB for n = 24.
func doubling(n int) *multistage.Build {
	b := multistage.New()
	s := b.Stage("s").From("alpine:3.20").Env("A", "01234567")
	for range n {
		s.EnvExpand("A", "$A$A")
	}
	return b
}

// TestExpansionLimits checks that a value that expands beyond the limit,
// and values that expand to more than the total, are refused with
// ErrExpansionLimit at the instruction that crosses it, in bounded memory.
func TestExpansionLimits(t *testing.T) {
	ctx := context.Background()
	var err error
	bytes := allocated(func() { _, err = doubling(24).Compile(ctx) })
	var ie *multistage.InstructionError
	if !errors.Is(err, multistage.ErrExpansionLimit) || !errors.As(err, &ie) {
		t.Fatalf("doubling 24 times: got %v, want an InstructionError wrapping ErrExpansionLimit", err)
	}
	// 8·2¹⁷ bytes is 1 MiB, the limit; the 18th doubling, instruction
	// 18 after the first ENV, goes beyond it.
	if ie.Index != 18 || ie.Instruction != "ENV" {
		t.Errorf("refused at instruction %d (%s), want 18 (ENV): %v", ie.Index, ie.Instruction, err)
	}
	if bytes > 32<<20 {
		t.Errorf("refusing the doubling allocated %d MiB, want at most 32", bytes>>20)
	}
	if _, err := doubling(17).Compile(ctx); err != nil {
		t.Errorf("doubling 17 times (1 MiB): %v", err)
	}

	// The total: 8 values of 1,000 bytes fit in 8 KiB, the 9th does not.
	b := multistage.New()
	s := b.Stage("s").From("alpine:3.20").Env("K", strings.Repeat("k", 1000))
	for i := range 12 {
		s.EnvExpand(fmt.Sprintf("V%d", i), "$K")
	}
	_, err = b.Compile(ctx, multistage.WithExpansionLimits(2000, 8<<10))
	if !errors.Is(err, multistage.ErrExpansionLimit) || !errors.As(err, &ie) || ie.Index != 9 {
		t.Errorf("the total: got %v, want ErrExpansionLimit at instruction 9", err)
	}
	if _, err := b.Compile(ctx, multistage.WithExpansionLimits(0, 0)); err != nil {
		t.Errorf("the default limits: %v", err)
	}
	if _, err := b.Compile(ctx, multistage.WithExpansionLimits(999, 0)); !errors.Is(err, multistage.ErrExpansionLimit) {
		t.Errorf("a value of 1,000 bytes, limit 999: got %v, want ErrExpansionLimit", err)
	}
}

// BenchmarkLimits measures Compile of a chain of 10,000 stages each FROM the
// one before, of 10,000 ENV instructions, and of a Dockerfile that doubles
// a variable 24 times, which is refused; and ParseDockerfile of the
// Dockerfiles of the first two. Compare the per-unit metrics of 1,000 and
// 10,000: linear costs give the same.
func BenchmarkLimits(b *testing.B) {
	ctx := context.Background()
	r := testresolver.New()
	compile := func(build *multistage.Build, n int) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := build.Compile(ctx, multistage.WithMetaResolver(r), multistage.WithPlatform(linuxAMD64)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/unit")
		}
	}
	parse := func(df []byte, n int) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := multistage.ParseDockerfile(df); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/unit")
		}
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("Compile/stage-chain/%d", n), compile(fromChain(n), n))
		b.Run(fmt.Sprintf("Compile/env/%d", n), compile(envStage(n), n))
		chainDF, err := fromChain(n).Dockerfile()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ParseDockerfile/stage-chain/%d", n), parse(chainDF, n))
		envDF, err := envStage(n).Dockerfile()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("ParseDockerfile/env/%d", n), parse(envDF, n))
	}
	b.Run("Compile/doubling-24-refused", func(b *testing.B) {
		build := doubling(24)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := build.Compile(ctx); !errors.Is(err, multistage.ErrExpansionLimit) {
				b.Fatalf("got %v, want ErrExpansionLimit", err)
			}
		}
	})
}
