# Exercises COPY --from=scratch and RUN --mount from=scratch: BuildKit reads
# scratch as the empty file system, not as an image to pull.
FROM alpine:3.20 AS base
COPY --from=scratch / /empty/
RUN --mount=type=bind,from=scratch,target=/mnt ls /mnt
