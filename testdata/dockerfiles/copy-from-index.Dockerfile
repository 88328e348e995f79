# Exercises COPY --from with numeric stage indexes, and unnamed stages.
FROM alpine
RUN mkdir -p /out && echo one > /out/one

FROM busybox
RUN mkdir -p /out && echo two > /out/two

FROM alpine:3.20
COPY --from=0 /out/one /one
COPY --from=1 /out/two /two
CMD ["cat", "/one", "/two"]
