"""The console's page and files: what is served, with which headers, and what is refused."""

import re
from importlib.resources import files

import pytest
from fastapi.testclient import TestClient

WEB = files("synqc_backend.http.web")
IMPORT = re.compile(r'from "\./([a-z_]+\.js)"')


def test_the_page_is_served_at_the_root_and_under_api_with_a_strict_policy(
    client: TestClient,
) -> None:
    for path in ("/", "/api/"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<title>SynQc TDS console</title>" in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("main.js", "text/javascript"),
        ("console.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_console_files_are_served_with_their_type(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/console/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == WEB.joinpath(name).read_bytes()


def test_every_module_the_console_imports_is_served(client: TestClient) -> None:
    modules = [entry.name for entry in WEB.iterdir() if entry.name.endswith(".js")]
    imported = {
        name for module in modules for name in IMPORT.findall(client.get(f"/console/{module}").text)
    }
    assert imported
    assert imported <= set(modules)


@pytest.mark.parametrize(
    "name", ["__init__.py", "index.html", "missing.js", "..%2Fapi.py", "Main.js", "main.js.map"]
)
def test_anything_else_is_not_found(client: TestClient, name: str) -> None:
    response = client.get(f"/console/{name}")
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "NOT_FOUND"
