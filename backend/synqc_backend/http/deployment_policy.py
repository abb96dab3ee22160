"""What a production server (`SYNQC_ENV=prod`) refuses to start with.

- No API key: every caller could spend the session budgets on real hardware.
- A key shorter than `MIN_PROD_KEY_LENGTH` characters: guessable.
- `*` among the allowed CORS origins: any web page could drive the API from a browser.
- Docs (`/docs`, `/openapi.json`) are off in prod unless `SYNQC_ENABLE_DOCS=true` asks for them.
"""

from synqc_backend.config import Environment, Settings

MIN_PROD_KEY_LENGTH = 16


class UnsafeSettingsError(ValueError):
    """Settings a production server must not run with; the message lists each problem."""


def production_problems(settings: Settings) -> list[str]:
    """Each reason these settings are unsafe in prod; empty in dev or when all is well."""
    if settings.env is not Environment.PROD:
        return []
    problems = []
    if not settings.api_key:
        problems.append("SYNQC_API_KEY is not set (prod requires an API key)")
    elif any(len(key) < MIN_PROD_KEY_LENGTH for key in settings.api_key):
        problems.append(f"an API key in SYNQC_API_KEY is shorter than {MIN_PROD_KEY_LENGTH} chars")
    if "*" in settings.allowed_origins:
        problems.append("SYNQC_ALLOWED_ORIGINS contains '*' (list the console's origins instead)")
    return problems


def enforce(settings: Settings) -> None:
    """Raise `UnsafeSettingsError` naming every problem of `production_problems`."""
    problems = production_problems(settings)
    if problems:
        raise UnsafeSettingsError("refusing to start with SYNQC_ENV=prod: " + "; ".join(problems))
