# Exercises ARG defaults that refer to earlier args, globally and in a stage.
ARG REGISTRY=docker.io
ARG BASE=${REGISTRY}/library/alpine:3.20
FROM ${BASE} AS build
ARG PREFIX=/opt
ARG DEST=${PREFIX}/app
RUN mkdir -p "$DEST"

FROM build
ARG OUT=/out
WORKDIR $OUT
