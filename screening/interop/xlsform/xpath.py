"""XLSForm ``relevant`` expressions (a small part of XPath) to our conditions, exactly
or not at all.

Translated: ``${q} = 'v'``, ``!=``, ``>``, ``>=``, ``<``, ``<=`` against a literal,
``${q} = ''`` / ``${q} != ''`` (answered), ``selected(${q}, 'v')``, ``not(...)``,
``and``, ``or`` and parentheses. XPath and our engine agree on unanswered and hidden
questions for these forms (their value is the empty string in ODK; a test of them is
false here, and ``!=`` is written as ``not equals``, which is then true in both).
Anything else (arithmetic, other functions, comparing two questions, a question not
imported) raises :class:`Untranslatable` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Raw = dict[str, Any]


class Untranslatable(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    """What a translation needs to know of an earlier question."""

    id: str
    kind: str  # single | multiple | number | integer | date | text | scale | derived
    values: frozenset[str] = frozenset()
    actual: tuple[tuple[str, object], ...] = ()  # str(value) -> the option's value
    numeric: bool = False  # choice values are numbers; a derived value is a number


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[^}]*\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_:.-]*)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind == "other":
            raise Untranslatable(f"{value!r} is not part of what we translate")
        out.append((kind, value))
    return out


_FLIP = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}
_OPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}


class _Parser:
    def __init__(self, text: str, questions: Mapping[str, Question]):
        self.tokens = _tokens(text)
        self.at = 0
        self.questions = questions

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Untranslatable(f"expected {value or 'more'} at the end")
        self.at += 1
        return token

    def parse(self) -> Raw:
        result = self.either()
        if self.peek() is not None:
            raise Untranslatable(f"{self.peek()[1]!r} is not part of what we translate")  # type: ignore[index]
        return result

    def _joined(self, word: str, part: Callable[[], Raw], key: str) -> Raw:
        parts = [part()]
        while self.peek() == ("word", word):
            self.take()
            parts.append(part())
        if len(parts) == 1:
            return parts[0]
        flat: list[Raw] = []
        for p in parts:
            flat.extend(p[key] if set(p) == {key} else [p])
        return {key: flat}

    def either(self) -> Raw:
        return self._joined("or", self.both, "any")

    def both(self) -> Raw:
        return self._joined("and", self.unary, "all")

    def unary(self) -> Raw:
        token = self.peek()
        if token == ("word", "not"):
            self.take()
            self.take("(")
            inner = self.either()
            self.take(")")
            return {"not": inner}
        if token == ("punct", "("):
            self.take()
            inner = self.either()
            self.take(")")
            return inner
        if token == ("word", "selected"):
            return self.selected()
        return self.comparison()

    def selected(self) -> Raw:
        self.take()
        self.take("(")
        question = self.ref(self.take())
        self.take(",")
        value = self.literal(self.take())
        self.take(")")
        if question.kind == "multiple":
            return {"item": question.id, "includes": self.option(question, value)}
        if question.kind == "single":
            return {"item": question.id, "equals": self.option(question, value)}
        raise Untranslatable(f"selected() of {question.id!r}, which is not a select question")

    def comparison(self) -> Raw:
        left = self.take()
        token = self.peek()
        if token is None or token[0] != "op":
            raise Untranslatable("a question alone (without a comparison) is not translated")
        op = self.take()[1]
        right = self.take()
        if left[0] == "ref" and right[0] != "ref":
            return self.test(self.ref(left), op, self.literal(right))
        if right[0] == "ref" and left[0] != "ref":
            return self.test(self.ref(right), _FLIP[op], self.literal(left))
        raise Untranslatable("only a question compared with a fixed value is translated")

    def ref(self, token: tuple[str, str]) -> Question:
        if token[0] != "ref":
            raise Untranslatable(f"expected a ${{question}}, got {token[1]!r}")
        name = token[1][2:-1]
        found = self.questions.get(name)
        if found is None:
            raise Untranslatable(f"${{{name}}} is not an earlier question that was imported")
        return found

    @staticmethod
    def literal(token: tuple[str, str]) -> str | float:
        if token[0] == "string":
            return token[1][1:-1]
        if token[0] == "number":
            return float(token[1]) if "." in token[1] else int(token[1])
        raise Untranslatable(f"expected a fixed value, got {token[1]!r}")

    @staticmethod
    def option(question: Question, value: str | float) -> object:
        text = str(value)
        if text not in question.values:
            raise Untranslatable(f"{text!r} is not a choice of {question.id!r}")
        return dict(question.actual).get(text, text)

    def test(self, question: Question, op: str, value: str | float) -> Raw:
        if question.kind == "derived":
            return _derived_test(question, op, value)
        if value == "":
            if op not in ("=", "!="):
                raise Untranslatable("only = and != compare with ''")
            return {"item": question.id, "answered": op == "!="}
        if question.kind == "multiple":
            raise Untranslatable(
                f"{question.id!r} allows several choices: use selected(${{{question.id}}}, 'v')"
            )
        if question.kind in ("number", "integer", "scale"):
            number = _number(value)
            if op in _OPS:
                return {"item": question.id, _OPS[op]: number}
            test = {"item": question.id, "equals": number}
        elif op in _OPS:
            raise Untranslatable(f"{op} on {question.id!r}, which holds no number")
        elif question.kind == "single":
            test = {"item": question.id, "equals": self.option(question, value)}
        elif isinstance(value, str):
            test = {"item": question.id, "equals": value}
        else:
            raise Untranslatable(f"{question.id!r} holds text: compare it with text")
        return test if op == "=" else {"not": test}


def _derived_test(question: Question, op: str, value: str | float) -> Raw:
    """A test of a calculate: its value known or not, compared as a number or as text."""
    if value == "":
        if op not in ("=", "!="):
            raise Untranslatable("only = and != compare with ''")
        return {"derived": question.id, "known": op == "!="}
    if question.numeric:
        test: Raw = {"derived": question.id, _OPS.get(op, "equals"): _number(value)}
    elif op in _OPS or not isinstance(value, str):
        raise Untranslatable(f"{question.id!r} is calculated as text: compare it with text")
    else:
        test = {"derived": question.id, "equals": value}
    return {"not": test} if op == "!=" else test


def _number(value: str | float) -> float:
    if isinstance(value, int | float):
        return value
    try:
        number = float(value)
    except ValueError:
        raise Untranslatable(f"{value!r} is not a number") from None
    return int(number) if number.is_integer() else number


def translate(text: str, questions: Mapping[str, Question]) -> Raw:
    """The condition for a ``relevant`` expression; :class:`Untranslatable` if none is
    exact."""
    return _Parser(text, questions).parse()


Parser = _Parser  # public: the calculate translation (calculate.py) extends it
