package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegistriesReachable proves what builds on the stand-in images can reach,
// in one build whose stages run in parallel:
//   - npm install of a real package from the npm registry over HTTPS (the
//     images trust the machine's CA bundle);
//   - Corepack on node:24 fetching pnpm and Yarn 4 from the npm registry, and
//     node:26 carrying neither Corepack nor Yarn, as the official images;
//   - go get of a real module through the Go module proxy, its checksums
//     checked against sum.golang.org through the proxy (no GOFLAGS, no
//     GONOSUMDB);
//   - a cgo binary from the golang image running on the glibc stand-ins:
//     distroless base and cc, and debian:bookworm-slim.
func TestRegistriesReachable(t *testing.T) {
	c := Client(t)
	t.Parallel()
	df := []byte(`FROM node:26 AS npm
WORKDIR /app
RUN npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error is-number@7.0.0 \
 && node -e 'process.stdout.write("is-number " + require("is-number")(42) + "\n")' > /npm.out \
 && if command -v corepack || command -v yarn; then echo "node:26 has corepack or yarn"; exit 1; fi

FROM node:24 AS corepack
RUN corepack pnpm@9.15.0 --version > /pnpm.out && corepack yarn@4.5.0 --version > /yarn.out

FROM golang:1.27 AS gomod
WORKDIR /src
RUN go mod init example.com/m && go get rsc.io/quote@v1.5.2 && go mod download && go list -m rsc.io/quote > /go.out

FROM golang:1.27 AS cgo
WORKDIR /src
RUN printf '%s\n' 'package main' '// static int answer(void) { return 42; }' 'import "C"' 'import ("fmt"; "os")' \
      'func main() { os.WriteFile(os.Args[1], []byte(fmt.Sprintf("cgo %d\n", C.answer())), 0o644) }' > main.go \
 && go mod init example.com/cgo && CGO_ENABLED=1 go build -o /cgo . \
 && readelf -l /cgo | grep -q 'program interpreter'

FROM gcr.io/distroless/base-debian12:nonroot AS base
COPY --from=cgo /cgo /cgo
RUN ["/cgo", "/home/nonroot/out"]

FROM gcr.io/distroless/cc-debian12 AS cc
COPY --from=cgo /cgo /cgo
RUN ["/cgo", "/out"]

FROM debian:bookworm-slim AS debian
COPY --from=cgo /cgo /cgo
RUN /cgo /out

FROM scratch
COPY --from=npm /npm.out /npm.out
COPY --from=corepack /pnpm.out /yarn.out /
COPY --from=gomod /go.out /go.out
COPY --from=base /home/nonroot/out /base.out
COPY --from=cc /out /cc.out
COPY --from=debian /out /debian.out
`)
	out := t.TempDir()
	start := time.Now()
	SolveDockerfile(t.Context(), t, c, t.TempDir(), df, "", nil, out)
	t.Logf("build: %v", time.Since(start))

	for name, want := range map[string]string{
		"npm.out":    "is-number true\n",
		"pnpm.out":   "9.15.0\n",
		"yarn.out":   "4.5.0\n",
		"go.out":     "rsc.io/quote v1.5.2\n",
		"base.out":   "cgo 42\n",
		"cc.out":     "cgo 42\n",
		"debian.out": "cgo 42\n",
	} {
		b, err := os.ReadFile(filepath.Join(out, RootfsName, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if got := strings.TrimLeft(string(b), " "); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
