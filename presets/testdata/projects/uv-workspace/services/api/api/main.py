from fastapi import FastAPI
from models import Order

app = FastAPI(title="Orders")


@app.get("/orders/{order_id}")
def order(order_id: int) -> Order:
    return Order(id=order_id, total_cents=1999)
