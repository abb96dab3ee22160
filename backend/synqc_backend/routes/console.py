"""The web console's page, served at `/`."""

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def console_page() -> HTMLResponse:
    """The console's single page."""
    page = files("synqc_backend.web").joinpath("index.html").read_text(encoding="utf-8")
    return HTMLResponse(page)
