package multistage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/apicaps"
	"github.com/multistage/multistage"
	"github.com/multistage/multistage/internal/crosscheck"
	"github.com/multistage/multistage/internal/llbcaps"
	"github.com/multistage/multistage/internal/testenv"
)

// ops decodes the ops of def.
func ops(t *testing.T, def *llb.Definition) []*pb.Op {
	t.Helper()
	var out []*pb.Op
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		out = append(out, &op)
	}
	return out
}

func compileFor(t *testing.T, b *multistage.Build, caps apicaps.CapSet) *multistage.Compiled {
	t.Helper()
	out, err := b.Compile(context.Background(), multistage.WithLLBCaps(caps))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLinkWithoutMergeOp: COPY --link is a merge where the daemon has
// MergeOp, and a plain copy onto the stage where it does not, as the
// Dockerfile frontend compiles it.
func TestLinkWithoutMergeOp(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine:latest").Copy("a", "/a", multistage.Link())
	merges := func(caps apicaps.CapSet) int {
		n := 0
		for _, op := range ops(t, compileFor(t, b, caps).Definition) {
			if op.GetMerge() != nil {
				n++
			}
		}
		return n
	}
	if n := merges(llbcaps.All()); n != 1 {
		t.Errorf("with MergeOp: %d merge ops, want 1", n)
	}
	if n := merges(llbcaps.Without(pb.CapMergeOp)); n != 0 {
		t.Errorf("without MergeOp: %d merge ops, want 0", n)
	}
}

// TestBindReadWriteWithoutNoOutput: a read-write bind mount has no output
// where the daemon can drop it, and keeps it where it cannot, as in the
// frontend (cross-checked).
func TestBindReadWriteWithoutNoOutput(t *testing.T) {
	b := multistage.New()
	a := b.Stage("a").From("alpine:latest").Run("mkdir /out")
	b.Stage("b").From("alpine:latest").Run("touch /mnt/out/x", multistage.BindMount("/mnt", multistage.MountFrom(a), multistage.ReadWrite()))
	for _, c := range []struct {
		caps       apicaps.CapSet
		wantOutput bool
	}{
		{llbcaps.All(), false},
		{llbcaps.Without(pb.CapExecMountBindReadWriteNoOutput), true},
	} {
		diff, res, err := crosscheck.Check(context.Background(), b, crosscheck.Options{Caps: &c.caps})
		if err != nil {
			t.Fatal(err)
		}
		if diff != "" {
			t.Errorf("Compile and dockerfile2llb disagree:\n%s", diff)
		}
		found := false
		for _, op := range ops(t, res.Compiled.Definition) {
			for _, m := range op.GetExec().GetMounts() {
				if m.Dest == "/mnt" {
					found = true
					if got := m.Output != int64(pb.SkipOutput); got != c.wantOutput {
						t.Errorf("bind mount has an output: %v, want %v", got, c.wantOutput)
					}
				}
			}
		}
		if !found {
			t.Fatal("no bind mount at /mnt")
		}
	}
}

// TestFilteredContext: on a daemon whose copies have no patterns,
// --exclude and --parents of the whole context read a local source that
// filters the context, and a required path is copied once more by itself.
func TestFilteredContext(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine:latest").Workdir("/app").
		Copy("go.mod", "./").
		Copy(".", "./", multistage.Exclude("*.md")).
		Copy("cmd/app/main.go", "/q/", multistage.Parents())
	var locals []map[string]string
	var copies []*pb.FileActionCopy
	for _, op := range ops(t, compileFor(t, b, llbcaps.V08()).Definition) {
		if src := op.GetSource(); src != nil && strings.HasPrefix(src.Identifier, "local://") {
			locals = append(locals, src.Attrs)
		}
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil {
				copies = append(copies, cp)
				if len(cp.ExcludePatterns)+len(cp.IncludePatterns)+len(cp.RequiredPaths) > 0 {
					t.Errorf("copy of %s has patterns %q %q %q, which the daemon cannot apply", cp.Src, cp.IncludePatterns, cp.ExcludePatterns, cp.RequiredPaths)
				}
			}
		}
	}
	want := []map[string]string{
		{pb.AttrFollowPaths: `["go.mod"]`},
		{pb.AttrExcludePatterns: `["*.md"]`},
		{pb.AttrIncludePatterns: `["cmd/app/main.go"]`},
	}
	if len(locals) != len(want) {
		t.Fatalf("%d local sources, want %d: %v", len(locals), len(want), locals)
	}
	for _, w := range want {
		if !slices.ContainsFunc(locals, func(l map[string]string) bool {
			for k, v := range w {
				if l[k] != v {
					return false
				}
			}
			_, inc := l[pb.AttrIncludePatterns]
			_, exc := l[pb.AttrExcludePatterns]
			_, fol := l[pb.AttrFollowPaths]
			return len(w) == btoi(inc)+btoi(exc)+btoi(fol)
		}) {
			t.Errorf("no local source with exactly %v among %v", w, locals)
		}
	}
	var srcs []string
	for _, cp := range copies {
		srcs = append(srcs, cp.Src+" -> "+cp.Dest)
	}
	for _, w := range []string{"/go.mod -> /app/", "/ -> /app/", "/ -> /q/", "/cmd/app/main.go -> /q/cmd/app/main.go"} {
		if !slices.Contains(srcs, w) {
			t.Errorf("no copy %s among %q", w, srcs)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestUnsupportedByDaemon: what the daemon cannot build at all is refused
// by Compile with an InstructionError that wraps ErrUnsupportedByDaemon
// and names the feature and the capability; the capabilities that no
// instruction checks are refused by the check of the whole definition.
func TestUnsupportedByDaemon(t *testing.T) {
	v08 := llbcaps.V08()
	for _, c := range []struct {
		name, reason string
		stage        func(s *multistage.Stage)
		caps         apicaps.CapSet
		instruction  string // "" for the check of the whole definition
		want         []string
	}{
		{"exclude-exception", "an exception in --exclude would bring back what .dockerignore excludes if it filtered the context",
			func(s *multistage.Stage) { s.Copy(".", "/src/", multistage.Exclude("docs", "!docs/keep.md")) }, v08,
			"COPY", []string{"COPY --exclude", "file.copy.includeexcludepatterns", "v0.9"}},
		{"exclude-wildcard", "the files a wildcard source matches are known only to the daemon",
			func(s *multistage.Stage) { s.Copy("web*", "/srv/", multistage.Exclude("*.map")) }, v08,
			"COPY", []string{"COPY --exclude"}},
		{"exclude-from-stage", "only the build context is a local source that can be filtered",
			func(s *multistage.Stage) {
				s.CopyFromImage("nginx:alpine", "/etc/nginx", "/etc/nginx", multistage.Exclude("*.default"))
			}, v08,
			"COPY", []string{"COPY --exclude"}},
		{"exclude-outside", "a pattern with .. matches nothing below the source in the file op, but could match the source itself once prefixed",
			func(s *multistage.Stage) { s.Copy("web", "/srv/", multistage.Exclude("../web")) }, v08,
			"COPY", []string{"COPY --exclude"}},
		{"parents-wildcard-parent", "--parents below a /./ parent with wildcards",
			func(s *multistage.Stage) { s.Copy("src/*/./pkg/*.go", "/p/", multistage.Parents()) }, v08,
			"COPY", []string{"COPY --parents", "file.copy.includeexcludepatterns"}},
		{"required-path-from-image", "a daemon with patterns but without required paths (v0.9 to v0.25), --parents of a path of an image",
			func(s *multistage.Stage) {
				s.CopyFromImage("nginx:alpine", "etc/nginx/nginx.conf", "/p/", multistage.Parents())
			}, llbcaps.Without(pb.CapFileCopyRequiredPaths),
			"COPY", []string{"COPY --parents", "file.copy.requiredpaths", "v0.26"}},
		{"symbolic-chmod", "no daemon reports file.copy.modestring: exec.validexitcode, of the same release, stands for it",
			func(s *multistage.Stage) { s.Copy("run.sh", "/", multistage.ChmodSymbolic("u+x")) }, llbcaps.Without(pb.CapExecValidExitCode),
			"COPY", []string{"COPY --chmod=u+x (a symbolic mode)", "file.copy.modestring", "v0.17"}},
		{"secret-env", "a secret as an environment variable",
			func(s *multistage.Stage) { s.Run("true", multistage.SecretMount("t", multistage.SecretEnv("T"))) }, v08,
			"RUN", []string{"type=secret,env=", "exec.secretenv"}},
		{"tmpfs-size", "a tmpfs with a size",
			func(s *multistage.Stage) { s.Run("true", multistage.TmpfsMount("/tmp", multistage.Size(1<<20))) }, v08,
			"RUN", []string{"type=tmpfs,size=", "exec.mount.tmpfs.size"}},
		{"git-subdir", "llb asks for no capability, but v0.8 would read the subdirectory as part of the ref",
			func(s *multistage.Stage) { s.AddGit("https://github.com/example/repo.git#main:cmd", "/src") }, v08,
			"ADD", []string{"subdirectory of a git repository", "source.git.subdir"}},
		{"git-checksum", "the capability that llb asks for as it marshals the git source",
			func(s *multistage.Stage) {
				s.AddGit("https://github.com/example/repo.git#main", "/src", multistage.Checksum("0123456789abcdef0123456789abcdef01234567"))
			}, v08,
			"ADD", []string{"ADD of a git repository", "source.git.checksum"}},
		{"network", "RUN --network on a daemon without network modes",
			func(s *multistage.Stage) { s.Run("true", multistage.Network("none")) }, llbcaps.Without(pb.CapExecMetaNetwork),
			"RUN", []string{"RUN --network=none", "exec.meta.network"}},
		{"image-source", "no instruction checks images: the check of the whole definition does",
			func(s *multistage.Stage) { s.Run("true") }, llbcaps.Without(pb.CapSourceImage),
			"", []string{"source.image"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := multistage.New()
			c.stage(b.Stage("s").From("alpine:latest"))
			_, err := b.Compile(context.Background(), multistage.WithLLBCaps(c.caps))
			if !errors.Is(err, multistage.ErrUnsupportedByDaemon) {
				t.Fatalf("%s: err = %v, want ErrUnsupportedByDaemon", c.reason, err)
			}
			var ie *multistage.InstructionError
			if got := errors.As(err, &ie); got != (c.instruction != "") {
				t.Errorf("%s: an InstructionError: %v, want %v (%v)", c.reason, got, c.instruction != "", err)
			} else if got && ie.Instruction != c.instruction {
				t.Errorf("%s: instruction %q, want %q", c.reason, ie.Instruction, c.instruction)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not name %q", c.reason, err, w)
				}
			}
		})
	}
}

// TestRequiredPathFiltered: where the daemon has patterns but no required
// paths (BuildKit v0.9 to v0.25), a --parents copy of a path of the whole
// context reads a filtered context and copies the path once more.
func TestRequiredPathFiltered(t *testing.T) {
	b := multistage.New()
	b.Stage("s").From("alpine:latest").Copy("cmd/app/main.go", "/q/", multistage.Parents())
	var srcs []string
	for _, op := range ops(t, compileFor(t, b, llbcaps.Without(pb.CapFileCopyRequiredPaths)).Definition) {
		for _, a := range op.GetFile().GetActions() {
			if cp := a.GetCopy(); cp != nil {
				if len(cp.RequiredPaths) > 0 {
					t.Errorf("copy of %s requires %q", cp.Src, cp.RequiredPaths)
				}
				srcs = append(srcs, cp.Src)
			}
		}
	}
	if want := []string{"/", "/cmd/app/main.go"}; !slices.Equal(srcs, want) {
		t.Errorf("copies of %q, want %q", srcs, want)
	}
}

// TestFilteredContextSameFiles builds copies with --exclude and --parents
// of directories of the context on the test engine twice, for every capability
// (the file op filters) and for BuildKit v0.8's (the local source
// filters), and requires the same files with the same modes and owners,
// .dockerignore included. A missing --parents path fails both ways.
func TestFilteredContextSameFiles(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	dir := writeContext(t, map[string]string{
		".dockerignore":             "ignored.txt\n*.log\n",
		"README.md":                 "readme",
		"ignored.txt":               "x",
		"build.log":                 "x",
		"keep.txt":                  "keep",
		"sub/b.md":                  "b",
		"sub/c.txt":                 "c",
		"sub/testdata/t.txt":        "t",
		"cmd/app/main.go":           "package main",
		"cmd/app/testdata/x.go":     "package x",
		"pkg/z.go":                  "package z",
		"vendor/v/v.go":             "package v",
		"web/ui/index.html":         "<p>",
		"web/ui/app.js.map":         "{}",
		"web/ui/node_modules/m":     "m",
		"web/ui/lib/node_modules/n": "n",
		"src/pkg/a.go":              "package a",
		"src/pkg/a_test.go":         "package a",
		"src/doc/d.go":              "package d",
	})
	if err := os.Chmod(filepath.Join(dir, "cmd"), 0o750); err != nil {
		t.Fatal(err)
	}
	b := multistage.New()
	b.Stage("s").From("scratch").
		Copy(".", "/all/", multistage.Exclude("*.md", "**/testdata")).
		Copy("**/*.go", "/p/", multistage.Parents(), multistage.Exclude("vendor")).
		Copy("cmd/app/main.go", "/q/", multistage.Parents(), multistage.Chown("10:20"), multistage.Link()).
		Copy("web/ui", "/srv/", multistage.Exclude("*.map", "**/node_modules")).
		Copy("src/./pkg/*.go", "/s/", multistage.Parents(), multistage.Exclude("**/*_test.go")).
		Copy("src/./pkg/a.go", "/r/", multistage.Parents(), multistage.Chmod(0o600)).
		Copy("keep.txt", "/f/", multistage.Exclude("*"))
	trees := map[string][]testenv.Entry{}
	for name, opts := range map[string][]multistage.SolveOption{
		"all": nil,
		"v08": {multistage.WithLLBCaps(llbcaps.V08())},
	} {
		out := filepath.Join(t.TempDir(), "rootfs")
		if _, err := b.Solve(ctx, c, append(opts, multistage.ContextDir(dir), multistage.OutputLocal(out))...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tree, err := testenv.TreeDigest(out)
		if err != nil {
			t.Fatal(err)
		}
		trees[name] = tree
	}
	if d := testenv.DiffTrees(trees["all"], trees["v08"]); d != "" {
		t.Errorf("the file op's patterns and the filtered context copy different files (-all +v0.8):\n%s", d)
	}
	var paths []string
	for _, e := range trees["v08"] {
		paths = append(paths, e.Path)
	}
	for _, p := range []string{"all/keep.txt", "all/sub/c.txt", "p/cmd/app/main.go", "p/pkg/z.go", "q/cmd/app/main.go",
		"srv/index.html", "s/pkg/a.go", "r/pkg/a.go", "f/keep.txt"} {
		if !slices.Contains(paths, p) {
			t.Errorf("%s was not copied: %q", p, paths)
		}
	}
	for _, p := range []string{"all/README.md", "all/ignored.txt", "all/build.log", "all/sub/testdata/t.txt", "p/vendor/v/v.go", "all/cmd/app/testdata/x.go",
		"srv/app.js.map", "srv/node_modules", "srv/lib/node_modules", "s/pkg/a_test.go", "s/doc", "r/doc"} {
		if slices.Contains(paths, p) {
			t.Errorf("%s was copied: %q", p, paths)
		}
	}

	missing := multistage.New()
	missing.Stage("s").From("scratch").Copy("cmd/nope/main.go", "/q/", multistage.Parents())
	for name, opts := range map[string][]multistage.SolveOption{
		"all": nil,
		"v08": {multistage.WithLLBCaps(llbcaps.V08())},
	} {
		_, err := missing.Solve(ctx, c, append(opts, multistage.ContextDir(dir), multistage.OutputLocal(t.TempDir()))...)
		if err == nil {
			t.Errorf("%s: a --parents copy of a missing path succeeded", name)
		}
	}
}

// writeContext writes files (path → content) into a new directory, the
// build context of a test, and returns it.
func writeContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
