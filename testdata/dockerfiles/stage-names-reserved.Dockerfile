# Exercises stage names that BuildKit accepts and the builder API keeps for itself or refuses:
# "context" (the builder's name for the build context) and a name longer than 128 bytes. They are
# imported as stage-N, with a warning each, and --target still selects them.
# want-warning: 6
# want-warning: 9
FROM alpine AS context
RUN echo ctx > /ctx

FROM alpine AS lxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
RUN echo long > /long

FROM alpine
COPY --from=context /ctx /ctx
COPY --from=lxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx /long /long
