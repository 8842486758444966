"""`screening compile`: the compiled JSON form the browser engine reads (issue 19)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from screening.core.compiled import compile_instrument
from screening.load import catalog
from screening.services.interviews import for_mode

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_compile_prints_the_compiled_form(cli: Run, tmp_path: Path) -> None:
    one = cli("compile", "phq9")
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout) == compile_instrument(catalog.resolve("phq9")[0])
    # private mode keeps only the items a private check-in asks, as the server does
    private = json.loads(cli("compile", "youth-check-in", "--mode", "private").stdout)
    expected = for_mode(catalog.resolve("youth-check-in"), "private")[0]
    assert private == compile_instrument(expected)
    assert private != compile_instrument(catalog.resolve("youth-check-in")[0])
    # several: a list in the interview's order, here written to a file
    written = cli("compile", "phq9,gad7", "-o", str(tmp_path / "both.json"))
    assert written.returncode == 0 and "written" in written.stdout
    both = json.loads((tmp_path / "both.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in both] == ["phq9", "gad7"]


def test_compile_an_unknown_instrument_is_exit_1(cli: Run) -> None:
    result = cli("compile", "nope")
    assert result.returncode == 1 and "no instrument" in result.stderr
    assert "Traceback" not in result.stderr
