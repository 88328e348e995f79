# Exercises the deprecated MAINTAINER: ErrUnsupported.
# want-unsupported: 4
FROM alpine
MAINTAINER someone@example.com
