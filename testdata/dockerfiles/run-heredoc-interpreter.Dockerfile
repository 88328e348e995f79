# Exercises a RUN heredoc given to an interpreter: RunHeredoc, the shell gets the whole text.
FROM python:3.12
RUN python3 <<EOF
print("hello")
EOF
