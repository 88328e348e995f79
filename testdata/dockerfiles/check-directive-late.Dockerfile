# Exercises "# check=" comments that are not on the first line: after a licence header, and right
# above one instruction, as BuildKit's docs show. BuildKit's linter reads them from the comments of
# each instruction; the import reads past them (it once crashed in the linter).
#
# Copyright The Project Authors. Licensed under the Apache License, Version 2.0.
# check=skip=all
FROM alpine AS build
RUN echo build > /out

FROM alpine
COPY --from=build /out /out
# check=skip=JSONArgsRecommended
CMD ./app
