# Exercises LABEL keys with variables, which BuildKit expands like the
# values: LabelExpand with a templated key, with a literal and with a
# templated value, next to plain labels.
FROM alpine:3.20
ARG VENDOR=com.example
ARG VERSION=1.4.2
ENV TEAM=platform
LABEL ${VENDOR}.version=$VERSION ${VENDOR}.team="${TEAM}" plain=yes
LABEL $VENDOR.kind=service
LABEL org.opencontainers.image.version=${VERSION}
