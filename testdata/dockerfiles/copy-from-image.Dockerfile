# Exercises COPY --from of external images with registry, tag and digest-free references.
FROM alpine AS base
RUN apk add --no-cache ca-certificates

FROM base
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/nginx.conf
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /bin/busybox
COPY --from=gcr.io/distroless/static-debian12 /etc/passwd /etc/passwd.distroless
