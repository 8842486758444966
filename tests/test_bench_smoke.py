"""Benchmarks are run by hand, but must not rot: each script starts and shows its help.
(No timing is asserted here: speed targets live in bench/, not in unit tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support.paths import ROOT

SCRIPTS = sorted((ROOT / "bench").glob("bench_*.py"))


def bench(script: str, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Run ``bench/<script>`` with ``args`` from the project root; it must succeed."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def figures(result: subprocess.CompletedProcess[str]) -> Any:
    """The JSON a ``--json`` run prints last."""
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_benchmark_script_starts(script) -> None:  # type: ignore[no-untyped-def]
    result = bench(script.name, "--help", timeout=120)
    assert "usage" in result.stdout.lower()


def test_plan_benchmark_renders_a_three_page_plan() -> None:
    """One small round of bench_plan.py: the plan it times is the three pages the issue
    names, so is the plain document it is compared with, and no glyph is missing (no
    timing is asserted)."""
    found = figures(bench("bench_plan.py", "--rounds", "1", "--services", "50", "--json"))
    assert found["plan_pages"] == 3 and found["plain_pages"] == 1
    assert found["plain3_pages"] == 3  # the baseline the target is against
    assert found["ratio_plan_to_plain3"] > 0
    assert found["missing_glyphs"] == 0


def test_loader_benchmark_times_both_sizes_against_a_bare_parse() -> None:
    """One round of bench_loader.py on two small generated instruments: both load with
    no problem, have the sizes asked for, and every figure the table shows is there (no
    timing is asserted)."""
    result = bench("bench_loader.py", "--sizes", "150", "300", "--rounds", "1", "--json")
    found = figures(result)
    assert [s["items"] for s in found["sizes"].values()] == [150, 300]
    for size in found["sizes"].values():
        assert size["load_median_s"] > 0 and size["yaml_median_s"] > 0
        assert set(size["stages_median_s"]) == {"yaml_marks", "schema", "checks", "reachability"}
    assert found["growth"]["items"] == 2
    assert "target at most x12" in result.stdout
