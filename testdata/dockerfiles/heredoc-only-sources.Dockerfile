# Exercises COPY --from and ADD whose only sources are heredocs, which the
# frontend writes as it writes COPY <<EOF (nothing comes from --from):
# imported as CopyContent with a warning each, and a mount from=0, which
# BuildKit reads as an image named "0", not as stage 0: a warning.
# want-warning: 12
# want-warning: 15
# want-warning: 18
FROM alpine:3.20 AS base
RUN echo base > /base.txt

FROM alpine:3.20
COPY --from=base <<EOF /etc/motd
welcome
EOF
ADD <<app.conf /etc/app/
listen 8080
app.conf
RUN --mount=from=0,target=/mnt/zero true
