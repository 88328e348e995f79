# Exercises ONBUILD, which the API cannot express yet: ErrUnsupported.
# want-unsupported: 5
FROM node:20 AS base
WORKDIR /app
ONBUILD COPY package.json .

FROM base
RUN true
