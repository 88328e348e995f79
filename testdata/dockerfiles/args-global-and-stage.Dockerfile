# Exercises global ARGs used in FROM, re-declared in stages to use them, and stage ARGs with defaults.
ARG ALPINE_VERSION=3.20
ARG APP_VERSION=dev
FROM alpine:${ALPINE_VERSION} AS build
ARG APP_VERSION
ARG BUILD_MODE=release
RUN echo "$APP_VERSION $BUILD_MODE" > /version

FROM alpine:$ALPINE_VERSION
ARG APP_VERSION
ENV APP_VERSION=$APP_VERSION
COPY --from=build /version /version
