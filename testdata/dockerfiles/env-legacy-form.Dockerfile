# Exercises the legacy ENV form "ENV KEY value" with spaces in the value.
FROM debian:bookworm-slim AS base
ENV DEBIAN_FRONTEND noninteractive
ENV GREETING hello big world

FROM base
RUN echo "$GREETING"
