# Exercises FROM scratch with certificates and a static binary copied in.
FROM alpine AS certs
RUN apk add --no-cache ca-certificates

FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /app .

FROM scratch
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /app /app
USER 65534
ENTRYPOINT ["/app"]
