# Exercises ONBUILD triggers that copy from or mount a stage or an image,
# which the stage that runs them looks up by name when they run: a stage
# of the same Dockerfile defined before, a stage defined after the one
# that records the trigger, and images, for COPY --from and RUN --mount
# from=.
FROM alpine:3.20 AS assets
RUN mkdir -p /out && echo site > /out/index.html

FROM alpine:3.20 AS base
ONBUILD COPY --from=assets /out /srv/www
ONBUILD COPY --from=tools /usr/local/bin/tool /usr/local/bin/tool
ONBUILD COPY --from=busybox:1.36 /bin/busybox /bin/busybox
ONBUILD RUN --mount=type=bind,from=golang:1.22,source=/usr/local/go/VERSION,target=/go-version cat /go-version

FROM alpine:3.20 AS tools
RUN echo tool > /usr/local/bin/tool

FROM base AS app
RUN ls /srv/www /usr/local/bin/tool
