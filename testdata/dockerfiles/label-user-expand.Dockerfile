# Exercises variables in USER and LABEL values: UserExpand and LabelExpand, with build args and the stage's environment.
ARG VERSION=1.0.0
FROM alpine AS app
ARG VERSION
ARG APP_UID=10001
ENV APP_GID=10001
LABEL org.opencontainers.image.version=$VERSION org.opencontainers.image.title="demo app"
LABEL build.uid="${APP_UID}:${APP_GID}"
USER ${APP_UID}:${APP_GID}
