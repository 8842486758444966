"""Babel extraction method for instrument YAML.

Which fields are extracted is read from the instrument schema: every string whose
schema is marked ``"x-translatable": true``. So a field added to the schema is
extracted without a change here (and ``tests/test_i18n_extract.py`` checks it).

Each message has the context ``<instrument id>:<path>``: the dotted path of the field,
with list entries named by their ``id`` (or an option by its ``value``) and items
named on their own, without their section: ``phq9:items.phq9_1.text``,
``phq9:option_sets.frequency.2.label``, ``needs-assessment:sections.safety.title``.
An item's ``why`` is given to translators as a comment on the item's other texts.

Registered in pyproject.toml as the Babel extractor ``screening-instrument``; a
``babel.cfg`` line ``[screening-instrument: instruments/*.yaml]`` uses it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from screening.load import yamlmarks
from screening.load.loader import schema

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """One translatable text of an instrument file."""

    path: JsonPath  # where it is in the YAML data: ("sections", 0, "items", 2, "text")
    pointer: str  # the schema property that marks it: "#/$defs/item/properties/text"
    context: str  # "phq9:items.phq9_1.text"
    text: str
    line: int
    comments: tuple[str, ...] = ()


def messages(doc: yamlmarks.Document) -> list[Message]:
    """Every translatable text of a parsed instrument file, in file order."""
    data = doc.data
    if not isinstance(data, Mapping):
        return []
    ident = str(data.get("id", "instrument"))
    validated = _validated(data)
    found: dict[JsonPath, tuple[str, str]] = {}
    root = schema()
    for path, pointer, text in _walk(data, root, "#", (), root):
        found.setdefault(path, (pointer, text))
    out = []
    for path, (pointer, text) in found.items():
        context = f"{ident}:{context_path(data, path)}"
        comments = _comments(data, path, validated)
        line = doc.where(path)[0]
        out.append(Message(path, pointer, context, text, line, comments))
    out.sort(key=lambda m: (m.line, m.context))
    return out


def extract_instrument(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """The Babel extraction method (``babel.extractors`` entry point)."""
    del keywords, comment_tags, options  # every translatable field is a message
    doc = yamlmarks.load(fileobj.read())
    for message in messages(doc):
        yield message.line, "pgettext", (message.context, message.text), list(message.comments)


def context_path(data: Mapping[str, Any], path: JsonPath) -> str:
    """The dotted name of a data path: list entries by id or value, items section-free."""
    names: list[str] = []
    node: Any = data
    for step in path:
        node = node[step]
        if isinstance(step, int):
            names.append(_entry_name(node, step))
        else:
            names.append(step)
    if "items" in names and names[0] == "sections":
        names = names[names.index("items") :]
    return ".".join(names)


def _entry_name(node: Any, index: int) -> str:
    if isinstance(node, Mapping):
        for key in ("id", "value"):
            value = node.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)
    return str(index)


def _validated(data: Mapping[str, Any]) -> bool:
    codesign = data.get("codesign")
    return isinstance(codesign, Mapping) and codesign.get("status") == "validated"


def _comments(data: Mapping[str, Any], path: JsonPath, validated: bool) -> tuple[str, ...]:
    notes = []
    if validated:
        notes.append(
            "A validated scale: this is our own short label, not the official wording. "
            "Translate it plainly; an official translation comes from the scale's owner."
        )
    item = _enclosing_item(data, path)
    if item is not None and path[-1] != "why" and isinstance(item.get("why"), str):
        notes.append(f"Why we ask (shown with the question): {' '.join(item['why'].split())}")
    return tuple(notes)


def _enclosing_item(data: Mapping[str, Any], path: JsonPath) -> Mapping[str, Any] | None:
    if len(path) < 4 or path[0] != "sections" or path[2] != "items":
        return None
    try:
        item = data["sections"][path[1]]["items"][path[3]]
    except (KeyError, IndexError, TypeError):
        return None
    return item if isinstance(item, Mapping) else None


# -- the schema walk ---------------------------------------------------------------


def _resolve(node: Any, pointer: str, root: Mapping[str, Any]) -> tuple[Any, str]:
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
        pointer = node["$ref"]
        target: Any = root
        for part in pointer.removeprefix("#/").split("/"):
            target = target[part]
        node, seen = target, seen + 1
    return node, pointer


def _walk(
    data: Any, node: Any, pointer: str, path: JsonPath, root: Mapping[str, Any]
) -> Iterator[tuple[JsonPath, str, str]]:
    node, target = _resolve(node, pointer, root)
    if not isinstance(node, Mapping):
        return
    if node.get("x-translatable") and isinstance(data, str):
        yield path, pointer, data
    for branch_key in ("allOf", "anyOf", "oneOf"):
        for index, branch in enumerate(node.get(branch_key, ())):
            if _may_apply(data, branch, root):
                yield from _walk(data, branch, f"{target}/{branch_key}/{index}", path, root)
    for key in ("then", "else"):
        if isinstance(node.get(key), Mapping):
            yield from _walk(data, node[key], f"{target}/{key}", path, root)
    if isinstance(data, Mapping):
        props = node.get("properties", {})
        extra = node.get("additionalProperties")
        for key, value in data.items():
            if key in props:
                yield from _walk(
                    value, props[key], f"{target}/properties/{key}", (*path, key), root
                )
            elif isinstance(extra, Mapping):
                yield from _walk(value, extra, f"{target}/additionalProperties", (*path, key), root)
    elif isinstance(data, list) and isinstance(node.get("items"), Mapping):
        for index, value in enumerate(data):
            yield from _walk(value, node["items"], f"{target}/items", (*path, index), root)


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _may_apply(data: Any, branch: Any, root: Mapping[str, Any]) -> bool:
    """A branch of anyOf/oneOf applies unless its type rules the data out."""
    branch, _ = _resolve(branch, "#", root)
    if not isinstance(branch, Mapping) or "type" not in branch:
        return True
    kinds = branch["type"] if isinstance(branch["type"], list) else [branch["type"]]
    return any(isinstance(data, _TYPES.get(kind, ())) for kind in kinds)
