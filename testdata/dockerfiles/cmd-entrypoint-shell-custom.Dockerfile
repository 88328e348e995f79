# Exercises shell-form CMD and ENTRYPOINT under a SHELL: both run with the stage's shell, and ENTRYPOINT keeps the CMD of the same stage.
FROM debian:bookworm AS app
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD echo "$HOME" | tr a-z A-Z
ENTRYPOINT exec "$0" "$@" 2>&1
