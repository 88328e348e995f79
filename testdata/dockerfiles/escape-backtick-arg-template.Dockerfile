# escape=`
# Exercises variables with backslashes under "# escape=`", as Windows Dockerfiles write paths: the
# Build renders with '\' as the escape, so the import rewrites each such word for it (a literal
# '\' escaped, `" as \") and checks that it reads the same.
FROM mcr.microsoft.com/windows/servercore:ltsc2022
ARG jdkTemp=C:\temp
ARG JDK="${jdkTemp}\jdk.zip"
ARG QUOTED=`"${jdkTemp}`"\bin
ENV JAVA_HOME="${jdkTemp}\openjdk" PATH=C:\Windows\system32;${jdkTemp}\bin
WORKDIR ${jdkTemp}\work
RUN echo %JDK% %QUOTED%
