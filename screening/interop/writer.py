"""Write an imported instrument: YAML with every gap marked where it belongs, the
translation catalogs next to it, and only when it passes our own validator (or the
person asked for a partial import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from screening.interop.common import Gap, catalog_path, write_catalog
from screening.interop.forms import Imported
from screening.load.loader import check_bytes


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def _marks(gaps: list[Gap], owner: str | None, spaces: int) -> str:
    return "".join(
        " " * spaces + f"# GAP: {g.where}: {g.message}\n" for g in gaps if g.item == owner
    )


def render(result: Imported) -> str:
    """The instrument's YAML text, gaps marked as comments where they belong."""
    gaps = [g for g in result.gaps if not g.note]
    owners = {g.item for g in gaps}
    doc = dict(result.doc)
    sections = doc.pop("sections", [])
    derived = doc.pop("derived", None)  # after the questions it reads
    lines = [
        f"# Imported from {result.source} with `screening import {result.tool}`.",
        "# Review every question before use: add why each is asked, a licence, and who",
        "# shaped it. Nobody has reviewed this import for this project.",
    ]
    placed = {s["id"] for s in sections} | {i["id"] for s in sections for i in s["items"]}
    unplaced = [g for g in gaps if g.item is None or g.item not in placed]
    if gaps:
        lines.append(f"# {len(gaps)} part(s) of the form did not translate; each is marked.")
    out = "\n".join(lines) + "\n" + "".join(f"# GAP: {g.where}: {g.message}\n" for g in unplaced)
    out += "\n" + _dump(doc) + "sections:\n"
    for section in sections:
        body = {k: v for k, v in section.items() if k != "items"}
        out += _marks(gaps, section["id"], 2)
        out += _indent(_dump([body]), 2) + "    items:\n"
        for item in section["items"]:
            out += _marks(gaps, item["id"], 6) if item["id"] in owners else ""
            out += _indent(_dump([item]), 6)
    if derived:
        out += _dump({"derived": derived})
    return out


def locales_for(output: Path) -> Path:
    """``instruments/NAME.yaml`` -> ``locales/`` beside ``instruments/``; any other
    folder gets its own ``locales/``."""
    folder = output.parent
    return (folder.parent if folder.name == "instruments" else folder) / "locales"


def write_import(result: Imported, output: Path, *, partial: bool) -> tuple[int, str, bool]:
    """(exit code, message, whether it wrote). Nothing is written for an incomplete
    import unless ``partial``, nor for one that our validator refuses."""
    missing = sum(1 for g in result.gaps if not g.note)
    if not result.doc:
        return 1, "nothing could be imported; nothing was written", False
    if missing and not partial:
        return (
            1,
            f"{missing} part(s) did not translate exactly; nothing was written "
            "(--partial writes what did, each gap marked)",
            False,
        )
    text = render(result)
    _, problems = check_bytes(text.encode(), str(output))
    errors = [p for p in problems if not p.warning]
    if errors:
        report = "\n".join(str(p) for p in errors)
        if not partial:
            return 1, f"{report}\nthe imported instrument is not valid; nothing was written", False
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    locales = locales_for(output)
    for language, messages in sorted(result.catalogs.items()):
        write_catalog(
            catalog_path(locales, language, result.instrument_id),
            language,
            result.instrument_id,
            messages,
        )
    written = f"wrote {output}" + (
        f" and {len(result.catalogs)} catalog(s) in {locales}" if result.catalogs else ""
    )
    warnings = [str(p) for p in problems if p.warning]
    if errors:
        return 1, f"{report}\n{written}, but it is not valid yet: fix the marked gaps", True
    if missing:
        return 0, f"{written} with {missing} gap(s) marked", True
    return 0, "\n".join([*warnings, written]), True
