"""Provenance by construction: `screening validate` refuses
`codesign.status: reviewed-by-lived-experience` unless a signed review record in
`reviews/` beside the file covers its current version and content; every key pair and
record here is made in a temporary folder (no shipped instrument has been reviewed)."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from screening.cli.main import main
from screening.codesign import reviews
from screening.load import catalog
from screening.load.loader import check_file
from screening.services.interviews import instruments_for
from tests.support.paths import INSTRUMENTS

Run = Callable[..., subprocess.CompletedProcess[str]]
REVIEWED = "reviewed-by-lived-experience"
ROUND = {
    "instrument": "instruments/youth-check-in.yaml",  # beside the round file
    "version": "0.3.0",
    "from": "2026-11-02",
    "to": "2026-11-27",
    "reviewers": {"survivor": 3, "youth advisory group member": 5},
    "feedback": 41,
    "resolved": 38,
}


def invoke(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def claiming(folder: Path, name: str = "youth-check-in") -> Path:
    """A copy of a shipped instrument whose status says it was reviewed."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.yaml"
    text = (INSTRUMENTS / f"{name}.yaml").read_text(encoding="utf-8")
    assert "\n  status: draft\n" in text
    target.write_text(text.replace("\n  status: draft\n", f"\n  status: {REVIEWED}\n"))
    return target


def signed(tmp_path: Path, round_: dict[str, object] = ROUND) -> tuple[Path, Path]:
    """The claiming copy, a key pair (public half committed beside it) and a signed
    record of ``round_``: (instrument file, private key)."""
    path = claiming(tmp_path / "instruments")
    key = tmp_path / "secret" / "review.key"
    code, out = invoke(
        "reviews", "keygen", "--key", key, "--keys", path.parent / "reviews" / "keys"
    )
    assert code == 0, out
    round_file = tmp_path / "round.yaml"
    round_file.write_text(yaml.safe_dump(round_))
    code, out = invoke("reviews", "sign", round_file, "--key", key)
    assert code == 0, out
    return path, key


def record_of(path: Path) -> Path:
    return path.parent / "reviews" / "youth-check-in-0.3.0.yaml"


def test_no_shipped_instrument_claims_a_review() -> None:
    for path in sorted(INSTRUMENTS.glob("*.yaml")):
        assert f"status: {REVIEWED}" not in path.read_text(encoding="utf-8"), path
    assert not (INSTRUMENTS / "reviews").exists() or not list(
        (INSTRUMENTS / "reviews").glob("*.yaml")
    )


def test_a_claim_without_a_record_names_the_field(cli: Run, tmp_path: Path) -> None:
    path = claiming(tmp_path)
    result = cli("validate", path)
    assert result.returncode == 1
    assert f"{path}:47:11: codesign.status: {REVIEWED} needs a signed review record" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_valid_record_passes_and_a_wrong_one_does_not(cli: Run, tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    assert cli("validate", path).returncode == 0  # the real command, once
    assert invoke("validate", path.parent)[0] == 0  # the folder: reviews/ is no instrument

    record = record_of(path)
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace("resolved: 38", "resolved: 41"))  # signature no longer fits
    code, out = invoke("validate", path)
    assert code == 1
    assert "codesign.status" in out and "signature does not match" in out

    record.write_text(good.replace("version: 0.3.0", "version: 0.2.0"))  # another version
    code, out = invoke("validate", path)
    assert code == 1 and "not the current '0.3.0'" in out
    record.write_text(good)
    assert invoke("validate", path)[0] == 0


def test_a_new_version_needs_its_own_record(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    text = path.read_text(encoding="utf-8").replace("version: 0.3.0", "version: 0.4.0", 1)
    text = text.replace(
        "changelog:\n", 'changelog:\n  - {version: 0.4.0, date: "2026-12-04", changes: New.}\n'
    )
    path.write_text(text)
    codes = [p.code for p in check_file(path)[1] if not p.warning]
    assert codes == ["review-record"]


def test_words_changed_after_signing_or_an_unknown_key_fail(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    assert [p for p in check_file(path)[1] if not p.warning] == []
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Do you feel safe right now?", "Do you feel okay now?"))
    (problem,) = [p for p in check_file(path)[1] if not p.warning]
    assert problem.path == ("codesign", "status") and "changed after" in problem.message
    path.write_text(
        original.replace(
            "  status: " + REVIEWED, "  status: " + REVIEWED + '\n  reviewed: "2026-11-28"'
        )
    )
    assert [p for p in check_file(path)[1] if not p.warning] == []  # codesign may change
    path.write_text(original)
    for key in (path.parent / "reviews" / "keys").glob("*.pub"):
        key.unlink()
    (problem,) = [p for p in check_file(path)[1] if not p.warning]
    assert "not in reviews/keys/" in problem.message


def test_validated_scales_are_not_affected(tmp_path: Path) -> None:
    shutil.copy(INSTRUMENTS / "phq9.yaml", tmp_path / "phq9.yaml")
    assert invoke("validate", tmp_path / "phq9.yaml")[0] == 0


def test_status_is_honest(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    claiming(path.parent, "needs-assessment")  # claims, and has no record
    shutil.copy(INSTRUMENTS / "phq9.yaml", path.parent / "phq9.yaml")
    rows = {r.instrument: r for r in reviews.standings(path.parent)}
    assert set(rows) == {"youth-check-in", "needs-assessment", "phq9"}
    assert rows["youth-check-in"].status == REVIEWED
    assert rows["youth-check-in"].reviewers == {"survivor": 3, "youth advisory group member": 5}
    assert (rows["youth-check-in"].feedback, rows["youth-check-in"].resolved) == (41, 38)
    assert (rows["needs-assessment"].claimed, rows["needs-assessment"].status) == (
        REVIEWED,
        "draft",
    )
    assert rows["phq9"].status == "validated"
    code, out = invoke("reviews", "status", path.parent)
    assert code == 1
    assert "needs-assessment       0.3.0    draft (the file says reviewed" in out
    assert "3 survivor, 5 youth advisory group member; feedback 41, resolved 38" in out
    code, out = invoke("reviews", "status")
    assert code == 0 and "youth-check-in         0.3.0    draft; no review record" in out


def test_the_picker_never_offers_an_unbacked_claim(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    claiming(path.parent, "needs-assessment")
    offered = {i.id: i.codesign.status.value for i in instruments_for("worker", path.parent)}
    assert offered == {"youth-check-in": REVIEWED}


def test_reviews_folder_is_no_instrument(tmp_path: Path) -> None:
    path, _ = signed(tmp_path)
    assert list(catalog.instrument_files([path.parent])) == [path]
    code, out = invoke("lint", path.parent)
    assert code == 0, out


def test_keys_and_rounds_are_checked(tmp_path: Path) -> None:
    path, key = signed(tmp_path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    code, out = invoke("reviews", "keygen", "--key", key, "--keys", tmp_path / "k")
    assert code == 1 and "never overwritten" in out
    for bad, says in [
        ({**ROUND, "version": "0.2.0"}, "version: the file is at version 0.3.0"),
        ({**ROUND, "resolved": 50}, "resolved: cannot be more than feedback"),
        ({**ROUND, "reviewers": {}}, "reviewers:"),
        ({**ROUND, "to": "2026-10-01"}, "to: the round cannot end before it starts"),
        ({**ROUND, "name": "x"}, "unknown field name"),
    ]:
        round_file = tmp_path / "bad.yaml"
        round_file.write_text(yaml.safe_dump(bad))
        code, out = invoke("reviews", "sign", round_file, "--key", key)
        assert code == 1 and says in out, (bad, out)
    with pytest.raises(reviews.ReviewError, match="cannot read the signing key"):
        reviews.sign(reviews.parse_round(ROUND), path, tmp_path / "missing.key")


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ("[1, 2]", "is not a review record"),
        ("key: [unclosed", "is not plain YAML"),
        ("format: other/1\n", "format is not"),
        ("!!python/object:os.system {}", "is not plain YAML"),
    ],
)
def test_a_broken_record_is_a_clear_problem(tmp_path: Path, record: str, says: str) -> None:
    path, _ = signed(tmp_path)
    record_of(path).write_text(record)
    (problem,) = [p for p in check_file(path)[1] if not p.warning]
    assert problem.code == "review-record" and says in problem.message
    (path.parent / "reviews" / "keys" / "junk.pub").write_text("not a key")
    code, out = invoke("reviews", "status", path.parent, "--json")
    assert code == 1 and '"status": "draft"' in out
