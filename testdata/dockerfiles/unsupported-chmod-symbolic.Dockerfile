# Exercises a symbolic COPY --chmod: ErrUnsupported.
# want-unsupported: 4
FROM alpine
COPY --chmod=u+x run.sh /run.sh
