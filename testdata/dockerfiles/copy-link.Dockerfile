# Exercises COPY --link from the context and from a stage, with a numeric --chown.
FROM golang:1.22 AS build
WORKDIR /src
COPY --link . .
RUN go build -o /out/server .

FROM debian:bookworm-slim
COPY --link --from=build /out/server /usr/local/bin/server
COPY --link --chown=10001:10001 static/ /srv/static/
CMD ["server"]
