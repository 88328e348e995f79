# Exercises USER with a variable, which the API cannot expand: ErrUnsupported.
# want-unsupported: 5
FROM alpine
ARG UID=1000
USER ${UID}
