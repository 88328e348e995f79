# Exercises --mount options whose values refer to variables, which BuildKit
# expands and then parses: uid, gid, mode and sharing of a cache, size of a
# tmpfs, rw of a bind, required, env and mode of a secret, required of an
# ssh mount, mixed with literal options: MountOptionExpand; and an id
# ending in a '$' that the lexer keeps: MountExpand, which keeps it too.
FROM alpine:3.20
ARG UID=10001
ARG GID=${UID}
ARG SHARING=locked
ARG CACHE_MODE=0750
ENV SECRET_VAR=NPM_TOKEN
RUN --mount=type=cache,target=/home/app/.cache,uid=${UID},gid=$GID,mode=${CACHE_MODE},sharing=$SHARING \
    --mount=type=tmpfs,target=/scratch,size=${TMP_SIZE:-64m} \
    --mount=type=bind,target=/src,rw=${WRITABLE:-true} \
    ls /home/app/.cache /scratch /src
RUN --mount=type=secret,id=npm,required=${NEED_SECRET:-false},env=$SECRET_VAR \
    --mount=type=secret,id=cert,mode=${CERT_MODE:-0440},uid=$UID \
    --mount=type=ssh,required=${NEED_SSH:-false} \
    true
RUN --mount=type=cache,target=/var/cache/app,id=app-cache$ true
