# Exercises EXPOSE with words the frontend expands and reads as port
# specs: ${PORT} from an ARG, $PORT/udp from an ENV, a variable that
# expands to two ports, SCTP, a protocol in capitals, a host part (which
# the frontend drops), a port range from variables, and plain ports beside
# them: ExposeExpand, ExposeSCTP, Expose and ExposeUDP.
FROM alpine:3.20 AS server
ARG PORT=8080
ENV METRICS_PORT=9090
ARG PORTS="80 443"
ARG FIRST=7000 LAST=7003
EXPOSE ${PORT}
EXPOSE $METRICS_PORT/udp
EXPOSE $PORTS
EXPOSE 132/sctp 5000/SCTP 22/TCP
EXPOSE 127.0.0.1:8443:443
EXPOSE ${FIRST}-${LAST}/tcp 53/udp 6000

FROM server AS debug
ARG DEBUG_PORT
EXPOSE ${DEBUG_PORT:-2345}
