# Exercises ADD of a URL: AddURL, an llb HTTP source (a remote archive is not unpacked).
FROM alpine AS fetch
WORKDIR /dl
ADD https://example.com/archive.tar.gz /dl/

FROM alpine
COPY --from=fetch /dl /dl
