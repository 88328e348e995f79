# Exercises RUN --device: CDI devices, optional unless required, in the form BuildKit's docs show
# and with name= (which a device named like a key needs).
FROM alpine AS base
RUN --device=vendor1.com/device=foo,required \
    --device=vendor2.com/device=bar \
    env | sort | tee /foo.env
RUN --device=name=vendor3.com/gpu=all,required=false nvidia-smi

FROM scratch
COPY --from=base /foo.env /
