# Exercises ADD of a git repository with --keep-git-dir: AddGit with KeepGitDir, an llb git source.
FROM alpine AS src
ADD --keep-git-dir=true https://github.com/example/repo.git#v1.0 /src
