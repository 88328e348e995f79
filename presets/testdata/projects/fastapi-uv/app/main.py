from fastapi import FastAPI

from app.routers import notes

app: FastAPI = FastAPI(title="Notes")
app.include_router(notes.router, prefix="/notes")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
