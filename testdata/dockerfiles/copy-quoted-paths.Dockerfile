# Exercises quoted and JSON-form COPY paths with spaces, which the import reads literally.
FROM alpine AS base
COPY ["my file.txt", "/data/my file.txt"]
COPY "docs/readme.md" /data/

FROM base
WORKDIR "/srv/my app"
COPY --from=base ["/data/my file.txt", "./"]
