package compile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/solver/pb"
	"github.com/multistage/multistage/internal/compile"
	"github.com/multistage/multistage/internal/ir"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/encoding/protojson"
)

type res struct{}

func (res) ResolveImageConfig(ctx context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := map[string]any{"architecture": "amd64", "os": "linux", "rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + fmt.Sprintf("%064x", len(ref))}},
		"config": map[string]any{"Env": []string{"PATH=/go/bin:/usr/bin", "GOPATH=/go"}, "WorkingDir": "/go", "Cmd": []string{"sh"}}}
	dt, _ := json.Marshal(cfg)
	return ref, digest.FromString(ref), dt, nil
}

func norm(t *testing.T, def *llb.Definition) []string {
	ops := map[digest.Digest]*pb.Op{}
	var last digest.Digest
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		d := digest.FromBytes(dt)
		ops[d] = &op
		last = d
	}
	idx := map[digest.Digest]int{}
	var out []string
	var visit func(d digest.Digest) int
	visit = func(d digest.Digest) int {
		if i, ok := idx[d]; ok {
			return i
		}
		op := ops[d]
		var ins []int
		for _, in := range op.Inputs {
			ins = append(ins, visit(digest.Digest(in.Digest)))
		}
		c := op.CloneVT()
		// local.unique is a random id in the frontend.
		if src := c.GetSource(); src != nil {
			delete(src.Attrs, "local.unique")
		}
		for k, in := range c.Inputs {
			in.Digest = fmt.Sprint(ins[k])
		}
		b, _ := protojson.Marshal(c)
		var m any
		json.Unmarshal(b, &m)
		b, _ = json.Marshal(m)
		idx[d] = len(out)
		out = append(out, string(b))
		return idx[d]
	}
	visit(last)
	_ = sort.Strings
	return out
}

func TestFrontendParityGo(t *testing.T) {
	ctx := context.Background()
	df := `FROM golang:1.22 AS builder
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build go build -o myapp
FROM alpine:latest AS run
WORKDIR /root/
COPY --from=builder /app/myapp .
EXPOSE 8080
CMD ["./myapp"]
`
	caps := pb.Caps.CapSet(pb.Caps.All())
	r, err := dockerfile2llb.Dockerfile2LLB(ctx, []byte(df), dockerfile2llb.ConvertOpt{MetaResolver: res{}, LLBCaps: &caps})
	if err != nil {
		t.Fatal(err)
	}
	def1, err := r.State.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := &ir.Build{Stages: []*ir.Stage{
		{Name: "builder", Base: ir.ImageSource("golang:1.22"), Instructions: []ir.Instruction{
			&ir.Workdir{Path: "/app"}, &ir.Copy{From: ir.Context(), Sources: []string{"."}, Dest: "."},
			&ir.Run{Shell: true, Command: "go build -o myapp", Mounts: []ir.Mount{{Type: ir.MountCache, Target: "/root/.cache/go-build", From: ir.Context()}}},
		}},
		{Name: "run", Base: ir.ImageSource("alpine:latest"), Instructions: []ir.Instruction{
			&ir.Workdir{Path: "/root/"}, &ir.Copy{From: ir.StageSource(0), Sources: []string{"/app/myapp"}, Dest: "."},
			&ir.Expose{Port: 8080, Proto: "tcp"}, &ir.Cmd{Argv: []string{"./myapp"}},
		}},
	}}
	out, err := compile.Compile(ctx, m, compile.Options{Resolver: res{}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(norm(t, def1), norm(t, out.Definition)); d != "" {
		t.Errorf("diff (-frontend +compile):\n%s", d)
	}
	if d := cmp.Diff(r.Image.Config, out.Image.Config); d != "" {
		t.Errorf("image diff:\n%s", d)
	}
	if d := cmp.Diff(r.Image.History, out.Image.History); d != "" {
		t.Errorf("history diff:\n%s", d)
	}
}

func u32(v uint32) *uint32 { return &v }

func TestFrontendParityKitchen(t *testing.T) {
	ctx := context.Background()
	df := `ARG GO_VERSION=1.22
ARG BASE
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETARCH
ARG TARGETOS
ARG VERSION=dev
ENV CGO_ENABLED=0
ENV P="a\$b"
ENV PATH="/opt/bin:$PATH"
WORKDIR src
COPY --chown=1000:1000 --chmod=755 --exclude=*.md go.mod go.sum ./
COPY --link ["a b", "/dst/"]
COPY --parents ./x/./y/*.go /out/
RUN --mount=type=cache,target=/go/pkg/mod,id=gomod,sharing=locked --mount=type=cache,target=/root/.cache/go-build,uid=1000,gid=1000,mode=0700 --mount=type=secret,id=npmrc,target=/root/.npmrc,required --mount=type=secret,id=tok,env=TOKEN --mount=type=ssh --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,from=alpine:latest,source=/etc,target=/mnt/etc,rw --mount=type=tmpfs,target=/tmp,size=1048576 --network=none go build -o /out/app .
RUN ["go", "version"]
RUN --security=insecure --network=host <<'EOF'
echo one
echo two
EOF
USER 1000:1000
FROM scratch AS empty
COPY --from=build /out/app /app

FROM build AS test
SHELL ["/bin/bash", "-c"]
RUN go test ./...

FROM alpine:latest AS run
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/
COPY --from=empty /app /usr/local/bin/app
LABEL org.opencontainers.image.title="My app"
EXPOSE 8080
EXPOSE 53/udp
VOLUME ["/data"]
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/usr/local/bin/app", "-health"]
USER app
ENTRYPOINT ["/usr/local/bin/app"]
`
	caps := pb.Caps.CapSet(pb.Caps.All())
	def := "1.22"
	dev := "dev"
	m := &ir.Build{Args: []ir.Arg{{Name: "GO_VERSION", Default: &def}, {Name: "BASE"}}, Stages: []*ir.Stage{
		{Name: "build", Platform: "$BUILDPLATFORM", Base: ir.Source{Stage: -1, Image: "golang:${GO_VERSION}", ExpandImage: true}, Instructions: []ir.Instruction{
			&ir.ArgDecl{Arg: ir.Arg{Name: "TARGETARCH"}}, &ir.ArgDecl{Arg: ir.Arg{Name: "TARGETOS"}}, &ir.ArgDecl{Arg: ir.Arg{Name: "VERSION", Default: &dev}},
			&ir.Env{Key: "CGO_ENABLED", Value: "0"}, &ir.Env{Key: "P", Value: "a$b"}, &ir.Env{Key: "PATH", Value: "/opt/bin:$PATH", Expand: true},
			&ir.Workdir{Path: "src"},
			&ir.Copy{From: ir.Context(), Sources: []string{"go.mod", "go.sum"}, Dest: "./", Chown: "1000:1000", Chmod: "755", Exclude: []string{"*.md"}},
			&ir.Copy{From: ir.Context(), Sources: []string{"a b"}, Dest: "/dst/", Link: true},
			&ir.Copy{From: ir.Context(), Sources: []string{"./x/./y/*.go"}, Dest: "/out/", Parents: true},
			&ir.Run{Shell: true, Command: "go build -o /out/app .", Network: "none", Mounts: []ir.Mount{
				{Type: ir.MountCache, Target: "/go/pkg/mod", ID: "gomod", Sharing: "locked", From: ir.Context()},
				{Type: ir.MountCache, Target: "/root/.cache/go-build", UID: u32(1000), GID: u32(1000), Mode: u32(0700), From: ir.Context()},
				{Type: ir.MountSecret, ID: "npmrc", Target: "/root/.npmrc", Required: true, From: ir.Context()},
				{Type: ir.MountSecret, ID: "tok", Env: "TOKEN", From: ir.Context()},
				{Type: ir.MountSSH, From: ir.Context()},
				{Type: ir.MountBind, Source: "go.sum", Target: "go.sum", From: ir.Context()},
				{Type: ir.MountBind, Source: "/etc", Target: "/mnt/etc", ReadWrite: true, From: ir.ImageSource("alpine:latest")},
				{Type: ir.MountTmpfs, Target: "/tmp", Size: 1048576, From: ir.Context()},
			}},
			&ir.Run{Argv: []string{"go", "version"}},
			&ir.Run{Shell: true, Command: "echo one\necho two", Security: "insecure", Network: "host"},
			&ir.User{User: "1000:1000"},
		}},
		{Name: "empty", Base: ir.ImageSource("scratch"), Instructions: []ir.Instruction{
			&ir.Copy{From: ir.StageSource(0), Sources: []string{"/out/app"}, Dest: "/app"},
		}},
		{Name: "test", Base: ir.StageSource(0), Instructions: []ir.Instruction{
			&ir.Shell{Argv: []string{"/bin/bash", "-c"}}, &ir.Run{Shell: true, Command: "go test ./..."},
		}},
		{Name: "run", Base: ir.ImageSource("alpine:latest"), Instructions: []ir.Instruction{
			&ir.Copy{From: ir.ImageSource("nginx:alpine"), Sources: []string{"/etc/nginx/nginx.conf"}, Dest: "/etc/nginx/"},
			&ir.Copy{From: ir.StageSource(1), Sources: []string{"/app"}, Dest: "/usr/local/bin/app"},
			&ir.Label{Key: "org.opencontainers.image.title", Value: "My app"},
			&ir.Expose{Port: 8080, Proto: "tcp"}, &ir.Expose{Port: 53, Proto: "udp"},
			&ir.Volume{Paths: []string{"/data"}}, &ir.StopSignal{Signal: "SIGQUIT"},
			&ir.Healthcheck{Test: []string{"/usr/local/bin/app", "-health"}, Interval: 30e9, Timeout: 5e9, Retries: 3},
			&ir.User{User: "app"}, &ir.Entrypoint{Argv: []string{"/usr/local/bin/app"}},
		}},
	}}
	for _, target := range []string{"", "test", "build"} {
		r, err := dockerfile2llb.Dockerfile2LLB(ctx, []byte(df), dockerfile2llb.ConvertOpt{MetaResolver: res{}, LLBCaps: &caps, Config: dockerui.Config{Target: target}})
		if err != nil {
			t.Fatal(err)
		}
		def1, err := r.State.Marshal(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mm := *m
		switch target {
		case "test":
			mm.Stages = []*ir.Stage{m.Stages[0], m.Stages[2]}
		case "build":
			mm.Stages = m.Stages[:1]
		}
		out, err := compile.Compile(ctx, &mm, compile.Options{Resolver: res{}})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(norm(t, def1), norm(t, out.Definition)); d != "" {
			t.Errorf("%s: diff (-frontend +compile):\n%s", target, d)
		}
		if d := cmp.Diff(r.Image.Config, out.Image.Config); d != "" {
			t.Errorf("%s: image diff:\n%s", target, d)
		}
		if d := cmp.Diff(r.Image.History, out.Image.History); d != "" {
			t.Errorf("%s: history diff:\n%s", target, d)
		}
	}
}
