# Exercises ENV keys that are no shell variable names, as Spring applications set them: BuildKit takes any word.
FROM alpine
ENV spring.profiles.active=prod
ENV server.port 8081
RUN env
