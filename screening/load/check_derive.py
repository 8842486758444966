"""Ask once, checked across files: each ``derive`` map against the items of the other
instruments that carry its ``from_concept``.

A map lives on the derived item; its source lives in another file. So these checks run
over a set of files (those named to ``screening validate`` and the other instruments of
their folders): every option of every source has a row, every row names an option of
some source, and a concept nobody carries is a warning (the item is then always asked).
The same coverage is checked again when an interview puts instruments together
(:func:`screening.core.route.check_map`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path as FsPath

from screening.core.model import Derivation, Instrument, Item
from screening.core.route import InterviewError, check_map
from screening.errors import Path, Problem
from screening.load import yamlmarks
from screening.load.loader import check_bytes
from screening.load.reviews import reviews_folder

Loaded = tuple[Instrument, yamlmarks.Document, str]


def derivation_problems(paths: Iterable[FsPath]) -> list[Problem]:
    """Problems of the derive maps in ``paths``; their folders' instruments are sources."""
    targets = [p for p in paths if p.is_file()]
    pool: dict[FsPath, Loaded] = {}
    for path in [*targets, *_siblings(targets)]:
        key = path.resolve()
        if key not in pool and (loaded := _load(path)) is not None:
            pool[key] = loaded
    problems: list[Problem] = []
    for path in targets:
        loaded = pool.get(path.resolve())
        if loaded is not None:
            others = [o for k, o in pool.items() if o[0].id != loaded[0].id]
            problems.extend(_check(loaded, others))
    return problems


def _siblings(paths: list[FsPath]) -> Iterator[FsPath]:
    for folder in sorted({p.parent for p in paths}):
        yield from sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def _load(path: FsPath) -> Loaded | None:
    try:
        raw = path.read_bytes()
        doc = yamlmarks.load(raw)
    except (OSError, yamlmarks.YamlError):
        return None
    instrument, _ = check_bytes(raw, str(path), reviews=reviews_folder(path.parent))
    return None if instrument is None else (instrument, doc, str(path))


def _check(target: Loaded, others: list[Loaded]) -> Iterator[Problem]:
    instrument, doc, name = target
    for s, section in enumerate(instrument.sections):
        for i, item in enumerate(section.items):
            if item.derive is not None:
                path: Path = ("sections", s, "items", i, "derive")
                yield from _check_item(item, item.derive, path, doc, name, others)


def _check_item(
    item: Item,
    derive: Derivation,
    path: Path,
    doc: yamlmarks.Document,
    name: str,
    others: list[Loaded],
) -> Iterator[Problem]:
    def problem(
        at: Path, code: str, message: str, *, warning: bool = False, key: bool = False
    ) -> Problem:
        line, column = doc.where(at, key=key)
        return Problem(name, line, column, at, code, message, warning)

    sources = [
        (source, section, file)
        for other, _, file in others
        for section in other.sections
        for source in section.items
        if source.concept == derive.from_concept
    ]
    if not sources:
        yield problem(
            (*path, "from_concept"),
            "derive-source",
            f"no other instrument here carries the concept {derive.from_concept!r}: "
            f"{item.id!r} is always asked",
            warning=True,
        )
        return
    for source, section, file in sources:
        try:
            check_map(item, derive, source, section)
        except InterviewError as exc:
            yield problem((*path, "map"), "derive-map", f"{exc.message} (in {file})", key=True)
    known = {(type(v), v) for source, _, _ in sources for v in source.values}
    rows = doc.data["sections"][path[1]]["items"][path[3]]["derive"]["map"]  # type: ignore[index]
    for r, row in enumerate(rows):
        values = row["from"] if isinstance(row["from"], list) else [row["from"]]
        for value in values:
            if (type(value), value) not in known:
                names = ", ".join(sorted({s.id for s, _, _ in sources}))
                yield problem(
                    (*path, "map", r, "from"),
                    "derive-value",
                    f"{value!r} is not an option of {names} (concept "
                    f"{derive.from_concept!r}); a row maps a real option of the source",
                )
