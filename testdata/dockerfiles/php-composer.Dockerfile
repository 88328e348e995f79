# Exercises COPY --from=composer image binary, and a multi-target dev/prod split.
FROM php:8.3-fpm AS base
WORKDIR /var/www
COPY --from=composer:2 /usr/bin/composer /usr/bin/composer

FROM base AS dev
RUN composer install

FROM base AS prod
COPY . .
RUN composer install --no-dev --optimize-autoloader
USER www-data
