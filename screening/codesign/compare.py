"""The file side of :mod:`screening.codesign.diff`: two instrument files in, their
changes out, with the translations that went stale read from the catalogs. What
``screening diff`` prints, and what a studio service calls."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from screening.codesign.diff import Change, StaleLookup, diff, stale_translations
from screening.errors import InstrumentError
from screening.i18n import catalogs
from screening.i18n.extract import messages
from screening.load import yamlmarks
from screening.load.loader import check_file


def read(path: Path) -> yamlmarks.Document:
    """A valid instrument file's document; :class:`InstrumentError` with its problems
    otherwise. A claim of review without a record does not stop a comparison."""
    _, problems = check_file(path)
    errors = [p for p in problems if not p.warning and p.code != "review-record"]
    if errors:
        raise InstrumentError(errors)
    return yamlmarks.load(path.read_bytes())


def compare(old: Path, new: Path, *, translations: bool = False) -> list[Change]:
    """The changes from ``old`` to ``new``; with ``translations``, also each text whose
    translation in a shipped catalog (``locales/``) is of its old words."""
    before, after = read(old), read(new)
    if not isinstance(before.data, dict) or not isinstance(after.data, dict):
        return []  # read() refused anything else already
    changes = diff(before.data, after.data)
    if translations:
        old_texts = {m.context: m.text for m in messages(before)}
        new_texts = {m.context: m.text for m in messages(after)}
        changes.extend(
            stale_translations(after.data, old_texts, new_texts, _lookup(str(after.data["id"])))
        )
    return changes


def _lookup(instrument_id: str) -> StaleLookup:
    domain = catalogs.instrument_domain(instrument_id)
    translated = _translated(domain, catalogs.locales_dir())

    def stale(context: str, old: str, new: str) -> list[str]:
        return [
            code for code, texts in translated.items() if context in texts and texts[context] != new
        ]

    return stale


@cache
def _translated(domain: str, root: Path) -> Mapping[str, Mapping[str, str]]:
    """language -> context -> the source words its (non-fuzzy) translation is of."""
    out: dict[str, dict[str, str]] = {}
    for code, found, path in catalogs.po_files(root):
        if found != domain:
            continue
        catalog = catalogs.read_catalog(path, code)
        out[code] = {
            str(m.context): str(m.id)
            for m in catalog
            if m.id and m.context and m.string and not m.fuzzy
        }
    return out
