# Exercises EXPOSE with several ports, /tcp and /udp, and a port range.
FROM alpine AS dns
EXPOSE 53/udp 53/tcp

FROM alpine
EXPOSE 80 443
EXPOSE 8000-8003
EXPOSE 9090/tcp
