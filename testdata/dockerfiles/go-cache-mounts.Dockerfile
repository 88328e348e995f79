# Exercises RUN --mount=type=cache with ids and sharing, and a bind mount of go.sum from the context.
FROM golang:1.22 AS build
WORKDIR /src
RUN --mount=type=bind,source=go.sum,target=go.sum --mount=type=bind,source=go.mod,target=go.mod \
    --mount=type=cache,target=/go/pkg/mod,sharing=locked go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build,id=gobuild go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
