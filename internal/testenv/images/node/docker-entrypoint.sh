#!/bin/sh
# Entry point of the node stand-ins, with the official image's behaviour: arguments that start
# with "-", or whose first word is no command (a script such as server.js), run under node.
set -e
if [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1 || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
