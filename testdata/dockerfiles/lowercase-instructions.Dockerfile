# Exercises lower-case and mixed-case instructions and an upper-case stage name.
from alpine as Builder
run echo hi > /hi
Copy . /src

FROM alpine
copy --from=builder /hi /hi
