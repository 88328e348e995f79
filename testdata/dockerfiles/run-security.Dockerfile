# Exercises RUN --security=insecure and sandbox.
FROM debian:bookworm AS build
RUN --security=insecure mount -t tmpfs none /mnt
RUN --security=sandbox uname -a

FROM debian:bookworm-slim
COPY --from=build /etc/hostname /tmp/hostname
