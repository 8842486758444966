"""XLSForm ``calculate`` expressions (a small part of XPath) to our derived values,
exactly or not at all.

Translated: numbers and quoted text, ``${q}`` (a number question, a choice question
whose choices are numbers, an earlier calculate), ``+``, ``-``, ``*``, ``div``,
parentheses, ``if(condition, a, b)`` (the condition as in ``relevant``),
``coalesce(a, b)``, ``count-selected(${q})``, ``selected(${q}, 'v')`` as 1 or 0,
``today()`` and date differences (``today() - ${born}``, ``${d2} - ${d1}``: whole days).

Why these are exact: in ODK an unanswered or hidden question is '' and a number made of
'' is NaN, so arithmetic on it gives no value, as ours gives unknown; ``count-selected``
of an unanswered question is 0 in ODK, so it is written ``coalesce(count, 0)`` here.
Anything else (``int()``, ``round()``, ``concat()``, ``div 365.25`` for years, which
is not a count of completed years) raises :class:`Untranslatable` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from screening.interop.xlsform.xpath import Parser, Question, Untranslatable

Raw = dict[str, Any]
Expr = Any  # a number, an id, or a one-key mapping (our derived-value form)

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[^}]*\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<)
      | (?P<arith>[-+*])
      | (?P<punct>[(),])
      | (?P<word>[A-Za-z_][A-Za-z0-9_:.-]*)
      | (?P<other>\S)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind == "other":
            raise Untranslatable(f"{value!r} is not part of what we translate")
        if kind == "number" and out and out[-1] == ("arith", "-") and _unary(out[:-1]):
            out[-1] = ("number", "-" + value)  # a negative number, as in relevant
            continue
        out.append((kind, value))
    return out


def _unary(before: list[tuple[str, str]]) -> bool:
    return not before or before[-1][0] in ("op", "arith") or before[-1][1] in ("(", ",")


class _Calc(Parser):
    def __init__(self, text: str, questions: Mapping[str, Question]) -> None:
        super().__init__("", questions)
        self.tokens = _tokens(text)

    def expression(self) -> tuple[Expr, str]:
        """(expression, type): the type is number, text or date."""
        left = self.product()
        while self.peek() in (("arith", "+"), ("arith", "-")):
            op = self.take()[1]
            right = self.product()
            left = _combine(op, left, right)
        return left

    def product(self) -> tuple[Expr, str]:
        left = self.factor()
        while self.peek() in (("arith", "*"), ("word", "div")):
            op = "multiply" if self.take()[1] == "*" else "divide"
            right = self.factor()
            _numbers(op, left, right)
            if op == "multiply" and isinstance(left[0], dict) and "multiply" in left[0]:
                left = ({"multiply": [*left[0]["multiply"], right[0]]}, "number")
            else:
                left = ({op: [left[0], right[0]]}, "number")
        return left

    def factor(self) -> tuple[Expr, str]:
        token = self.take()
        kind, value = token
        if kind == "number":
            return (float(value) if "." in value else int(value)), "number"
        if kind == "string":
            return {"text": value[1:-1]}, "text"
        if token == ("punct", "("):
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "ref":
            return self.question(self.ref(token))
        if kind != "word" or self.peek() != ("punct", "("):
            raise Untranslatable(f"{value!r} is not part of what we translate")
        return self.function(value)

    def question(self, question: Question) -> tuple[Expr, str]:
        if question.kind in ("number", "integer", "scale") or (
            question.kind in ("single", "derived") and question.numeric
        ):
            return question.id, "number"
        if question.kind == "date":
            return question.id, "date"
        if question.kind == "derived":
            return question.id, "text"
        if question.kind == "single":
            raise Untranslatable(
                f"${{{question.id}}} has choices that are not numbers: compare it in an "
                "if() instead"
            )
        raise Untranslatable(f"${{{question.id}}} ({question.kind}) is not used as a value here")

    def function(self, name: str) -> tuple[Expr, str]:
        self.take("(")
        if name == "today":
            self.take(")")
            return {"today": True}, "date"
        if name == "if":
            cond = self.either()
            self.take(",")
            then = self.expression()
            self.take(",")
            otherwise = self.expression()
            self.take(")")
            if then[1] != otherwise[1]:
                raise Untranslatable("if() gives a number on one side and text on the other")
            return {"if": {"cond": cond, "then": then[0], "else": otherwise[0]}}, then[1]
        if name == "coalesce":
            first = self.expression()
            self.take(",")
            second = self.expression()
            self.take(")")
            if first[1] != second[1]:
                raise Untranslatable("coalesce() of values of different types")
            return {"coalesce": [first[0], second[0]]}, first[1]
        if name == "count-selected":
            question = self.ref(self.take())
            self.take(")")
            if question.kind != "multiple":
                raise Untranslatable(f"count-selected() of {question.id!r}, not a select_multiple")
            return {"coalesce": [{"count_selected": question.id}, 0]}, "number"
        if name == "selected":
            self.at -= 2  # back to the name: the condition parser reads selected() itself
            cond = self.selected()
            return {"if": {"cond": cond, "then": 1, "else": 0}}, "number"
        raise Untranslatable(f"the function {name}() is not translated")


def _numbers(op: str, *parts: tuple[Expr, str]) -> None:
    if any(kind != "number" for _, kind in parts):
        raise Untranslatable(f"{op} of something that is not a number")


def _combine(op: str, left: tuple[Expr, str], right: tuple[Expr, str]) -> tuple[Expr, str]:
    if op == "-" and left[1] == "date" and right[1] == "date":
        return {"days_between": [right[0], left[0]]}, "number"
    _numbers("+" if op == "+" else "-", left, right)
    if op == "+":
        if isinstance(left[0], dict) and "sum" in left[0]:
            return {"sum": [*left[0]["sum"], right[0]]}, "number"
        return {"sum": [left[0], right[0]]}, "number"
    return {"subtract": [left[0], right[0]]}, "number"


def translate_calculation(text: str, questions: Mapping[str, Question]) -> tuple[Expr, str]:
    """Our derived value (and its type) for a ``calculation``; :class:`Untranslatable`
    if none is exact."""
    if re.search(r"div\s+365", text):
        raise Untranslatable(
            "days divided by 365 or 365.25 is not a count of completed years; write the age "
            "as its own question, or use years_between in the instrument"
        )
    parser = _Calc(text, questions)
    found = parser.expression()
    if parser.peek() is not None:
        raise Untranslatable(f"{parser.peek()[1]!r} is not part of what we translate")  # type: ignore[index]
    return found
