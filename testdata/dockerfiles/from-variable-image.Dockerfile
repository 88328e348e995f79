# Exercises FROM with variables in the repository and the tag, with a default tag.
ARG IMAGE=python
ARG TAG=3.12-slim
FROM ${IMAGE}:${TAG} AS runtime
WORKDIR /app
COPY . .

FROM runtime AS test
RUN python -m pytest
