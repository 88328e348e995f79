# Exercises a shell-form ENTRYPOINT: ErrUnsupported.
# want-unsupported: 4
FROM alpine
ENTRYPOINT exec /usr/local/bin/start
