# Exercises a Rust build with registry and target cache mounts copied out of the cache.
FROM rust:1.79 AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release && cp target/release/app /app

FROM gcr.io/distroless/cc-debian12
COPY --from=build /app /app
ENTRYPOINT ["/app"]
