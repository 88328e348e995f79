# Exercises LABEL keys that need quoting: spaces, a leading dash and an escaped '$'. BuildKit's
# lexer reads the key as it reads a value; the import writes such keys quoted.
FROM alpine
LABEL "my key"="a value" "-dash"=1 'single quoted'=2
LABEL "price \$"=3 plain=4
