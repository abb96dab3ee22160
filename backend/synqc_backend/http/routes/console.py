"""The web console: its page at `/` and its scripts and styles at `/console/<file>`.

- Only files that ship in `synqc_backend/web/` with a known type are served; a name is a plain
  file name (no directories), so nothing outside the folder can be reached.
- The page's Content-Security-Policy allows scripts and styles from this origin only; data is
  fetched from this origin or from the API named by `?api=<url>`.
"""

import re
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from synqc_backend.errors import ApiError, ErrorCode

router = APIRouter(tags=["console"], include_in_schema=False)

ASSET_NAME = re.compile(r"[a-z][a-z0-9_]*\.(js|css|svg)")
MEDIA_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
        "connect-src 'self' http: https:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
# The console is small and changes with the server; revalidating keeps it in step.
CACHE_CONTROL = "no-cache"


@router.get("/", response_class=HTMLResponse)
def console_page() -> HTMLResponse:
    """The console's single page."""
    page = files("synqc_backend.http.web").joinpath("index.html").read_text(encoding="utf-8")
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/console/{name}")
def console_asset(name: str) -> Response:
    """One of the console's scripts or styles."""
    match = ASSET_NAME.fullmatch(name)
    asset = files("synqc_backend.http.web").joinpath(name)
    if match is None or not asset.is_file():
        raise ApiError(
            404,
            ErrorCode.NOT_FOUND,
            f"the console has no file '{name}'",
            hint="the console is served at /",
            detail={"file": name},
        )
    return Response(
        asset.read_bytes(),
        media_type=MEDIA_TYPES[match.group(1)],
        headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )
