"""Shared by the import and export edges: canonical addresses, gaps, translation catalogs."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

# Canonical base of what we publish. ``.invalid`` is reserved (RFC 2606): nothing is
# ever fetched from it; an organisation that publishes its own can swap it.
CANONICAL = "https://screening.invalid/fhir"
EXT = f"{CANONICAL}/StructureDefinition"


class GapCode(enum.StrEnum):
    """What kind of thing did not translate: for programs and tests; the message says it
    to people. Both importers use the same codes for the same kind of gap."""

    UNREADABLE = "unreadable"  # not JSON, not an XLSForm pyxform can read, not an object
    INVALID_SOURCE = "invalid-source"  # the source breaks its own standard's rules
    BAD_ID = "bad-id"  # a name or linkId that cannot be one of our ids, or is taken
    DUPLICATE = "duplicate"  # a choice or option listed twice
    NO_TEXT = "no-text"  # a question, group or choice without its text or label
    LANGUAGE = "language"  # a language without a code, or an unknown code
    UNSUPPORTED_TYPE = "unsupported-type"  # a question type we have no equivalent for
    REPEAT = "repeat"  # repeats and loops
    NESTED_GROUP = "nested-group"  # a group inside a group
    OPTION = "option"  # an option or choice we cannot keep as it is
    CHOICE_LIST = "choice-list"  # a choice list or value set that is not there to read
    CONDITION = "condition"  # skip logic (relevant, enableWhen) that is not translated
    REQUIRED = "required"  # a requirement that is not translated
    CONSTRAINT = "constraint"  # a constraint that is not translated
    CALCULATION = "calculation"  # a calculate or calculatedExpression not translated exactly
    UNTRANSLATED = "untranslated"  # a column, key or extension we do not read
    LEFT_OUT = "left-out"  # a note: left out on purpose, nothing asked changes


@dataclass(frozen=True, slots=True)
class Gap:
    """Something in a source form that did not translate exactly.

    ``where`` is ``FILE:SHEET:ROW:COLUMN`` (XLSForm) or ``FILE:JSON-PATH`` (FHIR);
    ``item`` is the id of the item (or section) it belongs to, when there is one, so a
    partial import can mark it in place. A ``note`` is something left out on purpose that
    changes nothing a person is asked (device metadata, appearance hints)."""

    where: str
    code: GapCode
    message: str
    item: str | None = None
    note: bool = False

    def __str__(self) -> str:
        return f"{self.where}: {'note: ' if self.note else ''}{self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "where": self.where,
            "code": self.code.value,
            "message": self.message,
            "item": self.item,
            "note": self.note,
        }


def catalog_path(locales: Path, language: str, instrument_id: str) -> Path:
    return locales / language / "LC_MESSAGES" / f"instrument-{instrument_id}.po"


def read_translations(
    locales: Path | None, instrument_id: str
) -> dict[str, dict[str, tuple[str, str]]]:
    """language -> {msgctxt: (msgid, msgstr)} for every catalog of this instrument under
    ``locales`` (``<lang>/LC_MESSAGES/instrument-<id>.po``). Fuzzy and empty entries
    are left out: an unreviewed translation is not a translation."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    if locales is None or not locales.is_dir():
        return out
    for path in sorted(locales.glob(f"*/LC_MESSAGES/instrument-{instrument_id}.po")):
        language = path.parent.parent.name
        with path.open("rb") as handle:
            catalog = read_po(handle)
        found = {}
        for message in catalog:
            if not message.id or message.fuzzy or not message.context:
                continue
            text = message.string
            if isinstance(text, str) and text and isinstance(message.id, str):
                found[message.context] = (message.id, text)
        if found:
            out[language] = found
    return out


def write_catalog(
    path: Path, language: str, instrument_id: str, messages: Iterable[tuple[str, str, str]]
) -> None:
    """Write one catalog: ``messages`` are (msgctxt, msgid, msgstr)."""
    catalog = Catalog(
        locale=language.replace("-", "_"),
        project=f"instrument-{instrument_id}",
        charset="utf-8",
        fuzzy=False,
    )
    for context, source, translated in messages:
        catalog.add(source, translated, context=context)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


_SLUG = re.compile(r"[^a-z0-9_]+")


def to_id(text: str) -> str | None:
    """A deterministic id from a form's name (lowercase, other characters to ``_``);
    None when nothing usable is left."""
    slug = _SLUG.sub("_", text.strip().lower()).strip("_")
    if not slug:
        return None
    if not slug[0].isalpha():
        slug = f"q_{slug}"
    return slug[:64]


def fhir_id(instrument_id: str) -> str:
    """FHIR ids allow ``A-Za-z0-9-.``: our ``_`` becomes ``-``."""
    return instrument_id.replace("_", "-")


def lookup(table: Mapping[str, str], *keys: str) -> str | None:
    for key in keys:
        if key in table:
            return table[key]
    return None
