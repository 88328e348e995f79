from fastapi import FastAPI

app = FastAPI(title="Recipes")


@app.get("/recipes")
def recipes() -> list[str]:
    return ["bread", "soup"]
