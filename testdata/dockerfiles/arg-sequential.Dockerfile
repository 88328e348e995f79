# Exercises one ARG declaring several args that refer to each other: BuildKit
# declares them one after another, before the first FROM and in a stage.
ARG BASE=alpine TAG=${BASE}-3.20 IMAGE=${BASE}
FROM ${IMAGE} AS build
ARG NAME=app DIR=/srv/$NAME
ENV TARGET_DIR=$DIR
WORKDIR $DIR
RUN echo "$TAG $NAME" > /out.txt

FROM build AS final
ARG NAME DIR=/opt/$NAME
LABEL dir=$DIR
