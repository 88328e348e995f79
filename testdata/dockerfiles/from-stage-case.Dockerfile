# Exercises FROM naming a stage in other letter case: BuildKit looks FROM up
# exactly (unlike --from), so "Build" is an image name, which is invalid.
# want-error: 6
FROM alpine AS build
RUN touch /x
FROM Build
