"""The HSDS 3.0 directory: the demo covers every need, round trips are lossless, bad
files are refused with the place of every problem, and the commands work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from screening.directory import hsds as directory
from tests.support.paths import INSTRUMENTS, ROOT

LANGUAGES = ("en", "fr", "es", "ar", "zh", "pa", "tl", "ti")


def test_demo_covers_every_need_domain_of_the_shipped_instruments() -> None:
    needs = {
        n["id"]
        for path in INSTRUMENTS.glob("*.yaml")
        for n in yaml.safe_load(path.read_text()).get("needs", [])
    }
    services = directory.services(directory.demo())
    met = {n for s in services for n in s.needs}
    assert needs <= met, needs - met


def test_demo_is_fictional_and_varied() -> None:
    services = directory.services(directory.demo())
    assert all(s.fictional and "fictional" in s.name for s in services)
    assert any(s.always_open for s in services)
    assert any(s.no_id for s in services) and any(not s.no_id for s in services)
    assert any(s.free for s in services) and any(not s.free for s in services)
    assert any(s.youth_only for s in services)
    assert any(s.women_only for s in services)
    assert any(s.newcomers for s in services)
    assert any(s.documents for s in services)
    assert any(s.accessibility for s in services)
    assert any(s.coordinates for s in services)
    assert set(LANGUAGES) <= {lang for s in services for lang in s.languages}
    named = {lang for s in services for lang in s.names}
    assert {"ar", "fr", "es", "zh-Hans", "pa", "tl", "ti"} <= named


def test_json_round_trip_is_lossless() -> None:
    first = directory.demo()
    again = directory.read_json(json.loads(json.dumps(directory.to_json(first))), "x.json")
    assert directory.without_modified(again) == directory.without_modified(first)
    assert directory.to_json(again) == directory.to_json(first)


def test_csv_round_trip_is_lossless(tmp_path: Path) -> None:
    first = directory.demo()
    directory.write_csv_package(first, tmp_path / "pkg")
    again = directory.read(tmp_path / "pkg" / "datapackage.json")
    assert directory.without_modified(again) == directory.without_modified(first)
    package = json.loads((tmp_path / "pkg" / "datapackage.json").read_text())
    assert {r["path"] for r in package["resources"]} >= {"services.csv", "attributes.csv"}


def test_csv_errors_name_file_row_and_field(tmp_path: Path) -> None:
    directory.write_csv_package(directory.demo(), tmp_path)
    import csv

    path = tmp_path / "services.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("status")] = "open-ish"
    rows[2][rows[0].index("minimum_age")] = "twelve"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(directory.DirectoryError) as caught:
        directory.read(tmp_path)
    text = str(caught.value)
    assert f"{path}:3:status: 'open-ish' is not one of" in text
    assert f"{path}:3:minimum_age: 'twelve' is not a number" in text


def test_json_errors_are_json_pointers() -> None:
    page = directory.to_json(directory.demo())
    page["contents"][2]["phones"][0].pop("number")
    page["contents"][4]["organization_id"] = "nobody"
    del page["contents"][4]["organization"]
    with pytest.raises(directory.DirectoryError) as caught:
        directory.read_json(page, "d.json")
    text = str(caught.value)
    assert "d.json:/contents/2/phones/0/number: phone needs 'number'" in text
    assert "d.json:/contents/4/organization_id: no organization with id 'nobody'" in text


def test_not_json_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(directory.DirectoryError, match=r"bad.json:1:2: not valid JSON"):
        directory.read(bad)
    with pytest.raises(directory.DirectoryError, match="no such file"):
        directory.read(tmp_path / "absent.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(directory.DirectoryError, match="no HSDS CSV files"):
        directory.read(tmp_path / "empty")


def test_directory_commands(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
        "SCREENING_INSTANCE": str(tmp_path / "instance"),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "screening", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=120,
            check=False,
        )

    exported = run("directory", "export")
    assert exported.returncode == 0, exported.stderr
    page = json.loads(exported.stdout)
    assert page["total_items"] == len(directory.demo()["service"])  # a fresh database: the demo
    page["contents"] = page["contents"][:3]
    small = tmp_path / "small.json"
    small.write_text(json.dumps(page))
    assert run("directory", "validate", str(small)).returncode == 0
    imported = run("directory", "import", str(small))
    assert imported.returncode == 0 and "imported 3 services" in imported.stdout
    assert len(json.loads(run("directory", "export").stdout)["contents"]) == 3
    assert run("directory", "export", "-o", str(tmp_path / "pkg")).returncode == 0
    assert (tmp_path / "pkg" / "services.csv").is_file()
    page["contents"][0]["status"] = "closed?"
    small.write_text(json.dumps(page))
    refused = run("directory", "import", str(small))
    assert refused.returncode == 1 and "/contents/0/status" in refused.stderr
    assert "Traceback" not in refused.stderr
