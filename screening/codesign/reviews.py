"""Review rounds: make the signing key pair, sign a round into a review record, and
say each instrument's honest review status. The record's format and its check live in
:mod:`screening.load.reviews` (the loader needs them); this is the writing side.

A round file (YAML), as the team fills it in after a round (or the studio exports it)::

    instrument: youth-check-in      # a bundled id, or a path to the instrument file
    version: 0.4.0                  # must be the file's current version
    from: "2026-11-02"
    to: "2026-11-27"
    reviewers: {survivor: 3, youth advisory group member: 5}   # self-described roles
    feedback: 41                    # pieces of feedback given in the round
    resolved: 38                    # of them, answered by a change or a reason
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from screening.core.model import Status
from screening.crypto import keyfiles, signing
from screening.load import catalog, reviews, yamlmarks
from screening.load.loader import check_file

ROUND_FIELDS = ("instrument", "version", "from", "to", "reviewers", "feedback", "resolved")


class ReviewError(ValueError):
    """A round, key or record that cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Round:
    instrument: str
    version: str
    start: str
    end: str
    reviewers: Mapping[str, int]
    feedback: int
    resolved: int


def _count(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReviewError(f"{name}: a whole number, 0 or more")
    return value


def _date(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ReviewError(f"{name}: a date YYYY-MM-DD") from None


def parse_round(data: object) -> Round:
    """A round file's data, checked; :class:`ReviewError` names the first bad field."""
    if not isinstance(data, Mapping):
        raise ReviewError("a round file is a YAML mapping of " + ", ".join(ROUND_FIELDS))
    unknown = sorted(set(data) - set(ROUND_FIELDS))
    if unknown:
        raise ReviewError(f"unknown field {unknown[0]}; the fields: {', '.join(ROUND_FIELDS)}")
    for name in ("instrument", "version"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ReviewError(f"{name}: required")
    start, end = _date(data, "from"), _date(data, "to")
    if end < start:
        raise ReviewError("to: the round cannot end before it starts (from)")
    raw = data.get("reviewers")
    if not isinstance(raw, Mapping) or not raw:
        raise ReviewError(
            "reviewers: how many reviewers by self-described role, e.g. {survivor: 3}"
        )
    roles: dict[str, int] = {}
    for role, count in raw.items():
        if not isinstance(role, str) or not role.strip() or len(role) > 100:
            raise ReviewError("reviewers: each role is a short text (at most 100 characters)")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ReviewError(f"reviewers.{role}: a whole number, 1 or more")
        roles[role.strip()] = count
    feedback, resolved = _count(data, "feedback"), _count(data, "resolved")
    if resolved > feedback:
        raise ReviewError("resolved: cannot be more than feedback")
    return Round(data["instrument"], data["version"], start, end, roles, feedback, resolved)


def keygen(private_path: Path, keys_folder: Path) -> tuple[str, Path]:
    """A new key pair: the private key written to ``private_path`` (0600, never over an
    existing file), the public key to ``keys_folder/<fingerprint>.pub`` (to commit).
    Returns (fingerprint, public key path)."""
    if private_path.exists():
        raise ReviewError(f"{private_path} exists; a signing key is never overwritten")
    private_pem, public_pem = signing.new_pair()
    fingerprint = signing.fingerprint(signing.public_key(public_pem))
    keyfiles.write_private(private_path, private_pem)
    keys_folder.mkdir(parents=True, exist_ok=True)
    public_path = keys_folder / f"{fingerprint}.pub"
    public_path.write_text(public_pem, encoding="ascii")
    return fingerprint, public_path


def _private_key(path: Path) -> signing.Ed25519PrivateKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise ReviewError(
            f"cannot read the signing key {path} (SCREENING_REVIEW_KEY; make one with "
            "`screening reviews keygen`)"
        ) from None
    try:
        return signing.private_key(text)
    except signing.SigningKeyError as exc:
        raise ReviewError(f"{path}: {exc}") from None


def instrument_data(path: Path) -> dict[str, Any]:
    """The plain data of a valid instrument file (the claim itself aside: a file may
    already say reviewed while its record is being signed)."""
    _, problems = check_file(path)
    errors = [p for p in problems if not p.warning and p.code != "review-record"]
    if errors:
        raise ReviewError(f"{path} is not a valid instrument: {errors[0]}")
    data = yamlmarks.load(path.read_bytes()).data
    if not isinstance(data, dict):  # check_file refused it already
        raise ReviewError(f"{path} is not a valid instrument")
    return data


def sign(round_: Round, instrument_path: Path, key_path: Path) -> tuple[Path, dict[str, Any]]:
    """Sign ``round_`` of the instrument file into its record beside it
    (``reviews/<id>-<version>.yaml``); the signing key's public half must be committed
    in ``reviews/keys/`` there, or the record would not be valid."""
    data = instrument_data(instrument_path)
    names_file = round_.instrument.endswith((".yaml", ".yml"))
    if round_.instrument != data["id"] and not names_file:
        raise ReviewError(f"instrument: the file is {data['id']!r}, not {round_.instrument!r}")
    if round_.version != data["version"]:
        raise ReviewError(
            f"version: the file is at version {data['version']}, not {round_.version}: a "
            "record covers the version that was reviewed"
        )
    key = _private_key(key_path)
    record: dict[str, Any] = {
        "format": reviews.FORMAT,
        "instrument": data["id"],
        "version": data["version"],
        "content_sha256": reviews.content_hash(data),
        "round": {
            "from": round_.start,
            "to": round_.end,
            "reviewers": dict(round_.reviewers),
            "feedback": round_.feedback,
            "resolved": round_.resolved,
        },
        "key": signing.fingerprint(key.public_key()),
    }
    record["signature"] = signing.sign(key, reviews.signed_bytes(record))
    folder = reviews.reviews_folder(instrument_path.parent)
    if record["key"] not in reviews.public_keys(folder):
        raise ReviewError(
            f"the public key {record['key']} is not in {folder / reviews.KEYS}: copy it there "
            "(and commit it) before signing, so the record can be checked"
        )
    target = reviews.record_path(folder, data["id"], data["version"])
    text = "# Signed review record (screening reviews sign). Do not edit: the signature\n"
    text += "# covers every field.\n"
    text += yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=88)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
    problem = reviews.record_problem(reviews.read_record(target), data, folder)
    if problem:  # never leave a record that does not check
        target.unlink()
        raise ReviewError(f"the record written does not check: {problem}")
    return target, record


@dataclass(frozen=True, slots=True)
class Standing:
    """One instrument's honest review status (what ``reviews status`` prints)."""

    file: str
    instrument: str
    version: str
    claimed: str  # codesign.status as the file says it
    status: str  # what may be shown: the claim when it holds, else draft
    record: str | None  # the record file covering this version, if any
    problem: str | None  # why the record or the claim does not hold
    reviewers: Mapping[str, int] | None = None
    feedback: int | None = None
    resolved: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "instrument": self.instrument,
            "version": self.version,
            "claimed": self.claimed,
            "status": self.status,
            "record": self.record,
            "problem": self.problem,
            "reviewers": dict(self.reviewers) if self.reviewers is not None else None,
            "feedback": self.feedback,
            "resolved": self.resolved,
        }


def standing(path: Path) -> Standing:
    try:
        data = instrument_data(path)
    except ReviewError as exc:
        return Standing(str(path), path.stem, "", "", "invalid", None, str(exc))
    claimed = str(data["codesign"]["status"])
    folder = reviews.reviews_folder(path.parent)
    record_file = reviews.record_path(folder, data["id"], data["version"])
    problem: str | None = None
    round_: Mapping[str, Any] = {}
    if record_file.is_file():
        try:
            record = reviews.read_record(record_file)
            problem = reviews.record_problem(record, data, folder)
            found = record.get("round")
            round_ = found if isinstance(found, Mapping) else {}
        except ValueError as exc:
            problem = str(exc)
    elif claimed == Status.REVIEWED.value:
        problem = reviews.claim_problem(data, folder)
    backed = record_file.is_file() and problem is None
    status = claimed if claimed != Status.REVIEWED.value or backed else Status.DRAFT.value
    return Standing(
        str(path),
        str(data["id"]),
        str(data["version"]),
        claimed,
        status,
        str(record_file) if record_file.is_file() else None,
        problem,
        round_.get("reviewers") if backed else None,
        round_.get("feedback") if backed else None,
        round_.get("resolved") if backed else None,
    )


def standings(folder: Path) -> list[Standing]:
    """Every instrument in ``folder`` (the reviews folder left out), in file order."""
    return [standing(p) for p in catalog.instrument_files([folder])]
