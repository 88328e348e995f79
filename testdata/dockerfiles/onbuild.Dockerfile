# Exercises ONBUILD: OnBuild records the trigger, and the stage FROM base runs it first.
FROM node:20 AS base
WORKDIR /app
ONBUILD COPY package.json .

FROM base
RUN true
