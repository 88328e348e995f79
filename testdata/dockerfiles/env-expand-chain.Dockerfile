# Exercises ENV values that refer to earlier ENV and ARG values, with ${VAR:-default} forms.
FROM alpine AS base
ARG MODE
ENV APP_MODE=${MODE:-production}
ENV ROOT=/srv
ENV LOGS=${ROOT}/logs SHARE=$ROOT/share
ENV CONF="$ROOT/conf"

FROM base
WORKDIR ${LOGS}
