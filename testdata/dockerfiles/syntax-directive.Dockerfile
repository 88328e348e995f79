# syntax=docker/dockerfile:1.7
# Exercises the syntax directive, reported as a warning because a Build does not carry it.
# want-warning: 1
FROM alpine AS base
RUN echo hi

FROM base
CMD ["sh"]
