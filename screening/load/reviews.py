"""Signed review records: the proof behind ``codesign.status: reviewed-by-lived-experience``.

A review round by people with lived experience is recorded in
``<instruments folder>/reviews/<id>-<version>.yaml`` and signed with Ed25519 by the
deployment's private key; the public keys that may sign are committed in
``reviews/keys/*.pub``. The loader refuses the claim unless such a record covers the
file's current version and content (:func:`claim_problem`). The ``reviews`` folder is
never read as instruments (``catalog.instrument_files`` skips it).

A record::

    format: screening-review-record/1
    instrument: youth-check-in
    version: 0.4.0
    content_sha256: <SHA-256 of the instrument's canonical form, see content_hash>
    round:
      from: "2026-11-02"
      to: "2026-11-27"
      reviewers: {survivor: 3, youth advisory group member: 5}
      feedback: 41
      resolved: 38
    key: <fingerprint of the signing key>
    signature: <base64 Ed25519 signature of signed_bytes(record)>
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from screening.core.model import Status
from screening.crypto import signing
from screening.load import yamlmarks

FORMAT = "screening-review-record/1"
FOLDER = "reviews"
KEYS = "keys"
REVIEWED = Status.REVIEWED.value


def reviews_folder(instruments: Path) -> Path:
    return instruments / FOLDER


def record_path(reviews: Path, instrument_id: str, version: str) -> Path:
    return reviews / f"{instrument_id}-{version}.yaml"


def canonical(data: object) -> bytes:
    """One byte string per value: JSON with sorted keys, no spaces, UTF-8."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode("utf-8")


def content_hash(instrument: Mapping[str, Any]) -> str:
    """SHA-256 of an instrument's plain data without its ``codesign`` block, so the
    status can be changed to reviewed after the round without changing what was
    reviewed; any other change (a word, an option, a condition) does."""
    kept = {k: v for k, v in instrument.items() if k != "codesign"}
    return hashlib.sha256(canonical(kept)).hexdigest()


def signed_bytes(record: Mapping[str, Any]) -> bytes:
    """What the signature covers: the whole record but the signature itself."""
    return canonical({k: v for k, v in record.items() if k != "signature"})


def public_keys(reviews: Path) -> dict[str, signing.Ed25519PublicKey]:
    """The committed public keys (``reviews/keys/*.pub``) by fingerprint; a file that
    is not a key is left out."""
    found: dict[str, signing.Ed25519PublicKey] = {}
    folder = reviews / KEYS
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.pub")):
        try:
            key = signing.public_key(path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, signing.SigningKeyError):
            continue
        found[signing.fingerprint(key)] = key
    return found


def read_record(path: Path) -> dict[str, Any]:
    """A record's plain data; ``ValueError`` with the reason when it cannot be read."""
    try:
        raw = path.read_bytes()[: yamlmarks.MAX_BYTES + 1]
    except OSError as exc:
        raise ValueError(f"cannot read {path.name}: {exc.strerror}") from None
    try:
        data = yamlmarks.load(raw).data
    except yamlmarks.YamlError as exc:
        raise ValueError(f"{path.name} is not plain YAML: {exc.message}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a review record (a YAML mapping)")
    return data


def record_problem(
    record: Mapping[str, Any], instrument: Mapping[str, Any], reviews: Path
) -> str | None:
    """Why ``record`` does not cover ``instrument`` (its plain data), or None when it does:
    the right format, instrument id, version and content, signed by a committed key."""
    ident, version = instrument.get("id"), instrument.get("version")
    if record.get("format") != FORMAT:
        return f"the record's format is not {FORMAT}"
    if record.get("instrument") != ident:
        return f"the record is for instrument {record.get('instrument')!r}, not {ident!r}"
    if record.get("version") != version:
        return f"the record is for version {record.get('version')!r}, not the current {version!r}"
    if record.get("content_sha256") != content_hash(instrument):
        return "the instrument changed after the review round was signed (content_sha256 differs)"
    key = public_keys(reviews).get(str(record.get("key")))
    if key is None:
        return f"the record is signed by a key that is not in {FOLDER}/{KEYS}/"
    signature = record.get("signature")
    if not isinstance(signature, str) or not signing.verify(key, signed_bytes(record), signature):
        return "the record's signature does not match its content"
    return None


def claim_problem(instrument: Mapping[str, Any], reviews: Path | None) -> str | None:
    """Why a file's claim ``reviewed-by-lived-experience`` is not backed, or None (also
    when it makes no such claim). ``reviews``: the folder beside the file; None when the
    text has no folder (then no record can back it)."""
    codesign = instrument.get("codesign")
    if not isinstance(codesign, Mapping) or codesign.get("status") != REVIEWED:
        return None
    ident, version = instrument.get("id"), instrument.get("version")
    where = f"{FOLDER}/{ident}-{version}.yaml"
    if reviews is None:
        return f"{REVIEWED} needs a signed review record ({where} beside the file)"
    path = record_path(reviews, str(ident), str(version))
    if not path.is_file():
        return (
            f"{REVIEWED} needs a signed review record of version {version}: no {where}; "
            "say draft until a review round is recorded (screening reviews sign)"
        )
    try:
        record = read_record(path)
    except ValueError as exc:
        return f"{where}: {exc}"
    problem = record_problem(record, instrument, reviews)
    return f"{where}: {problem}" if problem else None


__all__ = [
    "FOLDER",
    "FORMAT",
    "KEYS",
    "canonical",
    "claim_problem",
    "content_hash",
    "public_keys",
    "read_record",
    "record_path",
    "record_problem",
    "reviews_folder",
    "signed_bytes",
]
