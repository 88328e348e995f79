# Exercises ARG TARGETSTAGE in an unnamed last stage: BuildKit sets it to "default" when it builds
# that stage, and to the name of the target otherwise. The import names such a stage "default", so
# that the Build gives the same value.
FROM alpine AS first
ARG TARGETSTAGE
RUN echo "first: $TARGETSTAGE" > /first

FROM alpine
ARG TARGETSTAGE
COPY --from=first /first /first
RUN echo "last: $TARGETSTAGE" > /last
