# Exercises ADD of local files: Add unpacks a local tar archive (AttemptUnpack), with several sources, --chown, --link and --exclude.
FROM alpine AS build
WORKDIR /src
ADD vendor.tar.gz /src/vendor/
ADD --chown=1000:1000 --link a.tar b.tar /opt/
ADD --exclude=*.md --chmod=644 docs/ /usr/share/doc/app/
