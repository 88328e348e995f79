package multistage_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage"
)

// TestGraph checks the Mermaid graph of builds that use stages in every
// way a build can: the exact text, so a changed edge or style shows.
func TestGraph(t *testing.T) {
	cases := []struct {
		name, reason string
		build        func() (*multistage.Build, []multistage.Option)
		want         string
	}{{
		name:   "onbuild",
		reason: "the ONBUILD triggers of a base stage run in the stage built on it, and take files from the stage they name",
		build: func() (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			assets := b.Stage("assets").From("node:20").Run("npm run build")
			base := b.Stage("base").From("nginx:alpine").OnBuild("COPY --from=assets /web/dist /usr/share/nginx/html")
			_ = assets
			b.Stage("site").FromStage(base)
			return b, nil
		},
		want: `flowchart TB
    s0["assets<br>FROM node:20"]
    s1["base<br>FROM nginx:alpine"]
    s2["site<br>FROM base"]:::target
    s1 -->|"FROM"| s2
    s0 -->|"ONBUILD COPY /web/dist → /usr/share/nginx/html"| s2
    classDef target stroke-width:3px
`,
	}, {
		name:   "mounts",
		reason: "RUN --mount from a stage and from an image are uses; mounts of the context, caches without from and secrets are not",
		build: func() (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			deps := b.Stage("deps").From("golang:1.22").Run("go mod download")
			b.Stage("build").From("golang:1.22").
				Run("go build ./...",
					multistage.BindMount("/go/pkg/mod", multistage.MountFrom(deps), multistage.MountSource("/go/pkg/mod")),
					multistage.CacheMount("/root/.cache/go-build"),
					multistage.CacheMount("/seed", multistage.MountFromImage("busybox:1.36")),
					multistage.BindMount("/src"),
					multistage.SecretMount("netrc"))
			return b, nil
		},
		want: `flowchart TB
    s0["deps<br>FROM golang:1.22"]
    s1["build<br>FROM golang:1.22"]:::target
    i0[("busybox:1.36")]
    s0 -->|"RUN --mount=type=bind /go/pkg/mod → /go/pkg/mod"| s1
    i0 -->|"RUN --mount=type=cache / → /seed"| s1
    classDef target stroke-width:3px
`,
	}, {
		name:   "target-in-the-middle",
		reason: "with Target, the stages after it and an image only they use are apart, dashed; the target keeps its thick border",
		build: func() (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			build := b.Stage("build").From("golang:1.22").Platform(multistage.BuildPlatform).Run("go build -o /out/app .")
			b.Stage("run").From("scratch").
				CopyFrom(build, "/out/app", "/app").
				CopyFromImage("alpine:3.20", "/etc/ssl/certs", "/etc/ssl/certs")
			return b, []multistage.Option{multistage.Target(build)}
		},
		want: `flowchart TB
    s0["build<br>FROM --platform=$BUILDPLATFORM golang:1.22"]:::target
    subgraph unused["not needed for build"]
        s1["run<br>FROM scratch"]:::unused
        i0[("alpine:3.20")]:::unused
    end
    s0 -->|"COPY /out/app → /app"| s1
    i0 -->|"COPY /etc/ssl/certs → /etc/ssl/certs"| s1
    classDef target stroke-width:3px
    classDef unused stroke-dasharray:5 5
`,
	}, {
		name:   "from-expand",
		reason: "a base chosen by a build arg may be any earlier stage: all of them are needed, as Dockerfile keeps them",
		build: func() (*multistage.Build, []multistage.Option) {
			b := multistage.New()
			b.Arg("FLAVOR", "slim")
			b.Stage("slim").From("debian:bookworm-slim")
			b.Stage("full").From("debian:bookworm")
			b.Stage("app").FromExpand("${FLAVOR}").Copy(".", "/app")
			return b, nil
		},
		want: `flowchart TB
    s0["slim<br>FROM debian:bookworm-slim"]
    s1["full<br>FROM debian:bookworm"]
    s2["app<br>FROM ${FLAVOR}"]:::target
    classDef target stroke-width:3px
`,
	}}
	for _, c := range cases {
		if c.reason == "" {
			panic("reason must be provided: " + c.name)
		}
		t.Run(c.name, func(t *testing.T) {
			b, opts := c.build()
			got, err := b.Mermaid(opts...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, string(got)); diff != "" {
				t.Errorf("Mermaid mismatch (-want +got):\n%s", diff)
			}
			dot, err := b.DOT(opts...)
			if err != nil {
				t.Fatal(err)
			}
			// Both formats draw one graph: as many edges, with the same labels.
			if m, d := strings.Count(string(got), " -->|"), strings.Count(string(dot), " -> "); m != d {
				t.Errorf("Mermaid has %d edges, DOT %d:\n%s", m, d, dot)
			}
		})
	}
}

// TestGraphDOTUnneeded checks the DOT rendering of a target and of what
// it does not need.
func TestGraphDOTUnneeded(t *testing.T) {
	b := multistage.New()
	build := b.Stage("build").From("golang:1.22").Run("go build -o /out/app .")
	test := b.Stage("test").FromStage(build).Run("go test ./...")
	b.Stage("run").From("alpine:latest").CopyFrom(build, "/out/app", "/app")
	got, err := b.DOT(multistage.Target(test))
	if err != nil {
		t.Fatal(err)
	}
	want := `digraph build {
	graph [fontname="Helvetica"];
	node [shape=box, style=rounded, fontname="Helvetica"];
	edge [fontname="Helvetica", fontsize=10];
	"build" [label="build\nFROM golang:1.22"];
	"test" [label="test\nFROM build", penwidth=3];
	subgraph cluster_unused {
		label="not needed for test";
		style=dashed;
		"run" [label="run\nFROM alpine:latest", style="rounded,dashed"];
	}
	"build" -> "test" [label="FROM"];
	"build" -> "run" [label="COPY /out/app → /app"];
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("DOT mismatch (-want +got):\n%s", diff)
	}
}

// TestGraphEscaping checks that values which mean something in Mermaid or
// DOT come out as text: the graph keeps its shape (one edge, no extra
// node) whatever the paths hold.
func TestGraphEscaping(t *testing.T) {
	b := multistage.New()
	a := b.Stage("a").From("alpine")
	b.Stage("b").From("alpine").CopyFrom(a, `/we"ird\n#quot;<b>|x|&amp;`+"`t`]", `/d st/"q"\`)
	m, err := b.Mermaid()
	if err != nil {
		t.Fatal(err)
	}
	wantEdge := `    s0 -->|"COPY /we#quot;ird\n#35;quot;#60;b#62;#124;x#124;#38;amp;#96;t#96;] → /d st/#quot;q#quot;\"| s1` + "\n"
	if !bytes.Contains(m, []byte(wantEdge)) {
		t.Errorf("Mermaid does not have the edge\n%s\n in:\n%s", wantEdge, m)
	}
	d, err := b.DOT()
	if err != nil {
		t.Fatal(err)
	}
	wantEdge = `	"a" -> "b" [label="COPY /we\"ird\\n#quot;<b>|x|&amp;amp;` + "`t`]" + ` → /d st/\"q\"\\"];` + "\n"
	if !bytes.Contains(d, []byte(wantEdge)) {
		t.Errorf("DOT does not have the edge\n%s\n in:\n%s", wantEdge, d)
	}
}

// TestGraphErrors checks that an invalid build has no graph, but its
// errors, as Validate reports them.
func TestGraphErrors(t *testing.T) {
	other := multistage.New()
	foreign := other.Stage("x").From("alpine")
	cases := []struct {
		name  string
		build func() *multistage.Build
		opts  []multistage.Option
		want  error
	}{
		{"empty", multistage.New, nil, multistage.ErrNoStages},
		{"no base", func() *multistage.Build { b := multistage.New(); b.Stage("a"); return b }, nil, multistage.ErrNoBase},
		{"foreign target", func() *multistage.Build { b := multistage.New(); b.Stage("a").From("alpine"); return b },
			[]multistage.Option{multistage.Target(foreign)}, multistage.ErrForeignStage},
		{"cycle", func() *multistage.Build {
			b := multistage.New()
			a, c := b.Stage("a"), b.Stage("c")
			a.FromStage(c)
			c.FromStage(a)
			return b
		}, nil, multistage.ErrCycle},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.build()
			for name, f := range map[string]func(...multistage.Option) ([]byte, error){"Mermaid": b.Mermaid, "DOT": b.DOT} {
				out, err := f(c.opts...)
				if !errors.Is(err, c.want) || out != nil {
					t.Errorf("%s = %q, %v; want no graph and %v", name, out, err, c.want)
				}
			}
		})
	}
}
