# Exercises a multi-target file: test and lint stages that the final stage does not use, FROM <stage>.
FROM golang:1.22 AS base
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .

FROM base AS test
RUN go test ./...

FROM base AS lint
RUN go vet ./...

FROM base AS build
RUN go build -o /out/app .

FROM alpine AS release
COPY --from=build /out/app /app
CMD ["/app"]
