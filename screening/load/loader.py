"""Load an instrument: safe YAML with line marks -> JSON Schema -> semantic checks -> model.

Every problem is collected before anything is reported, and each one names the file,
line, column and field. Nothing here lets a traceback reach a person: any bytes at all
give either an :class:`~screening.core.model.Instrument` or an :class:`InstrumentError`.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from screening.core.model import Instrument
from screening.errors import InstrumentError, Path, Problem, format_path
from screening.load import reviews, yamlmarks
from screening.load.semantics import check_and_build

log = logging.getLogger(__name__)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("screening.load").joinpath("instrument.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def check_file(path: str | FsPath) -> tuple[Instrument | None, list[Problem]]:
    """Every problem of one file, errors and warnings; the instrument when it has no
    errors. Never raises for what the file holds."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(yamlmarks.MAX_BYTES + 1)
    except OSError as exc:
        problem = Problem(name, 1, 1, (), "unreadable", f"cannot read the file: {exc.strerror}")
        return None, [problem]
    return check_bytes(raw, name, reviews=reviews.reviews_folder(FsPath(path).parent))


# Checks added after instrument texts were first stored with interviews: a text already
# pinned by an interview (``stored=True``) only warns about these, so it keeps opening.
STORED_RELAXED = frozenset({"person-text"})


def check_bytes(
    raw: bytes,
    name: str = "<instrument>",
    *,
    stored: bool = False,
    reviews: FsPath | None = None,
) -> tuple[Instrument | None, list[Problem]]:
    """``stored``: the exact text an interview pinned earlier (see ``STORED_RELAXED``);
    its review claim was checked when it was pinned. ``reviews``: the folder of signed
    review records beside the file (``screening.load.reviews``): a claim of
    ``reviewed-by-lived-experience`` that no valid record there backs is an error."""
    try:
        doc = yamlmarks.load(raw)
    except yamlmarks.YamlError as exc:
        return None, [Problem(name, exc.line, exc.column, (), exc.code, exc.message)]
    problems = list(schema_problems(doc, name))
    if problems:
        return None, problems
    instrument, problems = check_and_build(doc, name, STORED_RELAXED if stored else frozenset())
    if not stored:
        problems.extend(_review_claim(doc, name, reviews))
    if any(not p.warning for p in problems):
        return None, problems
    return instrument, problems


def _review_claim(doc: yamlmarks.Document, name: str, folder: FsPath | None) -> list[Problem]:
    if not isinstance(doc.data, dict):  # the schema refused it already
        return []
    reason = reviews.claim_problem(doc.data, folder)
    if reason is None:
        return []
    line, column = doc.where(("codesign", "status"))
    return [Problem(name, line, column, ("codesign", "status"), "review-record", reason)]


def load_file(path: str | FsPath) -> Instrument:
    """Load one instrument file; raise :class:`InstrumentError` with every problem."""
    return _or_raise(*check_file(path))


def load_bytes(
    raw: bytes,
    name: str = "<instrument>",
    *,
    stored: bool = False,
    reviews: FsPath | None = None,
) -> Instrument:
    return _or_raise(*check_bytes(raw, name, stored=stored, reviews=reviews))


def _or_raise(instrument: Instrument | None, problems: list[Problem]) -> Instrument:
    if instrument is None:
        raise InstrumentError(problems)
    for warning in problems:
        log.warning("%s", warning)
    return instrument


# --- JSON Schema errors, in words -------------------------------------------------------


def schema_problems(doc: yamlmarks.Document, name: str) -> Iterator[Problem]:
    if not isinstance(doc.data, dict):
        kind = _kind(doc.data, doc, ())
        yield Problem(
            name,
            1,
            1,
            (),
            "not-a-mapping",
            f"an instrument is a YAML mapping of fields (id, version, title, ...), not {kind}",
        )
        return
    seen: set[tuple[Path, str]] = set()
    for error in _validator().iter_errors(doc.data):
        for problem in _explain(error, doc, name):
            key = (problem.path, problem.message)
            if key not in seen:
                seen.add(key)
                yield problem


def _explain(error: ValidationError, doc: yamlmarks.Document, name: str) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    validator = error.validator
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None

    def at(p: Path, message: str, *, key: bool = False, code: str = "schema") -> Problem:
        line, column = doc.where(p, key=key)
        return Problem(name, line, column, p, code, message)

    if validator == "required":
        missing = str(error.message).split("'")[1]
        yield at(
            (*path, missing),
            f"required field is missing{_field_hint(missing, path)}",
            code="missing-field",
        )
    elif validator == "additionalProperties" or error.schema is False:
        yield from _unknown_fields(error, doc, name, path)
    elif validator == "propertyNames" or (validator == "const" and path and path[-1] == "<key>"):
        yield at(path, f"this condition mixes kinds; {hint or _CONDITION_HINT}", code="condition")
    elif validator in ("anyOf", "oneOf"):
        branch = _closest_branch(error, path)
        if branch:
            for sub in branch:
                yield from _explain(sub, doc, name)
        else:
            got = _kind(error.instance, doc, path)
            yield at(path, f"expected {hint or 'a different value'}, got {got}")
    elif validator == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        yield at(
            path,
            f"expected {_article(wanted)}, got {_kind(error.instance, doc, path)}"
            + (f" ({hint})" if hint else ""),
            code="type",
        )
    elif validator == "enum":
        allowed = [str(c) for c in error.validator_value]  # type: ignore[union-attr]
        choices = ", ".join(allowed)
        guess = _guess(error.instance, allowed)
        yield at(
            path,
            f"{_kind(error.instance, doc, path)} is not allowed here; valid: {choices}{guess}",
            code="enum",
        )
    elif validator == "pattern":
        yield at(
            path, f"{error.instance!r} is not {hint or 'in the expected form'}", code="pattern"
        )
    elif validator in ("minItems", "minLength", "minProperties"):
        yield at(
            path,
            "must not be empty"
            if validator != "minProperties"
            else f"is incomplete: {hint or 'more fields are needed'}",
            code="empty",
        )
    elif validator == "maxProperties":
        yield at(path, f"has more than one test; {hint or _CONDITION_HINT}", code="condition")
    elif validator == "uniqueItems":
        yield at(path, "lists the same entry twice", code="duplicate")
    elif validator == "if":
        return
    else:
        yield at(path, f"{error.message}" + (f" ({hint})" if hint else ""))


_CONDITION_HINT = (
    "a condition is one of {all: [...]}, {any: [...]}, {not: ...}, {item: ID, <test>: ...}, "
    "{score: ID, <test>: ...} or {flag: ID}"
)


def _closest_branch(error: ValidationError, path: Path) -> list[ValidationError]:
    """The errors of the anyOf branch the author most likely meant.

    A branch that only says "wrong type" here was not meant; of the rest, the one that
    misses the fewest required fields, then has the fewest errors, wins.
    """
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    meant = [
        errs
        for errs in branches.values()
        if not all(e.validator == "type" and tuple(e.absolute_path) == path for e in errs)
    ]
    if not meant:
        return []

    def rank(errs: list[ValidationError]) -> tuple[int, int]:
        missing = sum(1 for e in errs if e.validator == "required")
        return missing, len(errs)

    return min(meant, key=rank)


def _unknown_fields(
    error: ValidationError, doc: yamlmarks.Document, name: str, path: Path
) -> Iterator[Problem]:
    if error.schema is False:
        # A field that this item type does not take (e.g. options on a number item).
        owner = doc.data
        for part in path:
            owner = owner[part]  # type: ignore[index]
        if not isinstance(owner, dict):
            return
        # jsonschema does not name the property a `false` schema rejected: find it by identity.
        field_name = next((k for k, v in owner.items() if v is error.instance), "?")
        kind = owner.get("type")
        field_path = (*path, field_name)
        line, column = doc.where(field_path, key=True)
        message = f"a {kind} item does not take '{field_name}'"
        yield Problem(name, line, column, field_path, "unknown-field", message)
        return
    allowed = sorted(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
    instance = error.instance if isinstance(error.instance, dict) else {}
    for key in instance:
        if key in allowed:
            continue
        guess = _guess(key, allowed)
        line, column = doc.where((*path, key), key=True)
        yield Problem(
            name,
            line,
            column,
            (*path, key),
            "unknown-field",
            f"unknown field{guess}; valid fields here: {', '.join(allowed)}",
        )


def _field_hint(missing: str, path: Path) -> str:
    hints = {
        "why": " (every item tells the person why we ask it)",
        "unskippable_because": " (an item that cannot be skipped must say why)",
        "options": " (choice items list their options, or name an option set)",
        "codesign": " (say who shaped this instrument and its review status)",
        "changelog": " (list each version's changes)",
    }
    return hints.get(missing, "")


def _guess(value: object, choices: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _article(word: str) -> str:
    names = {
        "string": "text",
        "integer": "whole number",
        "number": "number",
        "object": "mapping",
        "array": "list",
        "boolean": "true or false",
        "string or integer": "text or whole number",
        "string or number": "text or number",
        "number or string": "number or text",
    }
    text = names.get(word, word)
    return text if text.startswith(("text", "true")) else f"a {text}"


def _kind(value: object, doc: yamlmarks.Document, path: Path) -> str:
    if isinstance(value, bool):
        written = doc.booleans.get(path, str(value).lower())
        return (
            f"boolean {written} (YAML reads unquoted yes/no/on/off/true/false as "
            f'booleans: write "{written}" in quotes)'
        )
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return repr(value) if len(value) < 60 else f"text of {len(value):,} characters"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


__all__ = [
    "InstrumentError",
    "Problem",
    "check_bytes",
    "check_file",
    "format_path",
    "load_bytes",
    "load_file",
    "schema",
]
