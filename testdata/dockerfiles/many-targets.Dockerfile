# Exercises many independent targets in one file, none used by the last.
FROM alpine AS docs
RUN echo docs
FROM alpine AS bench
RUN echo bench
FROM alpine AS fmt
RUN echo fmt
FROM alpine AS release
CMD ["true"]
