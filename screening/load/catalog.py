"""Finding instruments and reading answer files (an edge: files)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from screening import config, resources
from screening.core.answers import Answer, AnswerError, parse_answer
from screening.core.model import Instrument
from screening.core.route import Interview, InterviewError
from screening.errors import InstrumentError
from screening.load import reviews, yamlmarks
from screening.load.loader import load_file

INSTRUMENTS_ENV = config.INSTRUMENTS_ENV


def instruments_dir() -> Path:
    """``$SCREENING_INSTRUMENTS``, else the shipped instruments (checkout or wheel)."""
    return resources.instruments()


def instrument_files(paths: list[Path]) -> Iterator[Path]:
    """YAML files named, and those in folders named (sorted, not recursive into dot dirs
    nor into a ``reviews`` folder: its signed review records are no instruments)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and not any(part.startswith(".") for part in p.parts)
                and reviews.FOLDER not in p.relative_to(path).parts[:-1]
            )
        else:
            yield path


def resolve(spec: str, params: Mapping[str, int] | None = None) -> list[Instrument]:
    """``spec`` is a path or an instrument id, or several separated by commas."""
    out = []
    params = dict(params or {})
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            raise InterviewError("usage", f"empty instrument name in {spec!r}")
        path = Path(part)
        if not path.is_file():
            path = _by_id(part)
        instrument = load_file(path)
        own = {p.id: params.pop(p.id) for p in instrument.parameters if p.id in params}
        try:
            out.append(instrument.with_parameters(own))
        except ValueError as exc:
            raise InterviewError("parameter", str(exc)) from None
    if params:
        raise InterviewError(
            "unknown-parameter",
            f"no instrument here has the parameter(s) {', '.join(sorted(params))}",
        )
    return out


def _by_id(ident: str) -> Path:
    folder = instruments_dir()
    for suffix in (".yaml", ".yml"):
        candidate = folder / f"{ident}{suffix}"
        if candidate.is_file():
            return candidate
    known = sorted(p.stem for p in folder.glob("*.y*ml")) if folder.is_dir() else []
    raise InterviewError(
        "unknown-instrument",
        f"no instrument file or id {ident!r}; bundled ids: {', '.join(known) or 'none'}",
    )


def read_answers(path: str) -> dict[str, object]:
    """A JSON or YAML mapping of item id to answer, from a file or ``-`` (stdin)."""
    limit = yamlmarks.MAX_BYTES
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(limit + 1)
    except OSError as exc:
        raise AnswerFileError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > limit:
        raise AnswerFileError(f"{path}: an answers file may be at most {limit:,} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        try:
            data = yamlmarks.load(raw).data
        except yamlmarks.YamlError as exc:
            raise AnswerFileError(f"{path}:{exc.line}:{exc.column}: {exc.message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AnswerFileError(f"{path}: answers are a mapping of item id to answer")
    return data


class AnswerFileError(ValueError):
    pass


def parse_answers(interview: Interview, raw: Mapping[str, object]) -> dict[str, Answer]:
    """Check every answer against its item; all problems are reported together."""
    problems: list[str] = []
    answers: dict[str, Answer] = {}
    for item_id, value in raw.items():
        item = interview.items.get(str(item_id))
        if item is None:
            problems.append(
                f"{item_id}: no such item in {', '.join(i.id for i in interview.instruments)}"
            )
            continue
        try:
            answers[item.id] = parse_answer(item, value)
        except AnswerError as exc:
            problems.append(str(exc))
    if problems:
        raise AnswerFileError("\n".join(problems))
    return answers


__all__ = [
    "AnswerFileError",
    "InstrumentError",
    "instrument_files",
    "instruments_dir",
    "parse_answers",
    "read_answers",
    "resolve",
]
