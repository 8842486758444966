"""Benchmarks are run by hand, but must not rot: each script starts and shows its help.
(No timing is asserted here: speed targets live in bench/, not in unit tests.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.paths import ROOT

SCRIPTS = sorted((ROOT / "bench").glob("bench_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_benchmark_script_starts(script) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower()


def test_plan_benchmark_renders_a_three_page_plan() -> None:
    """One small round of bench_plan.py: the plan it times is the three pages the issue
    names, and no glyph is missing (no timing is asserted)."""
    result = subprocess.run(
        [sys.executable, "bench/bench_plan.py", "--rounds", "1", "--services", "50", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    import json

    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["plan_pages"] == 3 and figures["plain_pages"] == 1
    assert figures["missing_glyphs"] == 0
