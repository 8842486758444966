"""`screening lint`: the shipped instruments are clean; a planted instrument with one
fault per code is named code by code, with FILE:LINE:COL; usage errors exit 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from screening.errors import Code
from tests.support.paths import INSTRUMENTS, ROOT

Run = Callable[..., subprocess.CompletedProcess[str]]

PLANTED = ROOT / "tests" / "fixtures" / "lint" / "planted.yaml"
LINT_CODES = {
    Code.PERSON_VOICE,
    Code.READING_LEVEL,
    Code.WARNING_MISSING,
    Code.PRINT_RULE,
    Code.AUDIENCE_PROMISE,
    Code.JUDGMENTAL_WORD,
    Code.DIAGNOSIS_WORD,
}


def planted_places() -> dict[str, tuple[int, int]]:
    """code -> (line, column) of the fault marked on the planted file: the column of the
    value after the key (or of the key ``sensitive`` itself, which is the fault)."""
    places = {}
    for number, line in enumerate(PLANTED.read_text(encoding="utf-8").splitlines(), start=1):
        marked = re.search(r"# fault: ([a-z-]+)$", line)
        if marked:
            key = re.match(r"^(\s*(?:- )?)(\w+):\s*", line)
            assert key is not None, line
            column = len(key.group(1)) + 1 if key.group(2) == "sensitive" else key.end() + 1
            places[marked.group(1)] = (number, column)
    return places


def test_the_shipped_instruments_have_no_findings(cli: Run) -> None:
    result = cli("lint", "instruments/")
    assert result.returncode == 0, result.stderr
    assert "6 instrument file(s): no findings" in result.stdout
    assert result.stderr == ""


def test_without_a_path_the_bundled_instruments_are_linted(cli: Run) -> None:
    result = cli("lint", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout) == {"findings": []}


def test_a_planted_fault_of_each_code_is_named_with_its_place(cli: Run) -> None:
    places = planted_places()
    assert set(places) == {c.value for c in LINT_CODES}  # the fixture plants every code
    result = cli("lint", PLANTED)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    found = {}
    for line in result.stderr.splitlines():
        match = re.match(rf"^{re.escape(str(PLANTED))}:(\d+):(\d+): ([a-z-]+): (.+)$", line)
        assert match, line
        code = match.group(3)
        assert code not in found, f"{code} reported twice: one fault each was planted"
        found[code] = (int(match.group(1)), int(match.group(2)))
    assert found == places


def test_the_json_shape(cli: Run) -> None:
    result = cli("lint", PLANTED, "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert set(data) == {"findings"}
    assert len(data["findings"]) == len(LINT_CODES)
    for finding in data["findings"]:
        assert set(finding) == {"file", "line", "column", "path", "code", "message"}
        assert finding["file"] == str(PLANTED) and finding["message"]
    paths = {f["code"]: f["path"] for f in data["findings"]}
    assert paths["print-rule"] == "sections[1].items[0].id"
    assert paths["person-voice"] == "flags[0].person"


def test_usage_errors_exit_2(cli: Run, tmp_path: Path) -> None:
    missing = cli("lint", tmp_path / "nope.yaml")
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr
    assert cli("lint", "--jsn", "instruments/").returncode == 2
    empty = cli("lint", tmp_path)
    assert empty.returncode == 2 and "no instrument files" in empty.stderr
    for result in (missing, empty):
        assert "Traceback" not in result.stderr


def test_an_invalid_instrument_reports_its_validation_errors(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "broken.yaml"
    text = (INSTRUMENTS / "gad7.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace("type: single", "type: singel", 1), encoding="utf-8")
    shutil.copy(INSTRUMENTS / "phq9.yaml", tmp_path / "phq9.yaml")
    result = cli("lint", tmp_path, "--json")
    assert result.returncode == 1
    findings = json.loads(result.stdout)["findings"]
    assert findings and all(f["file"] == str(target) for f in findings)
    assert all(f["code"] not in {c.value for c in LINT_CODES} for f in findings)
