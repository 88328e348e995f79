# Exercises LABEL with OCI keys, quoted values, several pairs on one line.
FROM alpine AS base
LABEL org.opencontainers.image.source="https://example.com/repo" \
      org.opencontainers.image.licenses=MIT
LABEL description="A small image with a \"quoted\" word"

FROM base
LABEL org.opencontainers.image.title=app version=1.2.3
