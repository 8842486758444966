"""Safe YAML reading that remembers where every value stood.

PyYAML composes the node graph (with libyaml when present); we turn it into plain
Python values ourselves so that we can: keep the line and column of every value and
key, refuse every tag but plain YAML's, refuse duplicate keys, and bound the work an
alias bomb or deep nesting can cause. Timestamps stay the strings they were written as.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

import yaml

Path = tuple[str | int, ...]

MAX_BYTES: Final = 4 * 1024 * 1024
MAX_NODES: Final = 200_000
MAX_DEPTH: Final = 64
MAX_INT: Final = 10**15

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS: Final = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"
_MAP: Final = "tag:yaml.org,2002:map"
_SEQ: Final = "tag:yaml.org,2002:seq"
_MERGE: Final = "tag:yaml.org,2002:merge"


class YamlError(Exception):
    """A file that is not plain, safe YAML. Lines and columns count from 1."""

    def __init__(self, message: str, line: int = 1, column: int = 1, code: str = "yaml") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


@dataclass
class Document:
    """Plain data plus where each part of it was written."""

    data: object
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    booleans: dict[Path, str] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of a path, or of its nearest written ancestor."""
        probe = path
        while True:
            if key and probe in self.key_marks:
                return self.key_marks[probe]
            if probe in self.marks:
                return self.marks[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]


def decode(raw: bytes) -> str:
    """Bytes to text, or a YamlError that says where the text stops being UTF-8."""
    if len(raw) > MAX_BYTES:
        raise YamlError(
            f"the file is {len(raw):,} bytes; an instrument may be at most {MAX_BYTES:,} bytes",
            code="too-large",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw[: exc.start].decode("utf-8", "replace"))
        raise YamlError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            line,
            column,
            code="encoding",
        ) from None
    bad = next((i for i, ch in enumerate(text) if ch == "\x00"), None)
    if bad is not None:
        line, column = _position(text[:bad])
        raise YamlError(
            "the file contains a NUL byte: is it a binary file?", line, column, code="encoding"
        )
    return text


def _position(prefix: str) -> tuple[int, int]:
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


def load(raw: bytes) -> Document:
    """Parse one YAML document from bytes into a :class:`Document`."""
    text = decode(raw)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "not valid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        raise YamlError(
            f"YAML syntax: {problem}{context}", line, column, code="yaml-syntax"
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text[: exc.position])
        raise YamlError(
            f"the file contains the character U+{exc.character:04X}, which YAML does not "
            "allow (a control character?)"
            if isinstance(exc.character, int)
            else "the file contains a character YAML does not allow",
            line,
            column,
            code="encoding",
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise YamlError(f"YAML syntax: {message}", code="yaml-syntax") from None
    except RecursionError:
        raise YamlError("the YAML is nested too deeply", code="too-deep") from None
    if node is None:
        raise YamlError("the file is empty: an instrument is a YAML mapping", code="empty")
    doc = Document(data=None)
    builder = _Builder(doc)
    doc.data = builder.build(node, (), 0)
    return doc


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path, depth: int) -> object:
        self.nodes += 1
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if self.nodes > MAX_NODES:
            raise YamlError(
                f"the document expands to more than {MAX_NODES:,} values "
                "(aliases repeated many times?); write it out plainly",
                line,
                column,
                code="too-large",
            )
        if depth > MAX_DEPTH:
            raise YamlError(
                f"values are nested more than {MAX_DEPTH} deep", line, column, code="too-deep"
            )
        self.doc.marks.setdefault(path, (line, column))
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
            return str(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
            try:
                value = self.constructor.construct_object(node)
            except (ValueError, KeyError, IndexError, TypeError, OverflowError):
                raise YamlError(
                    f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}: quote it "
                    "if it is text",
                    line,
                    column,
                    code="yaml-value",
                ) from None
            if isinstance(value, float) and not math.isfinite(value):
                raise YamlError(
                    f"{node.value!r}: only finite numbers are allowed",
                    line,
                    column,
                    code="yaml-value",
                )
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and (abs(value) > MAX_INT)
            ):
                raise YamlError(
                    f"the number is too large (at most {MAX_INT:,} either way)",
                    line,
                    column,
                    code="yaml-value",
                )
            if isinstance(value, bool):
                self.doc.booleans[path] = str(node.value)
            return value
        raise YamlError(
            f"the tag {node.tag!r} is not allowed: instruments are plain YAML "
            "(text, numbers, true/false, lists and mappings)",
            line,
            column,
            code="yaml-tag",
        )

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == _MERGE:
                raise YamlError(
                    "merge keys (<<) are not supported: write the fields out",
                    line,
                    column,
                    code="yaml-tag",
                )
            key = self.build(key_node, (*path, "<key>"), depth + 1)
            if not isinstance(key, str):
                hint = ""
                if isinstance(key, bool):
                    hint = " (YAML reads unquoted yes/no/on/off as true/false: quote the key)"
                raise YamlError(
                    f"a key must be text, got {key!r}{hint}", line, column, code="yaml-key"
                )
            if key in first_seen:
                raise YamlError(
                    f"duplicate key {key!r} (first written on line {first_seen[key]})",
                    line,
                    column,
                    code="duplicate-key",
                )
            first_seen[key] = line
            self.doc.key_marks[(*path, key)] = (line, column)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        self.doc.marks.pop((*path, "<key>"), None)
        return result
