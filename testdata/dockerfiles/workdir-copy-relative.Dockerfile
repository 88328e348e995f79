# Exercises relative COPY destinations resolved against WORKDIR, and a destination without a trailing slash.
FROM alpine AS build
WORKDIR /app
COPY config.yaml conf/
COPY main.sh run
WORKDIR sub
COPY . .

FROM build
COPY --from=build /app/run ./run-copy
