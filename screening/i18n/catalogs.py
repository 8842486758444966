"""Catalog files: where they live, how they are made, read and compiled.

Layout: ``locales/<bcp47>/LC_MESSAGES/<domain>.po`` (+ ``.mo``), templates
``locales/<domain>.pot``. Domains: ``messages`` (the UI) and ``instrument-<id>``.

Review marking: a message counts as reviewed only when its PO entry carries the
translator comment ``# reviewed-by: NAME, DATE``, added by the qualified translator who
checked it. Every PO header says so, and says the drafts are not yet reviewed. The
fuzzy flag is never used for this (fuzzy messages are dropped when compiling).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

from screening import config, resources
from screening.i18n.locales import SOURCE, TARGETS, autonym, babel_id, parse_code

log = logging.getLogger(__name__)

LOCALES_ENV: Final = config.LOCALES_ENV
UI_DOMAIN: Final = "messages"
REVIEW_TAG: Final = "reviewed-by:"
PROJECT: Final = "screening"
#: The entry point name of screening.i18n.extract:extract_instrument (pyproject.toml).
EXTRACTOR: Final = "screening-instrument"


def locales_dir() -> Path:
    """``$SCREENING_LOCALES``, else the shipped ``locales/`` (checkout or wheel)."""
    return resources.locales()


def instrument_domain(instrument_id: str) -> str:
    return f"instrument-{instrument_id}"


def po_path(code: str, domain: str, root: Path | None = None) -> Path:
    return (root or locales_dir()) / parse_code(code) / "LC_MESSAGES" / f"{domain}.po"


def pot_path(domain: str, root: Path | None = None) -> Path:
    return (root or locales_dir()) / f"{domain}.pot"


def domains(root: Path | None = None) -> list[str]:
    """Every domain with a template, the UI first."""
    found = sorted(p.stem for p in (root or locales_dir()).glob("*.pot"))
    return sorted(found, key=lambda d: d != UI_DOMAIN)


def header_comment(code: str, domain: str) -> str:
    return (
        f"# {autonym(code)} ({code}) translations of {domain}, {PROJECT}.\n"
        "# NOT YET REVIEWED by a qualified translator: these translations are drafts.\n"
        f"# A message counts as reviewed only when its entry carries the translator\n"
        f"# comment `# {REVIEW_TAG} NAME, YYYY-MM-DD`, added by the qualified translator\n"
        "# who checked it. Never use the fuzzy flag for this: fuzzy entries are dropped\n"
        "# when catalogs compile. See README.md, Translations."
    )


# -- making templates and catalogs ----------------------------------------------------


def extract_instrument(path: Path) -> Catalog:
    """The template (POT) of one instrument file."""
    template = Catalog(project=PROJECT, version="0.1.0", fuzzy=False)
    template.header_comment = f"# Template for translations of {path.name}, {PROJECT}."
    for lineno, message, comments, context in extract_from_file(EXTRACTOR, str(path)):
        template.add(
            message,
            locations=[(path.name, lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=88, sort_output=False, omit_header=False)
    _replace(path, buffer.getvalue())


def read_catalog(path: Path, code: str | None = None) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=babel_id(code) if code else None, abort_invalid=True)


def new_catalog(template: Catalog, code: str, domain: str) -> Catalog:
    """A fresh PO for ``code`` from a template, with the not-reviewed header."""
    catalog = Catalog(
        locale=babel_id(code),
        domain=domain,
        project=PROJECT,
        version="0.1.0",
        language_team=f"{autonym(code)} (not yet reviewed by a qualified translator)",
        fuzzy=False,
    )
    catalog.header_comment = header_comment(code, domain)
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def update_catalog(path: Path, template: Catalog, code: str, domain: str) -> bool:
    """Create or update one PO from its template; True when the file was new."""
    if not path.exists():
        write_catalog(new_catalog(template, code, domain), path)
        return True
    catalog = read_catalog(path, code)
    catalog.update(template, no_fuzzy_matching=True, keep_user_comments=True)
    catalog.obsolete.clear()
    write_catalog(catalog, path)
    return False


def compile_catalog(po: Path) -> tuple[Path, list[str]]:
    """Write ``.mo`` next to ``.po``; returns the path and every problem found (a
    python-format mismatch, a broken placeholder). Fuzzy entries are not compiled."""
    catalog = read_catalog(po, parse_code(po.parent.parent.name))
    problems = [
        f"{po}: {message.id!r}: {error}" for message, errors in catalog.check() for error in errors
    ]
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    mo = po.with_suffix(".mo")
    _replace(mo, buffer.getvalue())
    return mo, problems


def po_files(root: Path | None = None) -> Iterator[tuple[str, str, Path]]:
    """(code, domain, path) of every PO of the shipped target languages."""
    for code in TARGETS:
        folder = (root or locales_dir()) / code / "LC_MESSAGES"
        for po in sorted(folder.glob("*.po")):
            yield code, po.stem, po


def _replace(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# -- reading translations at run time -------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    translations: NullTranslations
    total: int
    translated: int
    reviewed: int


def translations(code: str, domain: str) -> NullTranslations:
    """The compiled catalog for a language and domain; English and a missing file give
    the source texts (callers mark the fallback; see :func:`missing`)."""
    return _load(str(locales_dir()), parse_code(code), domain).translations


def stats(code: str, domain: str) -> Loaded:
    return _load(str(locales_dir()), parse_code(code), domain)


def stats_in(root: Path, code: str, domain: str) -> Loaded:
    """:func:`stats` of the catalogs in another folder (the report's)."""
    return _load(str(root), code, domain)


@cache
def _load(root: str, code: str, domain: str) -> Loaded:
    if code == SOURCE:
        total = template_size(Path(root), domain)
        return Loaded(NullTranslations(), total, total, total)
    po = Path(root) / code / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        return Loaded(NullTranslations(), template_size(Path(root), domain), 0, 0)
    catalog = read_catalog(po, code)
    entries = [m for m in catalog if m.id]
    done = [m for m in entries if _translated(m)]
    reviewed = [m for m in done if is_reviewed(m)]
    if mo.exists():
        with open(mo, "rb") as handle:
            found: NullTranslations = Translations(handle, domain=domain)
    else:  # not compiled yet: compile in memory, so a fresh checkout still works
        log.warning("%s has no compiled .mo; run `screening i18n compile`", po)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        found = Translations(buffer, domain=domain)
    return Loaded(found, len(entries), len(done), len(reviewed))


def template_size(root: Path, domain: str) -> int:
    """How many messages the domain's template (``.pot``) holds; 0 without one."""
    pot = root / f"{domain}.pot"
    if not pot.exists():
        return 0
    with open(pot, "rb") as handle:
        return sum(1 for m in read_po(handle) if m.id)


def _translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def is_reviewed(message: Message) -> bool:
    return any(c.strip().lower().startswith(REVIEW_TAG) for c in message.user_comments)


def clear_cache() -> None:
    _load.cache_clear()
