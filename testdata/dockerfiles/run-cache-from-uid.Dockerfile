# Exercises cache mounts with uid, gid and mode, read-only, private sharing, and from a stage.
FROM alpine AS seed
RUN mkdir -p /seed && echo warm > /seed/data

FROM alpine
RUN --mount=type=cache,target=/var/cache/apk,sharing=private apk add --no-cache curl
RUN --mount=type=cache,target=/home/app/.cache,uid=1000,gid=1000,mode=0700 ls /home/app/.cache
RUN --mount=type=cache,target=/warm,from=seed,source=/seed,ro cat /warm/data
