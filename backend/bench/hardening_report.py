"""Hardening figures: the attack suites run once, and what they measured, as one table.

Run from backend/: `../.venv/bin/python bench/hardening_report.py [--fuzz-examples N]`.
It runs `tests/hardening` and `tests/test_rate_limit.py` with pytest (real servers: Redis,
PostgreSQL, `synqc serve` and `synqc worker` processes, a size-limited tmpfs for the SQLite
faults), collects the figures the tests record (`tests/hardening/figures.py`) and the test
outcomes (JUnit XML), and prints:

- fuzz cases run and failures, per deployment (Schemathesis, with and without the API key);
- rate limit held: requests tried, rejected, and admitted above the limit;
- faults injected and survived, runs accepted and lost;
- secrets checked and leaked;
- every suite's tests passed / failed / skipped.

Exits 1 when a test failed, a run was lost, a secret leaked or the limit let extra through.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
PYTEST = Path(sys.executable).parent / "pytest"
SUITES = ["tests/hardening", "tests/test_rate_limit.py"]


@dataclass
class Outcomes:
    """Test outcomes by suite file: passed, failed (errors included), skipped."""

    by_file: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def failed(self, stem: str = "") -> int:
        return sum(c["failed"] for name, c in self.by_file.items() if stem in name)


def run_suites(figures: Path, junit: Path, fuzz_examples: int | None) -> int:
    env = {**os.environ, "SYNQC_HARDENING_FIGURES": str(figures)}
    if fuzz_examples is not None:
        env["SYNQC_FUZZ_EXAMPLES"] = str(fuzz_examples)
    command = [str(PYTEST), *SUITES, "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    return subprocess.run(command, cwd=BACKEND, env=env, check=False).returncode


def read_figures(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def total(figures: list[dict[str, object]], name: str, **labels: str) -> int:
    return sum(
        int(str(figure["value"]))
        for figure in figures
        if figure["name"] == name and all(figure.get(k) == v for k, v in labels.items())
    )


def read_outcomes(junit: Path) -> Outcomes:
    outcomes = Outcomes()
    for case in ElementTree.parse(junit).iter("testcase"):
        suite = case.get("classname", "").rsplit(".", 1)[-1]
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes.by_file[suite]["failed"] += 1
        elif case.find("skipped") is not None:
            outcomes.by_file[suite]["skipped"] += 1
        else:
            outcomes.by_file[suite]["passed"] += 1
    return outcomes


def table(figures: list[dict[str, object]], outcomes: Outcomes) -> list[tuple[str, str]]:
    rows = []
    for kind in ("embedded", "production"):
        rows.append(
            (f"fuzz cases run ({kind})", str(total(figures, "fuzz_cases", deployment=kind)))
        )
    rows.append(("fuzz failures (operations x key/no key)", str(outcomes.failed("schema_fuzz"))))
    for kind in ("embedded", "production"):
        tried = total(figures, "rate_limit_tried", deployment=kind)
        rejected = total(figures, "rate_limit_rejected", deployment=kind)
        over = total(figures, "rate_limit_admitted_over_limit", deployment=kind)
        rows.append(
            (
                f"rate limit held ({kind}): tried / rejected / over limit",
                f"{tried} / {rejected} / {over}",
            )
        )
    faults = sorted({str(f["fault"]) for f in figures if f["name"] == "faults_injected"})
    for fault in faults:
        survived = total(figures, "faults_survived", fault=fault)
        rows.append((f"fault: {fault}", "survived" if survived else "NOT survived"))
    injected, survived = total(figures, "faults_injected"), total(figures, "faults_survived")
    rows.append(("faults injected / survived", f"{injected} / {survived}"))
    accepted, lost = total(figures, "runs_accepted"), total(figures, "runs_lost")
    rows.append(("runs accepted during faults / lost", f"{accepted} / {lost}"))
    checked, leaked = total(figures, "secrets_checked"), total(figures, "secrets_leaked")
    rows.append(("secrets checked (secret x place) / leaked", f"{checked} / {leaked}"))
    for suite, c in sorted(outcomes.by_file.items()):
        rows.append(
            (
                f"tests {suite}",
                f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped",
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-examples", type=int, default=None, help="examples per operation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="synqc-hardening-") as workdir:
        figures_path, junit = Path(workdir) / "figures.jsonl", Path(workdir) / "junit.xml"
        run_suites(figures_path, junit, args.fuzz_examples)
        figures, outcomes = read_figures(figures_path), read_outcomes(junit)
    rows = table(figures, outcomes)
    width = max(len(name) for name, _ in rows)
    print(f"\n{'figure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    bad = (
        outcomes.failed()
        + total(figures, "runs_lost")
        + total(figures, "secrets_leaked")
        + total(figures, "rate_limit_admitted_over_limit")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
