# Exercises HEALTHCHECK NONE disabling a base healthcheck.
FROM nginx:alpine AS web
HEALTHCHECK CMD ["wget", "-q", "--spider", "http://localhost/"]

FROM web AS quiet
HEALTHCHECK NONE
