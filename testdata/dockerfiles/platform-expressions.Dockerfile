# Exercises FROM --platform words built from variables: a default for an unset BUILDPLATFORM, a
# platform assembled from TARGETARCH, and a declared arg inside a longer word. BuildKit expands
# them with the args before the first stage.
ARG GOARCH=arm64
FROM --platform=${BUILDPLATFORM:-linux/amd64} golang:1.22 AS build
RUN echo build

FROM --platform=linux/${TARGETARCH} alpine:3.20 AS target-arch
RUN echo target

FROM --platform=linux/${GOARCH} alpine:3.20 AS declared
RUN uname -m

FROM --platform=$TARGETOS/$TARGETARCH alpine:3.20
COPY --from=build /etc/os-release /build
COPY --from=target-arch /etc/os-release /target
COPY --from=declared /etc/os-release /declared
