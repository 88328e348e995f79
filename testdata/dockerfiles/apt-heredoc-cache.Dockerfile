# Exercises apt with locked cache mounts on /var/cache/apt and /var/lib/apt, and a heredoc.
FROM debian:bookworm AS build
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends build-essential
EOF

FROM debian:bookworm-slim
COPY --from=build /usr/bin/make /usr/bin/make
