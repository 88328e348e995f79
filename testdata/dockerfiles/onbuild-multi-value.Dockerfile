# Exercises ONBUILD triggers that set several values at once (ENV, LABEL,
# EXPOSE, and an ENV whose second value refers to the first, which BuildKit
# expands to its value from before the instruction), run by a stage built
# on the stage that records them.
FROM alpine:3.20 AS base
ENV A=outer
ONBUILD ENV APP_HOME=/srv APP_LOG=/var/log/app
ONBUILD ENV A=inner B=${A}-seen
ONBUILD LABEL org.example.tier=web org.example.owner=platform
ONBUILD EXPOSE 8080 8443/tcp 9000/udp
ONBUILD RUN mkdir -p /srv

FROM base AS app
RUN echo "$APP_HOME $B"
