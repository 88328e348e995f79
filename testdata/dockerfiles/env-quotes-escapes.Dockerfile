# Exercises ENV values with single quotes, escaped dollars, and backslashes, read literally.
FROM alpine AS base
ENV A='single $quoted' B="double \$escaped" C=back\\slash
ENV D="" E=plain

FROM base
ENV F="tab	inside"
RUN env
