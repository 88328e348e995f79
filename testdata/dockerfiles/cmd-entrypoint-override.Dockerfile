# Exercises ENTRYPOINT clearing an inherited CMD, and a CMD after an ENTRYPOINT.
FROM node:20 AS app
ENTRYPOINT ["node"]

FROM node:20 AS app-with-cmd
ENTRYPOINT ["node"]
CMD ["server.js"]

FROM nginx:alpine
CMD ["nginx-debug", "-g", "daemon off;"]
