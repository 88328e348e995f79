# Exercises COPY --chown with user:group and uid:gid, and octal --chmod including setuid.
FROM alpine AS base
RUN addgroup -S app && adduser -S app -G app

FROM base
COPY --chown=app:app config/ /etc/app/
COPY --chown=1000:1000 --chmod=0640 secrets.env /etc/app/secrets.env
COPY --chmod=755 entrypoint.sh /usr/local/bin/entrypoint.sh
COPY --chmod=4755 helper /usr/local/bin/helper
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
