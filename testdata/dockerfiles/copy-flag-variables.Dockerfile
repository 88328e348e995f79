# Exercises variables in COPY and ADD --chown and --chmod, which BuildKit
# expands: Chown and ChmodSymbolic with Expand, expanded once compiled;
# a literal --chmod beside a variable --chown; a mode that expands to
# octal and one that expands to a symbolic mode; and --link with a
# numeric owner from an arg.
ARG APP_UID=10001
FROM alpine:3.20 AS base
ARG APP_UID
ARG APP_GID=${APP_UID}
ARG MODE=0750
ARG SYMBOLIC=u+x,go-w
ENV APP_USER=app
COPY --chown=${APP_UID}:${APP_GID} src/ /srv/src/
COPY --chown=$APP_USER --chmod=644 config.yaml /etc/app/
COPY --chmod=${MODE} bin/ /usr/local/bin/
COPY --chmod=$SYMBOLIC scripts/run.sh /run.sh
COPY --link --chown=${APP_UID} static/ /srv/static/
ADD --chown=${APP_UID}:${APP_GID} --chmod=${MODE} vendor.tar.gz /srv/vendor/

FROM base AS final
ARG APP_UID
COPY --from=base --chown=${APP_UID} /srv /srv-copy
USER ${APP_UID}
