# Exercises a stage name used twice, once in capitals: BuildKit lowercases
# stage names and accepts the repeat. A FROM finds the latest stage of the
# name before it; --from and --target find the last one.
# want-warning: 5
FROM alpine:3.20 AS tools
RUN echo first > /which
FROM tools AS check
RUN cat /which
FROM alpine:3.20 AS Tools
RUN echo second > /which
FROM alpine:3.20
COPY --from=tools /which /which
