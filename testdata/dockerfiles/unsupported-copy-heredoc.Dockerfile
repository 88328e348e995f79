# Exercises COPY of a heredoc: ErrUnsupported.
# want-unsupported: 5
FROM nginx:alpine AS web
RUN rm /etc/nginx/conf.d/default.conf
COPY <<EOF /etc/nginx/conf.d/app.conf
server { listen 8080; }
EOF
