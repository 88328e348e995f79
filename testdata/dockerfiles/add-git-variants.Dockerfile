# Exercises ADD of git repositories: an ssh URL with a ref and a subdirectory, a pinned commit with --checksum, and --keep-git-dir=false (the default).
FROM alpine AS src
ADD git@github.com:example/tools.git#main:cmd/tool /src/tool
ADD --checksum=0123456789abcdef0123456789abcdef01234567 https://github.com/example/repo.git#v1.2.3 /src/repo
ADD --keep-git-dir=false https://github.com/example/other.git /src/other
