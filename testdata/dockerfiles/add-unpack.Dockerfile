# Exercises ADD --unpack: Unpack(true) unpacks a downloaded archive, Unpack(false) copies a local archive as it is.
FROM alpine AS tools
ADD --unpack=true https://example.com/releases/tool.tar.gz /opt/tool/
ADD --unpack=false --chmod=0644 dist/app.tar.gz /srv/archives/
