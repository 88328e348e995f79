# Exercises a shell-form CMD: ErrUnsupported.
# want-unsupported: 6
FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine
CMD /app --serve
