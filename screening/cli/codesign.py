"""``screening diff`` and ``screening reviews``: what changed between two versions of
an instrument, and the signed records of review rounds (screening.codesign).
Registered in cli/main.py. Exit codes: 0 done; 1 invalid input (an invalid
instrument, a bad round file or key, a claim no record backs); 2 a usage error."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click

from screening import config
from screening.codesign import reviews
from screening.codesign.compare import compare
from screening.codesign.diff import as_json
from screening.errors import InstrumentError
from screening.load import catalog, yamlmarks
from screening.load.reviews import KEYS, reviews_folder


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _instrument_path(spec: str, base: Path | None = None) -> Path:
    """A file path (relative to ``base`` if given and found there) or a bundled id."""
    for candidate in ((base / spec) if base else None, Path(spec)):
        if candidate is not None and candidate.is_file():
            return candidate
    path = catalog.instruments_dir() / f"{spec}.yaml"
    if not path.is_file():
        _fail(f"error: no instrument file or bundled id {spec!r}")
    return path


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "json_out", is_flag=True, help='Print {"changes": [...]} as JSON.')
@click.option(
    "--translations",
    is_flag=True,
    help="Also name the texts whose translations in locales/ are of the old words.",
)
def diff_command(old: str, new: str, json_out: bool, translations: bool) -> None:
    """What changed from OLD to NEW (files or bundled ids), item by item: added,
    removed, moved, reworded (words marked [-out-] {+in+}), options, conditions,
    scoring, and with --translations the translations gone stale."""
    try:
        changes = compare(_instrument_path(old), _instrument_path(new), translations=translations)
    except InstrumentError as exc:
        _fail(str(exc))
    if json_out:
        click.echo(json.dumps(as_json(changes), indent=2, ensure_ascii=False))
        return
    for change in changes:
        click.echo(str(change))
    if not changes:
        click.echo("no changes")


@click.group("reviews")
def reviews_group() -> None:
    """Signed records of review rounds by people with lived experience."""


@reviews_group.command("keygen")
@click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the private key (default: SCREENING_REVIEW_KEY).",
)
@click.option(
    "--keys",
    "keys_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the public key (default: <instruments>/reviews/keys/).",
)
def keygen(key_path: Path | None, keys_folder: Path | None) -> None:
    """Make the deployment's signing key pair: the private key stays in its 0600 file
    (never commit it), the public key is written to commit."""
    key_path = key_path or config.review_key()
    keys_folder = keys_folder or reviews_folder(catalog.instruments_dir()) / KEYS
    try:
        fingerprint, public = reviews.keygen(key_path, keys_folder)
    except reviews.ReviewError as exc:
        _fail(f"error: {exc}")
    click.echo(f"private key: {key_path} (keep it secret, never commit it)")
    click.echo(f"public key {fingerprint}: {public} (commit it)")


@reviews_group.command("sign")
@click.argument("round_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The private key (default: SCREENING_REVIEW_KEY).",
)
def sign(round_file: Path, key_path: Path | None) -> None:
    """Sign a review round (ROUND_FILE, YAML) into instruments/reviews/<id>-<version>.yaml
    beside the instrument it names."""
    try:
        data = yamlmarks.load(round_file.read_bytes()[: yamlmarks.MAX_BYTES + 1]).data
        round_ = reviews.parse_round(data)
        path = _instrument_path(round_.instrument, round_file.parent)
        target, _ = reviews.sign(round_, path, key_path or config.review_key())
    except yamlmarks.YamlError as exc:
        _fail(f"{round_file}:{exc.line}:{exc.column}: {exc.message}")
    except reviews.ReviewError as exc:
        _fail(f"{round_file}: {exc}")
    click.echo(f"signed: {target}")


@reviews_group.command("status")
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--json", "json_out", is_flag=True, help='Print {"instruments": [...]} as JSON.')
def status(folder: Path | None, json_out: bool) -> None:
    """Each instrument's honest review status and the record behind it (default: the
    bundled instruments). Exit 1 when a file claims a review no valid record backs."""
    rows = reviews.standings(folder or catalog.instruments_dir())
    if json_out:
        click.echo(json.dumps({"instruments": [r.to_json() for r in rows]}, indent=2))
    else:
        for row in rows:
            click.echo(_line(row))
    if any(r.claimed != r.status for r in rows):
        sys.exit(1)


def _line(row: reviews.Standing) -> str:
    head = f"{row.instrument:<22} {row.version:<8} {row.status}"
    if row.claimed and row.claimed != row.status:
        head += f" (the file says {row.claimed})"
    if row.record and row.problem is None:
        roles = ", ".join(f"{n} {role}" for role, n in (row.reviewers or {}).items())
        head += f"; record {row.record}: {roles}; feedback {row.feedback}, resolved {row.resolved}"
    elif row.problem:
        head += f"; {row.problem}"
    else:
        head += "; no review record"
    return head
