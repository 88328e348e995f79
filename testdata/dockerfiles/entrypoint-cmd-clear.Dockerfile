# Exercises ENTRYPOINT [] and CMD [], which clear what the base image set:
# ClearEntrypoint (which clears an inherited CMD too) and ClearCmd, then a
# stage that sets a CMD of its own after clearing the entrypoint.
FROM nginx:alpine AS plain
ENTRYPOINT []

FROM node:20-slim AS nocmd
CMD []

FROM python:3.12-slim AS tool
ENTRYPOINT []
CMD ["python", "-m", "http.server"]

FROM tool AS reset
CMD []
ENTRYPOINT ["python"]
