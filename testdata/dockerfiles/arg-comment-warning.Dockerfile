# Exercises the warning for a '#' after an ARG: BuildKit declares "#" and the words after it as args.
# want-warning: 4
FROM alpine
ARG VERSION=1.0 # the release
RUN echo "$VERSION"
