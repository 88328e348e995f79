# Exercises ENV that refers to a variable set by the same instruction: BuildKit expands the old value, so the import keeps it one instruction (EnvExpandAll).
FROM alpine
ENV ROOT=/srv LOGS=${ROOT}/logs
