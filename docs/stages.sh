#!/usr/bin/env bash
# stages.sh draws the stage graph picture of the README, docs/node-server-build.svg:
# the DOT that Build.DOT gives for presets.NodeServer with a build script (the golden file
# presets/testdata/graph/node-server-build.txtar), rendered by Graphviz from Debian's packages.
#
#   docs/stages.sh        (as root, on Debian 12: installs the pinned packages if missing)
#
# Graphviz and the font it measures text with are pinned, so the SVG changes only when the
# graph does. Helvetica, which the DOT asks for, is Liberation Sans here (same metrics).
set -euo pipefail
GRAPHVIZ_VERSION=2.42.2-7+deb12u1   # dot -V: "graphviz version 2.43.0 (0)"
FONTS_VERSION=2.1.5-1               # fonts-liberation2

cd "$(dirname "$0")/.."
need=()
[[ $(dpkg-query -W -f='${Version}' graphviz 2>/dev/null) == "$GRAPHVIZ_VERSION" ]] || need+=("graphviz=$GRAPHVIZ_VERSION")
[[ $(dpkg-query -W -f='${Version}' fonts-liberation2 2>/dev/null) == "$FONTS_VERSION" ]] || need+=("fonts-liberation2=$FONTS_VERSION")
if ((${#need[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The golden file must be current: the test fails if the preset's graph changed.
go test ./presets -run 'TestGraphGolden/^node-server-build$' >/dev/null
awk '/^-- graph.dot --$/ {on = 1; next} /^-- / {on = 0} on' presets/testdata/graph/node-server-build.txtar |
  dot -Tsvg > docs/node-server-build.svg
echo "wrote docs/node-server-build.svg"
