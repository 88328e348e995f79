package llbdump_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage/internal/llbdump"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var linuxAMD64 = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// graph is a small build: a base image, a WORKDIR mkdir, a copy from the
// context, and a RUN with a cache mount and a bind mount of a second image.
// localID pins the local.unique attribute; args is the command.
func graph(t *testing.T, localID string, args ...string) *llb.Definition {
	t.Helper()
	ctx := context.Background()
	base := llb.Image("docker.io/library/alpine:latest", llb.Platform(linuxAMD64)).
		File(llb.Mkdir("/app", 0o755, llb.WithParents(true)), llb.WithCustomName("WORKDIR /app"))
	local := llb.Local("context", llb.SharedKeyHint("context"), llb.LocalUniqueID(localID))
	st := base.File(llb.Copy(local, "/go.mod", "/app/", &llb.CopyInfo{CreateDestPath: true}))
	tools := llb.Image("docker.io/library/busybox:latest", llb.Platform(linuxAMD64))
	run := st.Dir("/app").AddEnv("GOFLAGS", "-mod=mod").User("app").Run(llb.Args(args),
		llb.AddMount("/root/.cache", llb.Scratch(), llb.AsPersistentCacheDir("cache", llb.CacheMountLocked)),
		llb.AddMount("/tools", tools, llb.Readonly))
	def, err := run.Root().Marshal(ctx, llb.Platform(linuxAMD64))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func TestOpsCanonicalOrder(t *testing.T) {
	def := graph(t, "a", "/bin/sh", "-c", "make")
	ops, err := llbdump.Ops(def, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != len(def.Def) {
		t.Fatalf("got %d ops, want %d (one per op of the definition)", len(ops), len(def.Def))
	}
	for i, op := range ops {
		if op.Index != i {
			t.Errorf("op %d has index %d", i, op.Index)
		}
		if !strings.HasPrefix(op.Digest, "sha256:") {
			t.Errorf("op %d: digest %q", i, op.Digest)
		}
		for _, in := range inputs(t, op) {
			if in >= i {
				t.Errorf("op %d uses op %d, which is not listed before it", i, in)
			}
		}
	}
	// The terminal op comes last and selects the exec op.
	last := ops[len(ops)-1]
	if keys := slices.Sorted(maps.Keys(last.Op)); !slices.Equal(keys, []string{"constraints", "inputs"}) && !slices.Equal(keys, []string{"inputs"}) {
		t.Errorf("last op has fields %v, want only the inputs of the terminal op", keys)
	}
	exec := ops[inputs(t, last)[0]]
	if exec.Op["exec"] == nil {
		t.Fatalf("terminal op selects %v, want the exec op", exec.Op)
	}
	// Depth first, inputs in order: the exec op's rootfs input chain
	// (alpine, mkdir, context, copy) comes before the busybox mount input.
	var kinds []string
	for _, op := range ops {
		kinds = append(kinds, kind(op))
	}
	want := []string{
		"docker-image://docker.io/library/alpine:latest",
		"file",
		"local://context",
		"file",
		"docker-image://docker.io/library/busybox:latest",
		"exec",
		"terminal",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("order of ops mismatch (-want +got):\n%s", diff)
	}
}

// TestDumpShowsOpFields checks that the dump is readable: an exec op shows
// its args, env, cwd and mounts, a file op its actions, and metadata its
// description and caps.
func TestDumpShowsOpFields(t *testing.T) {
	def := graph(t, "a", "/bin/sh", "-c", "make")
	out, err := llbdump.Dump(def)
	if err != nil {
		t.Fatal(err)
	}
	var ops []struct {
		Index    int
		Digest   string
		Op       map[string]any
		Metadata map[string]any
	}
	if err := json.Unmarshal(out, &ops); err != nil {
		t.Fatalf("dump is not JSON: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"args": [` + "\n" + `            "/bin/sh",`,
		`"cwd": "/app"`,
		`"GOFLAGS=-mod=mod"`,
		`"user": "app"`,
		`"mountType": "CACHE"`,
		`"sharing": "LOCKED"`,
		`"mkdir": {`,
		`"copy": {`,
		`"llb.customname": "WORKDIR /app"`,
		`"file.base": true`,
		`"digest": "0"`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("dump does not contain %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `\u003c`) || strings.Contains(string(out), `\u0026`) {
		t.Errorf("dump escapes HTML characters")
	}
}

func TestDumpDeterministic(t *testing.T) {
	def := graph(t, "a", "/bin/sh", "-c", "echo <a> && true")
	want, err := llbdump.Dump(def)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		got, err := llbdump.Dump(graph(t, "a", "/bin/sh", "-c", "echo <a> && true"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("Dump is not deterministic (-first +later):\n%s", diff)
		}
	}
}

// TestOrderIndependent shuffles the ops of a definition: the dump depends
// only on the graph.
func TestOrderIndependent(t *testing.T) {
	def := graph(t, "a", "make")
	want, err := llbdump.Dump(def)
	if err != nil {
		t.Fatal(err)
	}
	rev := *def
	rev.Def = slices.Clone(def.Def)
	slices.Reverse(rev.Def)
	got, err := llbdump.Dump(&rev)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Dump depends on the order of Def (-in order +reversed):\n%s", diff)
	}
}

func TestNormalize(t *testing.T) {
	a, b := graph(t, "first-id", "make"), graph(t, "second-id", "make")
	if slices.EqualFunc(a.Def, b.Def, func(x, y []byte) bool { return string(x) == string(y) }) {
		t.Fatal("the two definitions should differ by their local.unique attribute")
	}
	na, err := llbdump.Normalize(a)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := llbdump.Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(na, nb); diff != "" {
		t.Errorf("Normalize should ignore local.unique (-a +b):\n%s", diff)
	}
	for _, op := range na {
		if op.Digest != "" || op.Metadata != nil {
			t.Errorf("normalized op %d keeps digest %q or metadata %v", op.Index, op.Digest, op.Metadata)
		}
	}
	if d, err := llbdump.Diff(a, b); err != nil || d != "" {
		t.Errorf("Diff(a, b) = %q, %v; want no difference", d, err)
	}
	// The full dumps do differ: digests and local.unique are kept.
	da, _ := llbdump.Dump(a)
	db, _ := llbdump.Dump(b)
	if string(da) == string(db) {
		t.Error("Dump of a and b should differ")
	}
}

func TestDiffReportsDifference(t *testing.T) {
	a, b := graph(t, "a", "make", "all"), graph(t, "a", "make", "test")
	d, err := llbdump.Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if d == "" {
		t.Fatal("Diff of different commands is empty")
	}
	if !strings.Contains(d, `"all"`) || !strings.Contains(d, `"test"`) {
		t.Errorf("diff does not show the differing argument:\n%s", d)
	}
}

func TestEmpty(t *testing.T) {
	out, err := llbdump.Dump(&llb.Definition{})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "[]\n" {
		t.Errorf("Dump of an empty definition = %q, want []", out)
	}
}

func TestErrors(t *testing.T) {
	def := graph(t, "a", "make")
	missing := *def
	missing.Def = def.Def[1:] // the first op is an input of another
	extra := *def
	stray, err := (&pb.Op{Op: &pb.Op_Source{Source: &pb.SourceOp{Identifier: "docker-image://docker.io/library/stray:latest"}}}).MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	extra.Def = append(slices.Clone(def.Def), stray)
	loop, err := (&pb.Op{Inputs: []*pb.Input{{Digest: string(digest.FromString("x"))}}}).MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		reason string
		def    *llb.Definition
	}{
		{"nil", "no definition at all", nil},
		{"garbage", "an op that is not protobuf", &llb.Definition{Def: [][]byte{{0xff, 0xff, 0xff}}}},
		{"missing", "an input that the definition does not hold", &missing},
		{"two-roots", "an op that nothing uses besides the terminal op", &extra},
		{"dangling", "a terminal op whose input is missing", &llb.Definition{Def: [][]byte{loop}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := llbdump.Normalize(c.def); err == nil {
				t.Errorf("Normalize succeeded on %s", c.reason)
			}
			if _, err := llbdump.Dump(c.def); err == nil {
				t.Errorf("Dump succeeded on %s", c.reason)
			}
		})
	}
}

// inputs returns the indexes of op's inputs.
func inputs(t *testing.T, op llbdump.Op) []int {
	t.Helper()
	var out []int
	ins, _ := op.Op["inputs"].([]any)
	for _, in := range ins {
		m := in.(map[string]any)
		var i int
		if err := json.Unmarshal([]byte(m["digest"].(string)), &i); err != nil {
			t.Fatalf("input %v does not refer to an index: %v", m, err)
		}
		out = append(out, i)
	}
	return out
}

// kind names an op: the identifier of a source, else its type.
func kind(op llbdump.Op) string {
	if src, ok := op.Op["source"].(map[string]any); ok {
		return src["identifier"].(string)
	}
	for _, k := range []string{"exec", "file", "merge", "diff", "build"} {
		if op.Op[k] != nil {
			return k
		}
	}
	return "terminal"
}
