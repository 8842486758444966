"""SDC ``calculatedExpression`` and ``variable`` (FHIRPath) to our derived values,
exactly or not at all.

Translated: an answer ``%resource.repeat(item).where(linkId = 'x').answer.value`` (or
``%resource.item.where(...)`` for a question at the top level) of a number question, or
of a choice question with ``.code.toInteger()`` (integer codes), ``.ordinal()`` or
``.weight()`` (options with ordinal values); ``%name`` variables of the Questionnaire
or the item; numbers; ``+``, ``-``, ``*``, ``/``; parentheses; ``iif(test, a, b)`` where
the test compares such an answer with a number (``and``, ``or``).

Why these are exact: FHIRPath arithmetic on an empty collection (no answer) is empty, as
ours is unknown; ``/`` by zero is empty, as ours; ``iif`` takes its otherwise-branch when
the test is empty, as our test of a missing answer is false. Anything else raises
:class:`~screening.interop.xlsform.xpath.Untranslatable` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.interop.common import GapCode
from screening.interop.fhir.export import CALCULATED
from screening.interop.xlsform.xpath import Untranslatable

Expr = Any
_ANSWER = re.compile(
    r"%resource\s*\.\s*(?P<how>item|repeat\s*\(\s*item\s*\))\s*\.\s*where\s*\(\s*linkId\s*=\s*"
    r"'(?P<link>[^']*)'\s*\)\s*\.\s*answer\s*\.\s*value"
    r"(?P<tail>\s*\.\s*(?:code\s*\.\s*toInteger\s*\(\s*\)|ordinal\s*\(\s*\)|weight\s*\(\s*\)))?"
)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<answer>%resource\b[^+\-*/(),=<>!]*(?:\([^()]*\)[^+\-*/(),=<>!]*)*)
      | (?P<var>%[A-Za-z_][A-Za-z0-9_]*)
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<cmp>!=|>=|<=|=|>|<)
      | (?P<arith>[-+*/])
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_OPS = {"+": "sum", "-": "subtract", "*": "multiply", "/": "divide"}
_CMP = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "equals"}


@dataclass(frozen=True)
class Target:
    """What a translation needs to know of a question already imported."""

    id: str
    number: bool  # a number question: .answer.value is its number
    coded: bool  # integer option values equal to their numbers: .code.toInteger()
    weighted: bool  # every option has a number: .ordinal() / .weight()
    top: bool  # at the top level of the Questionnaire: %resource.item finds it


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "other":
            raise Untranslatable(f"{match.group(kind)!r} is not part of what we translate")
        out.append((kind, match.group(kind).strip()))
    return out


class _Parser:
    def __init__(
        self, text: str, targets: Mapping[str, Target], variables: Mapping[str, str], depth: int
    ) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.targets = targets
        self.variables = variables
        self.depth = depth

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Untranslatable(f"expected {value or 'more'}")
        self.at += 1
        return token

    def parse(self) -> Expr:
        found = self.sum()
        if self.peek() is not None:
            raise Untranslatable(f"{self.peek()[1]!r} is not part of what we translate")  # type: ignore[index]
        return found

    def sum(self) -> Expr:
        left = self.product()
        while self.peek() in (("arith", "+"), ("arith", "-")):
            op = _OPS[self.take()[1]]
            left = _join(op, left, self.product())
        return left

    def product(self) -> Expr:
        left = self.factor()
        while self.peek() in (("arith", "*"), ("arith", "/")):
            op = _OPS[self.take()[1]]
            left = _join(op, left, self.factor())
        return left

    def factor(self) -> Expr:
        kind, value = self.take()
        if kind == "number":
            return float(value) if "." in value else int(value)
        if (kind, value) == ("arith", "-") and self.peek() and self.peek()[0] == "number":  # type: ignore[index]
            number = self.take()[1]
            return -(float(number) if "." in number else int(number))
        if value == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if kind == "answer":
            return self.answer(value)
        if kind == "var":
            return self.variable(value[1:])
        if (kind, value) == ("word", "iif"):
            return self.iif()
        raise Untranslatable(f"{value!r} is not part of what we translate")

    def answer(self, text: str) -> str:
        match = _ANSWER.fullmatch(text.strip())
        if match is None:
            raise Untranslatable(f"{text[:60]!r} is not an answer path we translate")
        target = self.targets.get(match["link"])
        if target is None:
            raise Untranslatable(f"{match['link']!r} is not a question imported before it")
        if match["how"] == "item" and not target.top:
            raise Untranslatable(
                f"%resource.item finds only top-level questions; {match['link']!r} is nested"
            )
        tail = re.sub(r"\s+", "", match["tail"] or "")
        if tail == "" and target.number:
            return target.id
        if tail == ".code.toInteger()" and target.coded:
            return target.id
        if tail in (".ordinal()", ".weight()") and target.weighted:
            return target.id
        raise Untranslatable(f"the answer of {match['link']!r} read as {tail or 'value'}")

    def variable(self, name: str) -> Expr:
        text = self.variables.get(name)
        if text is None:
            raise Untranslatable(f"%{name} is not a variable of this Questionnaire or item")
        if self.depth > 10:
            raise Untranslatable("variables nested too deep")
        return _Parser(text, self.targets, self.variables, self.depth + 1).parse()

    def iif(self) -> Expr:
        self.take("(")
        cond = self.test()
        self.take(",")
        then = self.sum()
        self.take(",")
        otherwise = self.sum()
        self.take(")")
        return {"if": {"cond": cond, "then": then, "else": otherwise}}

    def test(self) -> dict[str, Any]:
        parts = [self.comparison()]
        joiner = None
        while self.peek() in (("word", "and"), ("word", "or")):
            word = self.take()[1]
            if joiner not in (None, word):
                raise Untranslatable("and and or mixed without parentheses")
            joiner = word
            parts.append(self.comparison())
        if joiner is None:
            return parts[0]
        return {"all" if joiner == "and" else "any": parts}

    def comparison(self) -> dict[str, Any]:
        left = self.factor()
        kind, op = self.take()
        if kind != "cmp" or op == "!=":
            raise Untranslatable("a test compares an answer with a number (=, <, <=, >, >=)")
        right = self.factor()
        if not isinstance(left, str) or isinstance(right, str | dict):
            raise Untranslatable("only an answer compared with a number is translated")
        by_id = {t.id: t for t in self.targets.values()}
        if op == "=" and not by_id[left].number:
            raise Untranslatable("= on a choice's number: our equals reads its code")
        return {"item": left, _CMP[op]: right}


def _join(op: str, left: Expr, right: Expr) -> Expr:
    if op in ("sum", "multiply") and isinstance(left, dict) and op in left:
        return {op: [*left[op], right]}
    return {op: [left, right]}


def translate_fhirpath(
    text: str, targets: Mapping[str, Target], variables: Mapping[str, str]
) -> Expr:
    """Our derived value for a FHIRPath expression; Untranslatable if none is exact."""
    return _Parser(text, targets, variables, 0).parse()


VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"


def variables(element: Mapping[str, Any]) -> dict[str, str]:
    """The FHIRPath ``variable`` extensions on an element, by name."""
    out: dict[str, str] = {}
    for extension in element.get("extension", []) or []:
        if not isinstance(extension, Mapping) or extension.get("url") != VARIABLE:
            continue
        value = extension.get("valueExpression") or {}
        if value.get("language") == "text/fhirpath" and value.get("name"):
            out[str(value["name"])] = str(value.get("expression", ""))
    return out


def calculated(reader: Any, raw: Mapping[str, Any], path: str) -> None:
    """A calculated item (read-only, SDC calculatedExpression) as a derived value of the
    importing ``reader`` when its FHIRPath translates; otherwise a gap by its path."""
    link = str(raw.get("linkId", ""))
    expression: Mapping[str, Any] = next(
        (
            e.get("valueExpression", {})
            for e in raw.get("extension", [])
            if e.get("url") == CALCULATED
        ),
        {},
    )
    text = str(expression.get("expression", ""))
    where = f"{path}.extension(calculatedExpression)"
    if expression.get("language") != "text/fhirpath":
        reader.gap(where, GapCode.CALCULATION, "a calculation not in FHIRPath is not translated")
        return
    targets = {
        linkid: _target(reader, linkid, ours)
        for linkid, ours in reader.ids.items()
        if ours in reader.items
    }
    try:
        expr = translate_fhirpath(text, targets, {**reader.variables, **variables(raw)})
    except Untranslatable as exc:
        reader.gap(where, GapCode.CALCULATION, f"{text[:120]!r} is not translated: {exc}")
        return
    ident = reader.claim(link, path)
    if ident is None:
        return
    value: dict[str, Any] = {"id": ident, "value": expr}
    if raw.get("text"):
        value["label"] = raw["text"]
    reader.derived.append(value)


def _target(reader: Any, link: str, ours: str) -> Target:
    item = reader.items[ours]
    options = item.get("options") if isinstance(item.get("options"), list) else []
    number = item.get("type") == "number" or (item.get("type") == "scale" and not options)
    coded = bool(options) and all(
        isinstance(o.get("value"), int) and o.get("score") in (None, o.get("value"))
        for o in options
    )
    weighted = bool(options) and all(o.get("score") is not None for o in options)
    return Target(ours, number, coded, weighted, link in reader.top)
