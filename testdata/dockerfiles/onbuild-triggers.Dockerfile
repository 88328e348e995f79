# Exercises ONBUILD triggers of several kinds (ARG, ENV, COPY, RUN with a cache mount, WORKDIR), run by every stage FROM the base stage, and not passed on to their images.
FROM node:20 AS base
ONBUILD ARG NODE_ENV=production
ONBUILD ENV APP_HOME=/srv/app
ONBUILD WORKDIR $APP_HOME
ONBUILD COPY package*.json ./
ONBUILD RUN --mount=type=cache,target=/root/.npm npm ci
MAINTAINER Jane Doe <jane@example.com>

FROM base AS app
COPY . .
CMD ["node", "server.js"]

FROM base AS test
RUN npm test
