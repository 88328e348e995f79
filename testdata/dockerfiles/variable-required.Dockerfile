# Exercises ${VAR:?message} and ${VAR?message}: BuildKit fails only when the
# variable is unset, so the import keeps the word and the build args.
ARG ALPINE=3.20
FROM alpine:${ALPINE:?set-ALPINE} AS base
ARG APP=demo
ENV APP_NAME="${APP:?the app needs a name}" \
    HOME_DIR=/home/${APP?no-app}
WORKDIR /srv/${APP:?}
COPY config.yaml ${HOME_DIR:?}/
RUN echo "$APP_NAME"
