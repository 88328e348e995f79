# Exercises COPY --from=N past the last stage: BuildKit numbers the images that earlier COPY --from and RUN --mount name (scratch for a mount without from=) as stages after the last one.
# want-warning: 7
# want-warning: 10
# want-warning: 11
FROM alpine AS base
RUN --mount=type=cache,target=/root/.cache true
COPY --from=busybox /bin/busybox /busybox

FROM base
COPY --from=3 /bin/busybox /again
COPY --from=2 / /empty
