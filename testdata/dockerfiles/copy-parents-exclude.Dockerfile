# Exercises COPY --parents with a /./ pivot and --exclude patterns.
FROM node:20 AS deps
WORKDIR /app
COPY --parents ./packages/*/package.json ./
COPY --exclude=*.md --exclude=**/*.test.js src/ ./src/

FROM node:20-slim
WORKDIR /app
COPY --from=deps /app /app
CMD ["node", "src/index.js"]
