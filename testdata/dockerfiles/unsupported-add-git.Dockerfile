# Exercises ADD of a git repository with --keep-git-dir: ErrUnsupported.
# want-unsupported: 4
FROM alpine AS src
ADD --keep-git-dir=true https://github.com/example/repo.git#v1.0 /src
