# Exercises an ARG line with a comment whose words have values, as gotify's Dockerfile has one:
# BuildKit declares every word after ARG, "#", "0=never," and "1=native" included, and those with a
# value are in the environment of every RUN. The import declares them too, with a warning.
# want-warning: 7
FROM alpine
ARG GO_VERSION=1.22
ARG RUN_TESTS=0 # 0=never, 1=native only
RUN if [ "$RUN_TESTS" = 1 ]; then go test ./...; fi
