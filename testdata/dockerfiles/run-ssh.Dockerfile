# Exercises RUN --mount=type=ssh: the default agent, a named id, a required agent with a socket target.
FROM alpine/git AS clone
RUN --mount=type=ssh git clone git@example.com:org/repo.git /src
RUN --mount=type=ssh,id=deploy,required=true git -C /src fetch
RUN --mount=type=ssh,target=/run/ssh.sock,uid=1000 ls /run

FROM alpine
COPY --from=clone /src /src
