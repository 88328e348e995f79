# Exercises every RUN heredoc form: a #! script run as a file, a one-line heredoc (run with its newline), several heredocs for the shell, a heredoc with mounts, and one after the "--" that ends RUN's flags.
FROM python:3.12 AS base
RUN <<EOF
#!/usr/bin/env python3
print("hello from a script file")
EOF
RUN <<EOF
echo one line
EOF
RUN cat <<A > /a.txt && cat <<'B' > /b.txt
first $HOME
A
second $HOME
B
RUN --mount=type=cache,target=/root/.cache python3 - <<'PY'
import sys
print(sys.version)
PY
RUN <<-EOT
	echo tabs are chomped
EOT
RUN -- --help-is-a-command <<EOF
the "--" before it ends RUN's flags
EOF
