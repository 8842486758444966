"""Completeness report: per language and catalog, the share translated and reviewed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screening.i18n import catalogs
from screening.i18n.locales import LANGUAGES, SOURCE, autonym


def _share(part: int, total: int) -> float:
    return round(100.0 * part / total, 1) if total else 100.0


def _entry(root: Path, code: str, domain: str) -> dict[str, float]:
    if code == SOURCE:  # the source language is complete and is its own reference
        return {"translated": 100.0, "reviewed": 100.0}
    found = catalogs.stats_in(root, code, domain)
    total = catalogs.template_size(root, domain) or found.total
    return {
        "translated": _share(found.translated, total),
        "reviewed": _share(found.reviewed, total),
    }


def build(root: Path) -> dict[str, Any]:
    """``{"languages": {code: {"ui": {...}, "instruments": {id: {...}}}}}``."""
    domains = catalogs.domains(root)
    instruments = [d.removeprefix("instrument-") for d in domains if d.startswith("instrument-")]
    languages: dict[str, Any] = {}
    for code in LANGUAGES:
        languages[code] = {
            "ui": _entry(root, code, catalogs.UI_DOMAIN),
            "instruments": {
                ident: _entry(root, code, catalogs.instrument_domain(ident))
                for ident in instruments
            },
        }
    return {"languages": languages}


def below(data: dict[str, Any], minimum: float) -> list[tuple[str, str, float]]:
    out = []
    for code, entry in data["languages"].items():
        if entry["ui"]["translated"] < minimum:
            out.append((code, "ui", entry["ui"]["translated"]))
        for ident, numbers in entry["instruments"].items():
            if numbers["translated"] < minimum:
                out.append((code, ident, numbers["translated"]))
    return out


def as_text(data: dict[str, Any]) -> str:
    lines = [f"{'language':<22} {'catalog':<20} {'translated':>10} {'reviewed':>9}"]
    for code, entry in data["languages"].items():
        name = f"{code} {autonym(code)}"
        rows = [("ui", entry["ui"]), *entry["instruments"].items()]
        for catalog, numbers in rows:
            lines.append(
                f"{name:<22} {catalog:<20} {numbers['translated']:>9.1f}% "
                f"{numbers['reviewed']:>8.1f}%"
            )
            name = ""
    lines.append(
        "reviewed: share of messages whose PO entry carries a `# reviewed-by:` comment "
        "from a qualified translator (English is the source)."
    )
    return "\n".join(lines)
