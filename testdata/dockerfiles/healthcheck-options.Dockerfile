# Exercises HEALTHCHECK in exec form with every option, and a shell form.
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine
COPY --from=build /out/app /app
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --start-interval=2s --retries=5 CMD ["/app", "-health"]

FROM alpine AS shell-check
RUN apk add --no-cache curl
HEALTHCHECK --timeout=5s CMD curl -f http://localhost:8080/healthz || exit 1
