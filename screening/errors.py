"""Problems found in an instrument, each with a place, a field path and a code.

Tests assert on codes; people read messages. Every message says what would be valid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

Path = tuple[str | int, ...]


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_path(path: Path) -> str:
    """``("sections", 0, "items", 2, "why")`` -> ``sections[0].items[2].why``.

    A key that is not a plain name is quoted as JSON, spaces and colons escaped
    (``options["two\\u0020words"]``), so a key can never break the
    ``FILE:LINE:COL: PATH: MESSAGE`` shape or forge a line."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            quoted = json.dumps(part).replace(" ", "\\u0020").replace(":", "\\u003a")
            out += "[" + quoted + "]"
    return out or "(document)"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    path: Path
    code: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {format_path(self.path)}: {kind}{self.message}"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": format_path(self.path),
            "code": self.code,
            "message": self.message,
            "severity": "warning" if self.warning else "error",
        }


class InstrumentError(Exception):
    """An instrument that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))
        super().__init__("\n".join(str(p) for p in self.problems))
