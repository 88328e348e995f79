# escape=`
# Exercises ONBUILD under the Windows-style escape directive: triggers
# without escapes are kept as written (BuildKit parses them on their own
# when a stage runs them), next to backtick continuations and backslashes
# in the instructions around them.
FROM alpine:3.20 AS base
WORKDIR C:\app
ONBUILD COPY config.json /app/config.json
ONBUILD RUN echo "built from base" > /note
ONBUILD ENV LOG_DIR=/var/log/app
RUN echo one && `
    echo two

FROM base AS app
RUN cat /note
