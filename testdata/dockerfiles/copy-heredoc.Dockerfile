# Exercises COPY of a heredoc: CopyContent, an llb mkfile copied into the stage (the heredoc is unquoted, with nothing to expand).
FROM nginx:alpine AS web
RUN rm /etc/nginx/conf.d/default.conf
COPY <<EOF /etc/nginx/conf.d/app.conf
server { listen 8080; }
EOF
