# Exercises shell-form commands that start with '[' but are not JSON
# arrays, which BuildKit runs with the shell: RUN, CMD, ENTRYPOINT and
# HEALTHCHECK CMD with a test(1) bracket, and a CMD whose quotes make it
# invalid JSON.
FROM alpine:3.20
RUN [ -f /etc/os-release ] && echo found || echo missing
HEALTHCHECK --interval=10s CMD [ -f /tmp/healthy ] || exit 1
ENTRYPOINT [ -n "$APP_HOME" ] && exec "$APP_HOME/run" || exec /bin/sh
CMD [ "a", 'b' ]
