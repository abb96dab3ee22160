"""axe-core (from the npm registry, pinned in package.json) run inside a console page.

`npm ci --prefix backend/tests/http/web` installs it (the Makefile's `test` target does);
missing, the check skips, except under `CI=true`, where it fails.
"""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.redis_server import in_ci

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.x A and AA, plus axe's best practices (landmarks, one main, headings, regions).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    if AXE.exists():
        return AXE.read_text(encoding="utf-8")
    message = f"{AXE} not found: npm ci --prefix backend/tests/http/web"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def run_axe(page: Page) -> dict[str, Any]:
    """axe's results for the page as it is: `violations`, `passes`, `incomplete`."""
    # Evaluated through the DevTools protocol, which the page's script policy does not govern.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_source())
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: "
        "['violations', 'passes', 'incomplete'] })",
        TAGS,
    )
    return results


def violations(results: dict[str, Any]) -> list[str]:
    """One line per violated rule: its id, impact and the first offending nodes."""
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes'][:3]]}"
        for v in results["violations"]
    ]


def checked_nodes(results: dict[str, Any], rule: str, outcome: str = "passes") -> list[str]:
    """CSS selectors of the nodes a rule checked with the given outcome."""
    return [
        " ".join(node["target"])
        for result in results[outcome]
        if result["id"] == rule
        for node in result["nodes"]
    ]
