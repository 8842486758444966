"""A public Open Referral HSDS 3.0 sample (tests/fixtures/hsds-openreferral/README.md)
goes through the import: it is read, every field our tables cannot keep is printed, and
export then import gives back the same services, names and phone numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening.cli.main import main
from screening.directory import hsds as directory
from tests.support.paths import ROOT

SAMPLE = ROOT / "tests" / "fixtures" / "hsds-openreferral"
FULL = SAMPLE / "service_full.json"

# What the sample holds that our tables have no place for, or values the schema refuses.
DROPPED = {
    "service.wait_time",
    "service.fees",
    "service.licenses",
    "service.funding",
    "service.program",
    "service.contacts",
    "organization.funding",
    "organization.contacts",
    "organization.locations",
    "organization.programs",
    "organization.organization_identifiers",
    "service_at_location.contacts",
    "location.contacts",
    "location.latitude",  # 100: beyond 90
    "cost_option.currency",  # "gbp": ISO 4217 codes are upper case
}


def _names_and_phones(tables: directory.Tables) -> tuple[set[str], set[str]]:
    return {s["name"] for s in tables["service"]}, {p["number"] for p in tables["phone"]}


def test_the_sample_is_read_with_every_dropped_field_listed() -> None:
    dropped: list[str] = []
    tables = directory.read(FULL, dropped)
    assert {line.split(": ")[1] for line in dropped} == DROPPED
    assert all(line.startswith(f"{FULL}:/") for line in dropped)  # each with its place
    assert _names_and_phones(tables) == ({"Community Counselling"}, {'"+44 1234 234567"'})
    # one phone nested under its service, location, service-at-location and organization
    assert len(tables["phone"]) == 1 and tables["phone"][0]["service_id"]
    (service,) = directory.services(tables)
    assert service.languages == {"ur"} and service.documents
    with pytest.raises(directory.DirectoryError, match="latitude"):
        directory.read(FULL)  # the strict check (validate) still names the bad values
    page = directory.read(SAMPLE / "service_list.json", [])
    assert {s["name"] for s in page["service"]} == {"Community Counselling"}


def test_import_prints_dropped_fields_and_export_import_round_trips(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "SCREENING_INSTANCE": str(tmp_path)}
    runner = CliRunner()
    imported = runner.invoke(main, ["directory", "import", str(FULL)], env=env)
    assert imported.exit_code == 0, imported.output
    assert "imported 1 services" in imported.stdout
    printed = [x for x in imported.stderr.splitlines() if x.startswith("dropped: ")]
    assert {x.split(": ")[2] for x in printed} == DROPPED
    exported = tmp_path / "out.json"
    assert runner.invoke(main, ["directory", "export", "-o", str(exported)], env=env).exit_code == 0
    again = runner.invoke(main, ["directory", "import", str(exported)], env=env)
    assert again.exit_code == 0, again.output
    assert "dropped" not in again.stderr  # what was kept is all ours: nothing more is lost
    second = tmp_path / "again.json"
    assert runner.invoke(main, ["directory", "export", "-o", str(second)], env=env).exit_code == 0
    first, last = directory.read(exported), directory.read(second)
    assert (
        _names_and_phones(first)
        == _names_and_phones(last)
        == _names_and_phones(directory.read(FULL, []))
    )
    assert directory.without_modified(first) == directory.without_modified(last)
    assert json.loads(exported.read_text())["total_items"] == 1
