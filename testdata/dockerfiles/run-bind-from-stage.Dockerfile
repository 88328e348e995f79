# Exercises RUN --mount=type=bind from another stage and from an image, read-write and with a source.
FROM golang:1.22 AS tools
RUN go install example.com/tool@v1.0.0

FROM alpine
RUN --mount=type=bind,from=tools,source=/go/bin,target=/tools /tools/tool --version
RUN --mount=type=bind,from=busybox:1.36,source=/bin/busybox,target=/bb /bb true
RUN --mount=type=bind,target=/ctx,rw touch /ctx/scratch-file
