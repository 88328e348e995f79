package multistage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
)

// TestRelativeMountTargets checks that a relative bind, cache or tmpfs
// target is joined to the working directory as BuildKit joins it, in both
// backends, and that only a target that comes out as "/" is refused.
func TestRelativeMountTargets(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		reason string
		build  func(s *multistage.Stage)
		// refused: Compile (and BuildKit's frontend) refuse the mount
		// over "/", which Validate cannot know.
		refused bool
	}{
		{reason: "docker init's Go template: the context on the working directory",
			build: func(s *multistage.Stage) {
				s.Workdir("/src").Run("go build ./...", multistage.BindMount("."), multistage.CacheMount("./.cache"), multistage.TmpfsMount("tmp"))
			}},
		{reason: "a target above the working directory",
			build: func(s *multistage.Stage) { s.Workdir("/src/gen").Run("ls", multistage.BindMount("../vendor")) }},
		{reason: "the working directory of the base image: golang's is /go",
			build: func(s *multistage.Stage) { s.Run("ls", multistage.BindMount(".")) }},
		{reason: "a target that is / once joined", refused: true,
			build: func(s *multistage.Stage) { s.Workdir("/a/b").Run("ls", multistage.BindMount("../..")) }},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			b := multistage.New()
			tc.build(b.Stage("s").From("golang:1.22"))
			if err := b.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tc.refused {
				if _, err := b.Compile(ctx); !errors.Is(err, multistage.ErrInvalidValue) {
					t.Fatalf("Compile: got %v, want ErrInvalidValue", err)
				}
				df, _ := b.Dockerfile()
				if _, _, ferr := crosscheck.Frontend(ctx, df, "", crosscheck.Options{}); ferr == nil {
					t.Fatalf("dockerfile2llb accepts what Compile refuses:\n%s", df)
				}
				return
			}
			diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Fatalf("Compile and BuildKit differ:\n%s\n%s", diff, res.Dockerfile)
			}
		})
	}
	b := multistage.New()
	b.Stage("s").From("alpine").Run("ls", multistage.CacheMount("/tmp/.."))
	if err := b.Validate(); !errors.Is(err, multistage.ErrInvalidValue) {
		t.Errorf("an absolute target that is /: Validate gives %v, want ErrInvalidValue", err)
	}
}

// TestMountModeBits checks that Mode keeps the setuid, setgid and sticky
// bits, as BuildKit keeps them, whether given as Go's flags or as octal
// bits, and refuses any other bit rather than dropping it.
func TestMountModeBits(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		mode fs.FileMode
		want uint32
	}{
		{0o4755, 0o4755},
		{fs.ModeSetuid | 0o755, 0o4755},
		{fs.ModeSticky | 0o777, 0o1777},
		{fs.ModeSetgid | fs.ModeSetuid | 0o700, 0o6700},
		{0o400, 0o400},
	} {
		b := multistage.New()
		b.Stage("s").From("alpine").Run("tool",
			multistage.SecretMount("tool", multistage.MountTarget("/usr/bin/tool"), multistage.Mode(tc.mode)),
			multistage.CacheMount("/cache", multistage.Mode(tc.mode)))
		diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{})
		if err != nil {
			t.Fatalf("Mode(%v): %v", tc.mode, err)
		}
		if diff != "" {
			t.Fatalf("Mode(%v): Compile and BuildKit differ:\n%s\n%s", tc.mode, diff, res.Dockerfile)
		}
		var secretMode int64 = -1
		for _, dt := range res.Compiled.Definition.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			for _, m := range op.GetExec().GetMounts() {
				if m.SecretOpt != nil {
					secretMode = int64(m.SecretOpt.Mode)
				}
			}
		}
		if secretMode != int64(tc.want) {
			t.Errorf("Mode(%v): the secret file has mode %#o, want %#o", tc.mode, secretMode, tc.want)
		}
		if want := fmt.Sprintf("mode=%04o", tc.want); !strings.Contains(string(res.Dockerfile), want) {
			t.Errorf("Mode(%v): no %s in\n%s", tc.mode, want, res.Dockerfile)
		}
	}
	for _, mode := range []fs.FileMode{fs.ModeDir | 0o755, 0o17777, fs.ModeSymlink} {
		b := multistage.New()
		b.Stage("s").From("alpine").Run("tool", multistage.SecretMount("tool", multistage.Mode(mode)))
		if err := b.Validate(); !errors.Is(err, multistage.ErrInvalidValue) {
			t.Errorf("Mode(%v): got %v, want ErrInvalidValue", mode, err)
		}
	}
}

// TestDevice checks RUN --device in both backends, names that BuildKit's
// parser would read as a key included, and that a name that cannot be
// written inside the flag is refused.
func TestDevice(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine").Run("nvidia-smi",
		multistage.Device("vendor.com/gpu=all", multistage.Required()),
		multistage.Device("required"),
		multistage.Device("name=x", multistage.Required()),
		multistage.Device("Required=yes"))
	diff, res, err := crosscheck.Check(context.Background(), b, crosscheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff != "" {
		t.Fatalf("Compile and BuildKit differ:\n%s\n%s", diff, res.Dockerfile)
	}
	var devices []string
	for _, dt := range res.Compiled.Definition.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		for _, d := range op.GetExec().GetCdiDevices() {
			devices = append(devices, fmt.Sprintf("%s optional=%v", d.Name, d.Optional))
		}
	}
	want := []string{"vendor.com/gpu=all optional=false", "required optional=true", "name=x optional=false", "Required=yes optional=true"}
	if !slices.Equal(devices, want) {
		t.Errorf("devices %q, want %q\n%s", devices, want, res.Dockerfile)
	}
	for _, name := range []string{"", "a,b", "a b", `"x"`} {
		b := multistage.New()
		b.Stage("s").From("alpine").Run("true", multistage.Device(name))
		if err := b.Validate(); err == nil {
			t.Errorf("Device(%q) accepted", name)
		}
	}
}

// TestRunTrailingBackslash checks that a script ending in a '\' reaches the
// shell meaning what the caller wrote: sh -c 'echo trailing\' prints
// "trailing\", and so must the heredoc the script is written as, whose
// newline would otherwise make the '\' a line continuation.
func TestRunTrailingBackslash(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, script := range []string{`echo trailing\`, `echo a\\\`, `echo a\\`, "printf '%s\\n' x \\\n  y\\", `echo hi # a comment\`} {
		want, err := exec.Command(sh, "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("sh -c %q: %v", script, err)
		}
		b := multistage.New()
		b.Stage("s").From("alpine").Run(script)
		diff, res, err := crosscheck.Check(ctx, b, crosscheck.Options{})
		if err != nil {
			t.Fatalf("%q: %v", script, err)
		}
		if diff != "" {
			t.Fatalf("%q: Compile and BuildKit differ:\n%s\n%s", script, diff, res.Dockerfile)
		}
		execs, err := execArgs(res.Compiled.Definition)
		if err != nil || len(execs) != 1 || len(execs[0]) != 3 {
			t.Fatalf("%q: exec ops %q, %v", script, execs, err)
		}
		got, err := exec.Command(sh, "-c", execs[0][2]).CombinedOutput()
		if err != nil {
			t.Fatalf("sh -c %q: %v", execs[0][2], err)
		}
		if string(got) != string(want) {
			t.Errorf("%q prints %q with sh -c, %q as the build passes it (%q)", script, want, got, execs[0][2])
		}
	}
	b := multistage.New()
	b.Stage("s").From("alpine").Shell("pwsh", "-Command").Run(`Write-Output trailing\`)
	if err := b.Validate(); !errors.Is(err, multistage.ErrUnsafeValue) {
		t.Errorf("under PowerShell: got %v, want ErrUnsafeValue", err)
	}
	b = multistage.New()
	b.Stage("s").From("alpine").Shell("/bin/bash", "-o", "pipefail", "-c").Run(`echo trailing\`)
	if err := b.Validate(); err != nil {
		t.Errorf("under bash: %v", err)
	}
}
