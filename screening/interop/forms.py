"""What both importers produce: an instrument document, the gaps, the catalogs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from screening.interop.common import Gap, GapCode

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
VALUE_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
Messages = list[tuple[str, str, str]]  # (msgctxt, msgid, msgstr)


@dataclass
class Imported:
    instrument_id: str
    source: str  # the file imported, as given
    tool: str  # "xlsform" | "fhir"
    doc: dict[str, Any] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    catalogs: dict[str, Messages] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not any(not g.note for g in self.gaps)

    def gap(self, where: str, code: GapCode, message: str, item: str | None = None) -> None:
        self.gaps.append(Gap(where, code, message, item))

    def note(self, where: str, message: str, item: str | None = None) -> None:
        self.gaps.append(Gap(where, GapCode.LEFT_OUT, message, item, note=True))


def bcp47(code: str) -> str | None:
    """A BCP 47 tag in its usual case (``zh-hans`` -> ``zh-Hans``) when Babel knows the
    language, else None."""
    parts = code.strip().replace("_", "-").split("-")
    if not parts or not re.fullmatch(r"[A-Za-z]{2,3}", parts[0]):
        return None
    out = [parts[0].lower()]
    for part in parts[1:]:
        if re.fullmatch(r"[A-Za-z]{4}", part):
            out.append(part.title())
        elif re.fullmatch(r"[A-Za-z]{2}|\d{3}", part):
            out.append(part.upper())
        else:
            return None
    try:
        Locale.parse("_".join(out))
    except (UnknownLocaleError, ValueError):
        return None
    return "-".join(out)


def header(
    result: Imported, *, title: str, language: str, version: str | None, today: dt.date
) -> dict[str, Any]:
    """The fields every imported instrument carries: status ``imported``, never a claim
    of review."""
    ours = version if version and SEMVER.match(version) else "0.1.0"
    origin = f" (its version {version})" if version and version != ours else ""
    return {
        "id": result.instrument_id,
        "version": ours,
        "title": title,
        "language": language,
        "audiences": ["worker"],
        "codesign": {
            "status": "imported",
            "method": (
                f"Imported from {result.source}{origin} with `screening import {result.tool}`. "
                "Nobody has reviewed it for this project: not people with lived experience, "
                "not frontline workers."
            ),
        },
        "changelog": [
            {
                "version": ours,
                "date": today.isoformat(),
                "changes": f"Imported from {result.source}{origin}.",
            }
        ],
    }
