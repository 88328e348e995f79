# Exercises ADD of a URL, which the API cannot express yet: ErrUnsupported at its line.
# want-unsupported: 5
FROM alpine AS fetch
WORKDIR /dl
ADD https://example.com/archive.tar.gz /dl/

FROM alpine
COPY --from=fetch /dl /dl
