# Exercises CMD [""] and an empty argument in ENTRYPOINT: BuildKit records them in the image config
# as they are; CMD [""] gives the entrypoint an empty argument.
FROM alpine AS tool
ENTRYPOINT ["/usr/local/bin/tool"]
CMD [""]

FROM alpine
ENTRYPOINT ["/bin/sh", "-c", "", "--"]
CMD ["", "x"]
