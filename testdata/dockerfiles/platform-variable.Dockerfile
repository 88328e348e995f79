# Exercises FROM --platform with a build arg of its own, declared before the
# first FROM, in both spellings: BuildKit expands it with the global args.
ARG TOOLS_PLATFORM=linux/arm64
ARG RUN_PLATFORM=linux/amd64
FROM --platform=$TOOLS_PLATFORM alpine:3.20 AS tools
RUN uname -m > /arch
FROM --platform=${RUN_PLATFORM} alpine:3.20
COPY --from=tools /arch /arch
