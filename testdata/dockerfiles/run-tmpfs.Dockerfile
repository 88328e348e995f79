# Exercises RUN --mount=type=tmpfs with and without a size.
FROM debian:bookworm AS build
RUN --mount=type=tmpfs,target=/tmp make -C /src test
RUN --mount=type=tmpfs,target=/scratch,size=64m dd if=/dev/zero of=/scratch/x bs=1M count=8

FROM debian:bookworm-slim
COPY --from=build /etc/os-release /etc/os-release
