# Exercises COPY paths that refer to build args, imported with expansion.
FROM golang:1.22 AS build
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN mkdir -p /out/$TARGETARCH && go build -o /out/$TARGETARCH/app .

FROM alpine
ARG TARGETARCH
COPY --from=build /out/${TARGETARCH}/app /usr/local/bin/app
