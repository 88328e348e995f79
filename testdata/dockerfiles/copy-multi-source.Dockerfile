# Exercises COPY with several sources to one directory, from the context and from a stage.
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum Makefile ./
RUN make deps
COPY cmd internal pkg ./
RUN make build

FROM alpine
COPY --from=build /src/bin/app /src/bin/helper /usr/local/bin/
