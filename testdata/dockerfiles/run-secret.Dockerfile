# Exercises RUN --mount=type=secret: by id, with a target, as an env var, required, with uid and mode.
FROM node:20 AS build
WORKDIR /app
COPY package*.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
RUN --mount=type=secret,id=token,env=API_TOKEN,required=true ./fetch-assets.sh
RUN --mount=type=secret,id=key,uid=1000,mode=0440 cat /run/secrets/key > /dev/null
RUN --mount=type=secret,target=/run/secrets/netrc cp /run/secrets/netrc /tmp/netrc

FROM node:20-slim
COPY --from=build /app /app
