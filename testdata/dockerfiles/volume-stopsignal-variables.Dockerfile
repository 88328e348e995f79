# Exercises VOLUME and STOPSIGNAL with variables, which BuildKit expands:
# VolumeExpand (JSON and plain forms, several paths, one of them literal)
# and StopSignalExpand with a default from a modifier.
FROM postgres:16-alpine AS db
ARG DATA_DIR=/var/lib/postgresql/data
ENV BACKUP_DIR=/backups
VOLUME ${DATA_DIR}
VOLUME ["$BACKUP_DIR", "/run/postgresql"]
ARG STOP
STOPSIGNAL ${STOP:-SIGINT}

FROM db AS worker
ARG SIG=SIGQUIT
STOPSIGNAL $SIG
VOLUME /srv/${SIG}-spool /tmp/plain
