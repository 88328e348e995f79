# Exercises COPY --from of a stage defined later in the file, which BuildKit refuses: the import refuses it too.
# want-error: 4
FROM alpine AS consumer
COPY --from=producer /data /data

FROM alpine AS producer
RUN mkdir /data && echo x > /data/x
