# Exercises a plain RUN heredoc of several lines, and <<- with leading tabs removed.
FROM alpine AS build
RUN <<EOF
set -e
apk add --no-cache build-base
mkdir -p /out
echo built > /out/status
EOF
RUN <<-SCRIPT
	echo one
	echo two
	SCRIPT

FROM alpine
COPY --from=build /out /out
