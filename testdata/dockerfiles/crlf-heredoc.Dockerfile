# Exercises a heredoc in a file with CRLF line endings: BuildKit keeps the
# carriage returns in the heredoc content, which the API cannot carry.
# want-unsupported: 6
FROM alpine:3.20
RUN echo plain
RUN <<EOF
echo hi
EOF
