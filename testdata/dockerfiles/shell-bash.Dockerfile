# Exercises SHELL with bash and pipefail, for later shell-form RUN and a shell HEALTHCHECK.
FROM debian:bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | bash
RUN echo "${BASH_VERSION}" > /version

FROM debian:bookworm-slim
SHELL ["/bin/bash", "-c"]
COPY --from=build /version /version
HEALTHCHECK --interval=30s CMD cat /version || exit 1
