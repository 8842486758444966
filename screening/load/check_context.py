"""Shared by the semantic checks: where problems are collected, and small helpers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.core.derived import DerivedValue
from screening.core.model import Code
from screening.errors import Path, Problem
from screening.load.yamlmarks import Document

Raw = dict[str, Any]


@dataclass
class Ctx:
    """Collects problems and the ids seen so far while an instrument is checked."""

    doc: Document
    name: str
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, Path] = field(default_factory=dict)
    declared: dict[str, set[str]] = field(default_factory=dict)  # kind -> every id written
    private: bool = False  # the audiences include private: the person reads results alone
    # Codes reported as warnings only: a stored instrument text keeps opening under checks
    # added after it was written (see loader.STORED_RELAXED).
    relaxed: frozenset[str] = frozenset()
    seen: set[Problem] = field(default_factory=set)  # the problems, to find a repeat at once
    # Derived values, once built (check_derived); until then tests of them wait in
    # ``deferred`` as (path, raw test, ids of the items before it, show_if or not).
    derived: dict[str, DerivedValue] | None = None
    deferred: list[tuple[Path, Raw, frozenset[str], bool]] = field(default_factory=list)

    def error(
        self, path: Path, code: str, message: str, *, key: bool = False, warning: bool = False
    ) -> None:
        warning = warning or code in self.relaxed
        line, column = self.doc.where(path, key=key)
        problem = Problem(self.name, line, column, path, code, message, warning)
        if problem not in self.seen:  # a shared option set is checked once per item
            self.seen.add(problem)
            self.problems.append(problem)

    def claim(self, ident: str, path: Path, kind: str) -> None:
        """Items, scores and flags share one set of ids (conditions and results name
        them); sections, needs, strengths and parameters each have their own."""
        shared = kind in ("item", "score", "flag", "derived")
        key = f"{'result' if shared else kind}:{ident}"
        if key in self.ids:
            line, _ = self.doc.where(self.ids[key])
            among = "items, scores, flags and derived values" if shared else f"{kind}s"
            self.error(
                path,
                "duplicate-id",
                f"the id {ident!r} is already used on line {line}; ids are unique among {among}",
            )
        else:
            self.ids[key] = path


def codes(ctx: Ctx, raw: list[Raw], path: Path) -> tuple[Code, ...]:
    out = []
    for c, code in enumerate(raw):
        if code["system"] == "http://loinc.org" and not loinc_ok(code["code"]):
            ctx.error(
                (*path, c, "code"),
                "loinc",
                f"{code['code']!r} is not a LOINC code with a correct check digit; "
                "never guess a code: leave it out until it is confirmed",
            )
        out.append(Code(code["system"], code["code"], code.get("display")))
    return tuple(out)


def loinc_ok(code: str) -> bool:
    """A LOINC term code ends in its mod-10 (Luhn) check digit. Answer, part and list
    codes (LA, LP, LL, LG) use another rule, so only their form is checked."""
    if re.fullmatch(r"L[APLG]\d{1,7}-\d", code):
        return True
    body, _, check = code.rpartition("-")
    if not body.isdigit() or not check.isdigit() or len(check) != 1:
        return False
    total = 0
    for position, ch in enumerate(reversed(body)):
        n = int(ch) * (2 if position % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(check)


def unknown(kind: str, ident: str, known: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(ident, list(known), n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"no {kind} {ident!r} is defined{guess}"
