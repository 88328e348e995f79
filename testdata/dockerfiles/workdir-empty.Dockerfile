# Exercises WORKDIR "": BuildKit joins an empty path to the working directory, as it joins ".".
# want-warning: 5
FROM alpine
WORKDIR /app
WORKDIR ""
RUN pwd
