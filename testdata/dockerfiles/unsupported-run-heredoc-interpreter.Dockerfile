# Exercises a RUN heredoc given to an interpreter: ErrUnsupported.
# want-unsupported: 4
FROM python:3.12
RUN python3 <<EOF
print("hello")
EOF
