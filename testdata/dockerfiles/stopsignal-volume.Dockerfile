# Exercises STOPSIGNAL by name and number, and VOLUME in JSON and plain forms.
FROM postgres:16 AS db
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT

FROM redis:7 AS cache
VOLUME ["/data", "/logs"]
STOPSIGNAL 15
