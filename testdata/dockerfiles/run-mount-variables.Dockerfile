# Exercises variables in RUN --mount targets, ids and sources: MountExpand, expanded with build args and the stage's environment.
FROM golang:1.22 AS build
ARG TARGETARCH
ENV GOCACHE=/root/.cache/go-build
WORKDIR /src
RUN --mount=type=cache,target=$GOCACHE,id=gocache-${TARGETARCH} \
    --mount=type=bind,source=go.${TARGETARCH}.sum,target=go.sum \
    go build ./...
RUN --mount=type=secret,id=token-$TARGETARCH,required cat /run/secrets/token-$TARGETARCH
