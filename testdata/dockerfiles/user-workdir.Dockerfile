# Exercises USER by name and id, WORKDIR relative to an earlier WORKDIR, and WORKDIR with a variable.
FROM alpine AS base
RUN adduser -D app
WORKDIR /home/app
WORKDIR src
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME/data

FROM base
USER app
RUN id
USER 1000:1000
WORKDIR ../cache
