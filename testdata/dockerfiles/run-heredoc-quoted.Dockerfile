# Exercises a quoted heredoc delimiter, whose variables reach the shell unexpanded.
FROM alpine AS build
ENV NAME=world
RUN <<'EOF'
echo "hello $NAME"
echo "done"
EOF

FROM build
CMD ["sh"]
