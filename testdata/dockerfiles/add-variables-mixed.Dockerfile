# Exercises ADD sources that refer to variables, told apart once expanded
# (a URL, a git repository and a local archive, each from an ARG), and one
# ADD that mixes a local file, a URL and a git repository: Add, AddURL and
# AddGit with Expand and MoreSources.
FROM alpine:3.20 AS fetch
ARG TOOL_URL=https://example.com/releases/tool-1.2.3.tar.gz
ARG REPO=https://github.com/example/config.git#v1.0
ARG ARCHIVE=vendor.tar.gz
ARG SUM=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d
ADD ${TOOL_URL} /opt/
ADD --checksum=${SUM} $TOOL_URL /opt/pinned/
ADD $REPO /src/config
ADD ${ARCHIVE} /src/vendor/
ADD README.md https://example.com/LICENSE https://github.com/example/docs.git#main /docs/
ADD https://example.com/notes.txt CHANGELOG.md /docs/more/
