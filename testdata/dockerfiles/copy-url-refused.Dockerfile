# Exercises COPY of a URL: only ADD downloads, and BuildKit refuses the file.
# want-error: 4
FROM alpine:3.20
COPY https://example.com/tool.tgz /tmp/
