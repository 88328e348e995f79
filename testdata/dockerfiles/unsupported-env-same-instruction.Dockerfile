# Exercises ENV that refers to a variable set by the same instruction: BuildKit expands the old value, so the import refuses to split it.
# want-unsupported: 4
FROM alpine
ENV ROOT=/srv LOGS=${ROOT}/logs
