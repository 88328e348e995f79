# Exercises the warning for COPY --from=set where no stage "set" exists: BuildKit reads it as an image.
# want-warning: 8
FROM golang:1.22 AS build
WORKDIR /src
RUN go build -o /out/app .

FROM alpine
COPY --from=set /etc/config /etc/config
COPY --from=build /out/app /app
