# Exercises a symbolic COPY --chmod: ChmodSymbolic, a copy with a mode string.
FROM alpine
COPY --chmod=u+x run.sh /run.sh
