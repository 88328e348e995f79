# Exercises RUN --network=none, host and default.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go mod download
RUN --network=none go test ./...
RUN --network=host go build -o /out/app .
RUN --network=default true

FROM alpine
COPY --from=build /out/app /app
