# Exercises FROM --platform=$TARGETPLATFORM, a fixed platform, and the automatic platform args.
FROM --platform=$BUILDPLATFORM alpine AS xbuild
ARG BUILDPLATFORM
ARG TARGETPLATFORM
RUN echo "building on $BUILDPLATFORM for $TARGETPLATFORM" > /log

FROM --platform=linux/amd64 alpine AS amd64-tools
RUN apk add --no-cache file

FROM --platform=$TARGETPLATFORM alpine
COPY --from=xbuild /log /log
