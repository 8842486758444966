"""The README's examples run as written (issue 15, point 8): its ANSWERS example is
valid for the bundled instruments it names, and its terminal commands work."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _screening(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screening", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip


def test_the_answers_example_is_valid_for_the_instruments_it_names(tmp_path: Path) -> None:
    section = README.split("### ANSWERS", 1)[1]
    command = re.search(r"`screening score ([\w,-]+) ANSWERS`", section)
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert command is not None and block is not None
    answers = tmp_path / "answers.json"
    answers.write_text(block.group(1), encoding="utf-8")
    done = _screening("score", command.group(1), str(answers), "--json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "not shown" not in done.stderr
    result = json.loads(done.stdout)
    assert "no_safe_place_tonight" in result["flags"]
    assert result["scores"]["phq9_total"]["complete"] is False  # skipped and declined


def test_the_terminal_examples_run() -> None:
    found = re.findall(r"`uv run (screening score [^`]+)`", README)
    assert found, "the README shows `uv run screening score ...`"
    for command in found:
        done = _screening(*command.split()[1:])
        assert done.returncode == 0, (command, done.stderr)
    interview = "`uv run screening interview youth-check-in`"
    assert interview in README
    done = _screening("interview", "youth-check-in", stdin="y\nq\n")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "question 1 of about" in done.stdout and "  [1] " in done.stdout
