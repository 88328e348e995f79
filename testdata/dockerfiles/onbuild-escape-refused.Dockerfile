# escape=`
# Exercises an ONBUILD trigger with a backslash under the Windows-style
# escape directive: BuildKit expands its words with the backtick lexer,
# which a Build without the directive cannot say, so it is refused with
# ErrUnsupported at its line.
# want-unsupported: 9
FROM alpine:3.20 AS base
WORKDIR C:\app
ONBUILD COPY settings.json C:\app\settings.json
