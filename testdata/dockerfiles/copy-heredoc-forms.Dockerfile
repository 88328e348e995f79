# Exercises COPY heredocs: expanded and quoted contents, a heredoc into a directory (named by its delimiter), several heredocs, a heredoc with a file, and --chmod on inline files.
FROM alpine AS conf
ARG PORT=8080
ENV APP=web
COPY <<EOF /etc/app/port.conf
listen ${PORT};
app $APP;
EOF
COPY <<'RAW' /etc/app/raw.conf
kept $PORT literally
RAW
COPY <<app.ini /etc/app/
[app]
name = demo
app.ini
COPY --chmod=755 <<start.sh <<stop.sh /usr/local/bin/
#!/bin/sh
exec /app
start.sh
#!/bin/sh
kill 1
stop.sh
COPY motd <<extra.txt /etc/
more text
extra.txt
