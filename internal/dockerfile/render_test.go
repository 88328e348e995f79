package dockerfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/multistage/multistage/internal/ir"
)

// goBuild is a typical build: a syntax directive, global args, a build
// stage on $BUILDPLATFORM with mounts and a heredoc, a runtime stage.
func goBuild() *ir.Build {
	return &ir.Build{
		Syntax: "docker/dockerfile:1.7",
		Args:   []ir.Arg{{Name: "GO_VERSION", Default: ptr("1.22")}},
		Stages: []*ir.Stage{
			{
				Name:     "build",
				Base:     ir.Source{Stage: -1, Image: "golang:${GO_VERSION}", ExpandImage: true},
				Platform: "$BUILDPLATFORM",
				Instructions: []ir.Instruction{
					&ir.ArgDecl{Arg: ir.Arg{Name: "TARGETARCH"}},
					&ir.Env{Key: "CGO_ENABLED", Value: "0"},
					&ir.Env{Key: "PATH", Value: "/go/bin:$PATH", Expand: true},
					&ir.Workdir{Path: "/src"},
					&ir.Copy{From: ir.Context(), Sources: []string{"go.mod", "go.sum"}, Dest: "./"},
					&ir.Run{Shell: true, Command: "go mod download", Mounts: []ir.Mount{
						{Type: ir.MountCache, Target: "/go/pkg/mod", From: ir.Context(), Sharing: "locked"},
					}},
					&ir.Copy{From: ir.Context(), Sources: []string{"."}, Dest: ".", Exclude: []string{"*.md"}},
					&ir.Run{Shell: true, Command: "set -e\nGOARCH=$TARGETARCH go build -o /out/app .", Network: "none", Mounts: []ir.Mount{
						{Type: ir.MountCache, Target: "/root/.cache/go-build", From: ir.Context(), ReadOnly: true, UID: ptr[uint32](1000), Mode: ptr[uint32](0o755)},
						{Type: ir.MountSecret, ID: "netrc", Target: "/root/.netrc", Required: true, From: ir.Context()},
						{Type: ir.MountBind, Target: "/etc/extra", Source: "/etc", From: ir.ImageSource("alpine:3"), ReadWrite: true},
					}},
				},
			},
			{
				Name: "runtime",
				Base: ir.ImageSource("gcr.io/distroless/static-debian12:nonroot"),
				Instructions: []ir.Instruction{
					&ir.Copy{From: ir.StageSource(0), Sources: []string{"/out/app"}, Dest: "/app", Chmod: "755", Link: true},
					&ir.Label{Key: "org.opencontainers.image.title", Value: "My \"app\" costs $0"},
					&ir.Expose{Port: 8080, Proto: "tcp"},
					&ir.Healthcheck{Test: []string{"/app", "-health"}, Interval: 30 * time.Second, Timeout: 1500 * time.Millisecond, Retries: 3},
					&ir.User{User: "65532:65532"},
					&ir.Entrypoint{Argv: []string{"/app"}},
				},
			},
		},
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		build  *ir.Build
		want   string
	}{
		{
			name:   "go",
			reason: "a typical build renders readably",
			build:  goBuild(),
			want: `# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETARCH
ENV CGO_ENABLED=0
ENV PATH="/go/bin:$PATH"
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod,sharing=locked go mod download
COPY --exclude=*.md . .
RUN --mount=type=cache,target=/root/.cache/go-build,readonly,uid=1000,mode=0755 --mount=type=secret,id=netrc,target=/root/.netrc,required --mount=type=bind,target=/etc/extra,from=alpine:3,source=/etc,rw --network=none <<'EOF'
set -e
GOARCH=$TARGETARCH go build -o /out/app .
EOF

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build --chmod=755 --link /out/app /app
LABEL org.opencontainers.image.title="My \"app\" costs \$0"
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=1.5s --retries=3 CMD ["/app", "-health"]
USER 65532:65532
ENTRYPOINT ["/app"]
`,
		},
		{
			name:   "quoting",
			reason: "each value takes the simplest form that BuildKit reads back exactly",
			build: build(
				&ir.Env{Key: "BARE", Value: "a.b/c:d,e+f@g%h=i~j-k"},
				&ir.Env{Key: "EMPTY", Value: ""},
				&ir.Env{Key: "LITERAL", Value: `$HOME "q" \ 'x'`},
				&ir.Env{Key: "TEMPLATE", Value: "a b $HOME", Expand: true},
				&ir.Env{Key: "WORD", Value: `"$HOME"/x`, Expand: true},
				&ir.Workdir{Path: "-dir with space"},
				&ir.User{User: "app"},
				&ir.StopSignal{Signal: "SIGTERM"},
				&ir.Copy{From: ir.Context(), Sources: []string{"*.csproj"}, Dest: "./"},
				&ir.Copy{From: ir.Context(), Sources: []string{"my file", `$'"\<<`}, Dest: "/dst/"},
				&ir.Copy{From: ir.Context(), Sources: []string{"${APP}.conf"}, Dest: "/etc/${APP}/", Expand: true},
				&ir.Copy{From: ir.Context(), Sources: []string{"${APP} dir"}, Dest: "/$APP/", Expand: true},
				&ir.Volume{Paths: []string{"/data", "/$x", " padded "}},
				&ir.Run{Shell: true, Command: `echo "$HOME" 'x' \# # comment`},
				&ir.Run{Shell: true, Command: "echo EOF\nEOF"},
				&ir.Run{Argv: []string{"sh", "-c", "echo \"$1\"\n", "--"}},
				&ir.Healthcheck{Shell: true, Test: []string{"curl -f http://localhost/ || exit 1"}},
				&ir.Healthcheck{None: true},
				&ir.Expose{Port: 53, Proto: "udp"},
				&ir.Cmd{Argv: []string{"a&b", "<c>"}},
			),
			want: `FROM alpine AS s
ENV BARE=a.b/c:d,e+f@g%h=i~j-k
ENV EMPTY=""
ENV LITERAL="\$HOME \"q\" \\ 'x'"
ENV TEMPLATE="a b $HOME"
ENV WORD="$HOME"/x
WORKDIR "-dir with space"
USER app
STOPSIGNAL SIGTERM
COPY *.csproj ./
COPY ["my file", "\\$\\'\\\"\\\\\\<\\<", "/dst/"]
COPY ${APP}.conf /etc/${APP}/
COPY ["${APP} dir", "/$APP/"]
VOLUME ["/data", "/\\$x", "\" padded \""]
RUN echo "$HOME" 'x' \# # comment
RUN <<'EOF1'
echo EOF
EOF
EOF1
RUN ["sh", "-c", "echo \"$1\"\n", "--"]
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
HEALTHCHECK NONE
EXPOSE 53/udp
CMD ["a&b", "<c>"]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := roundTrip(t, tt.build)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("%s: Render (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	first, err := Render(goBuild())
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		// A new IR each time: nothing may depend on pointers or map order.
		got, err := Render(goBuild())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, got) {
			t.Fatalf("Render is not deterministic (-first +got):\n%s", cmp.Diff(string(first), string(got)))
		}
	}
}

func TestRenderErrors(t *testing.T) {
	m := goBuild()
	m.Args = append(m.Args, ir.Arg{Name: "BAD NAME"})
	m.Stages[0].Instructions[1] = &ir.Env{Key: "K", Value: "a\nb"}
	m.Stages[1].Instructions[0] = &ir.Copy{From: ir.StageSource(1), Sources: []string{"a"}, Dest: "b"}
	m.Stages[1].Base = ir.ImageSource("Build")

	out, err := Render(m)
	if err == nil {
		t.Fatalf("Render succeeds:\n%s", out)
	}
	if out != nil {
		t.Errorf("Render returns output with an error:\n%s", out)
	}
	if !errors.Is(err, ErrUnsafe) {
		t.Errorf("error does not wrap ErrUnsafe: %v", err)
	}
	type where struct {
		Stage       string
		Index       int
		Instruction string
	}
	var got []where
	var lines []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		lines = append(lines, e.Error())
		var de *Error
		if errors.As(e, &de) {
			got = append(got, where{de.Stage, de.Index, de.Instruction})
		}
	}
	want := []where{
		{"build", 1, "ENV"},
		{"runtime", -1, "FROM"},
		{"runtime", 0, "COPY"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	wantLines := []string{
		"ARG before the first stage: value cannot be rendered safely: arg name \"BAD NAME\" may only contain printable ASCII without white space, quotes, '\\', '=', '$' or '`'",
		`stage "build": instruction 2 (ENV): value cannot be rendered safely: "a\nb" contains a NUL, newline or carriage return`,
		`stage "runtime": FROM: value cannot be rendered safely: base: image "Build" would be read as stage 0`,
		`stage "runtime": instruction 1 (COPY): value cannot be rendered safely: --from: stage 1 is not an earlier stage`,
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("error messages (-want +got):\n%s", diff)
	}
	if strings.Count(err.Error(), "\n") != len(wantLines)-1 {
		t.Errorf("joined error:\n%s", err)
	}
}
