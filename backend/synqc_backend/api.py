"""`uvicorn synqc_backend.api:app`: the app with settings from the environment."""

from synqc_backend.http.app import create_app

app = create_app()
