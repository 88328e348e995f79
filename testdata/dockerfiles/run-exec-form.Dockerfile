# Exercises exec-form RUN, with mounts and without a shell.
FROM python:3.12 AS build
RUN ["python", "-m", "pip", "install", "--upgrade", "pip"]
RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "wheel"]

FROM python:3.12-slim
COPY --from=build /usr/local/lib /usr/local/lib
CMD ["python"]
