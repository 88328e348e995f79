# Exercises a stage picked by name through a variable: FROM ${VARIANT} where VARIANT names a stage.
ARG VARIANT=prod
FROM alpine AS dev
RUN echo dev > /mode

FROM alpine AS prod
RUN echo prod > /mode

FROM ${VARIANT} AS final
CMD ["cat", "/mode"]
