# Exercises --mount modes beyond the permission bits: a sticky cache directory (mode=1777), a
# setuid secret file, and a mode BuildKit takes that no Go file mode has (it parses any octal
# number of 32 bits).
FROM alpine
RUN --mount=type=cache,target=/tmp/cache,mode=1777 ls -ld /tmp/cache
RUN --mount=type=secret,id=tool,target=/usr/local/bin/tool,mode=4755 /usr/local/bin/tool
RUN --mount=type=cache,target=/var/cache/odd,mode=177777,uid=1000 true
RUN --mount=type=ssh,mode=2770 true
