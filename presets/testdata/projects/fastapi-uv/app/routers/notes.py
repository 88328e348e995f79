from fastapi import APIRouter

router = APIRouter()
NOTES: list[str] = []


@router.get("/")
def list_notes() -> list[str]:
    return NOTES


@router.post("/")
def add_note(text: str) -> list[str]:
    NOTES.append(text)
    return NOTES
