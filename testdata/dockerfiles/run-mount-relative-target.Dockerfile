# Exercises relative mount targets, as `docker init`'s Go template writes them: BuildKit joins a
# bind, cache or tmpfs target to the working directory (the stage's WORKDIR, else the base
# image's), and a mount with no target at all is mounted on the working directory itself.
FROM golang:1.22 AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,target=. \
    go build -o /bin/server .
RUN --mount=type=bind,source=go.sum,target=go.sum \
    --mount=type=cache,target=./.cache \
    --mount=type=tmpfs,target=tmp \
    go mod download

FROM golang:1.22 AS gen
WORKDIR /src/gen
RUN --mount=type=bind,from=build,source=/bin \
    ls server
RUN --mount=type=bind,source=.,target=../vendor go generate ./...

FROM golang:1.22 AS inherited
# golang's image sets WORKDIR /go: no target mounts the context there.
RUN --mount=type=bind go vet ./...

FROM alpine
COPY --from=build /bin/server /bin/server
COPY --from=gen /src /gen
COPY --from=inherited /go /go
