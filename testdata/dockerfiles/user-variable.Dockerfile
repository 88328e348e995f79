# Exercises USER with a variable: UserExpand.
FROM alpine
ARG UID=1000
USER ${UID}
