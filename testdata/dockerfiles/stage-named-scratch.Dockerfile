# Exercises a stage named "scratch", as zipkin's Dockerfile has one: BuildKit accepts the name, and
# once the stage is defined, FROM scratch and COPY --from=scratch mean that stage. The builder API
# keeps "scratch" for the empty image, so the stage is imported as "stage-0", with a warning, and
# --target scratch still selects it.
# want-warning: 6
FROM scratch as scratch
COPY . /code/

FROM alpine AS build
COPY --from=scratch /code/ /src/
RUN ls /src

FROM scratch
COPY --from=build /src /app
