# Exercises the deprecated MAINTAINER: Maintainer, which sets the image Author.
FROM alpine
MAINTAINER someone@example.com
