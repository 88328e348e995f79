# Exercises a shell-form CMD: CmdShell, run with the stage's shell.
FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine
CMD /app --serve
