# Exercises a shell-form ENTRYPOINT: EntrypointShell.
FROM alpine
ENTRYPOINT exec /usr/local/bin/start
