# Exercises Python: pip install --prefix into /install, copied into /usr/local of a slim image.
FROM python:3.10-slim AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt

FROM python:3.10-slim
COPY --from=builder /install /usr/local
WORKDIR /app
COPY . .
CMD ["python", "app.py"]
