# Exercises a diamond of stages: two branches of one base joined by copies into the last stage.
FROM alpine AS base
RUN mkdir /work

FROM base AS left
RUN echo left > /work/left

FROM base AS right
RUN echo right > /work/right

FROM base AS join
COPY --from=left /work/left /work/
COPY --from=right /work/right /work/
