# escape=`
# Exercises the Windows-style escape directive: backtick line continuations and literal backslashes.
FROM alpine AS build
RUN echo one && `
    echo two
WORKDIR C:\app
COPY src\main.c C:\app\

FROM build
ENV PATH_WIN=C:\tools;C:\bin
CMD ["echo", "done"]
