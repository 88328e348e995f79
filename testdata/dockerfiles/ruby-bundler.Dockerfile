# Exercises a Ruby build with BUNDLE env settings and a shared gem cache.
FROM ruby:3.3 AS build
ENV BUNDLE_PATH=/gems BUNDLE_WITHOUT=development:test
WORKDIR /app
COPY Gemfile Gemfile.lock ./
RUN --mount=type=cache,target=/root/.bundle bundle install
COPY . .

FROM ruby:3.3-slim
ENV BUNDLE_PATH=/gems
COPY --from=build /gems /gems
COPY --from=build /app /app
WORKDIR /app
CMD ["bundle", "exec", "puma"]
