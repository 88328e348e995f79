# Exercises a chain of stages each built FROM the previous one.
FROM alpine AS s1
ENV LEVEL=1
FROM s1 AS s2
ENV LEVEL=2
FROM s2 AS s3
RUN echo $LEVEL
FROM s3 AS s4
WORKDIR /four
FROM s4
USER nobody
