# Exercises comments between instructions, inside continuations, and empty lines.

# The builder.
FROM golang:1.22 AS build
# Module download first, for caching.
WORKDIR /src
RUN go env \
    # a comment inside a continuation
    GOPATH

# The runtime.
FROM alpine
# Nothing else.
COPY --from=build /go /go
