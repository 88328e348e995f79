# Exercises LABEL keys that need quoting: spaces, a leading dash and an escaped '$', also beside a
# value to expand (and in the legacy form LABEL key value), where the key is expanded too. BuildKit's
# lexer reads the key as it reads a value; the import writes such keys quoted.
FROM alpine
ARG VERSION=1.0
LABEL "my key"="a value" "-dash"=1 'single quoted'=2
LABEL "price \$"=3 plain=4
LABEL "build version"=$VERSION
LABEL back\\slash $VERSION
