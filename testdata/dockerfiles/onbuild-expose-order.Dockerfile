# Exercises ONBUILD EXPOSE with ports in non-sorted order: BuildKit's parser
# sorts the words of EXPOSE as strings, also when a trigger runs.
FROM alpine:3.20 AS base
ONBUILD EXPOSE 8080 443/udp 80
EXPOSE 9000 10000 ${PORT:-7000}
FROM base AS app
RUN true
