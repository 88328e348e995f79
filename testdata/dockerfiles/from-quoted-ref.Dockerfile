# Exercises quotes inside a FROM image reference, as jenkins' images write them: BuildKit's lexer
# removes them when it expands the reference.
ARG ALPINE_TAG=3.20
ARG DEBIAN_RELEASE=bookworm
ARG VARIANT=-slim
FROM alpine:"${ALPINE_TAG}" AS jre
RUN echo jre

FROM debian:"${DEBIAN_RELEASE}${VARIANT}"
COPY --from=jre /etc/alpine-release /
