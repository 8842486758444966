"""What may leave the screen (pure): which results a printed plan or a download may name.

Each item carries a print level (``verbatim``, ``summary`` or ``never``; see
:data:`~screening.core.model.PRINT_LEVELS`). A result (flag, need, strength) is traced
back through its ``because`` to the answers that raised it, and takes the level those
answers allow:

- a question and its answer are printed only for a ``verbatim`` item;
- a flag's text is printed only when every answer that raised it is ``verbatim`` (a flag
  says what was disclosed, in other words);
- a need's neutral name is printed when at least one thing that raised it is not
  ``never``; a strength's when none of what raised it is ``never``.

So a need raised only by a ``never`` answer (someone keeps the person's ID) is not on
paper at all: not its question, not its answer, not the flag, not the need's name.
"""

from __future__ import annotations

from collections.abc import Iterable

from screening.core.model import PRINT_LEVELS
from screening.core.route import Interview
from screening.core.scoring import Result

VERBATIM, SUMMARY, NEVER = PRINT_LEVELS


def _strictest(levels: Iterable[str]) -> str:
    found = [PRINT_LEVELS.index(level) for level in levels]
    return PRINT_LEVELS[max(found)] if found else VERBATIM


def _openest(levels: Iterable[str]) -> str:
    found = [PRINT_LEVELS.index(level) for level in levels]
    return PRINT_LEVELS[min(found)] if found else NEVER


def _term_ref(item: str | None, score: str | None, derived: str | None) -> str:
    if item:
        return f"item:{item}"
    return f"derived:{derived}" if derived else f"score:{score}"


class Printing:
    """The print level of every reason of one scored interview."""

    def __init__(self, session: Interview, result: Result) -> None:
        self._session = session
        self._flags = {f.id: f.because for f in result.flags}
        self._scores = {
            score.id: (
                *(_term_ref(t.item, t.score, t.derived) for t in score.terms),
                *(f"item:{i}" for i in score.requires),
            )
            for ins in session.instruments
            for score in ins.scores
        }

    def item(self, item_id: str) -> str:
        found = self._session.items.get(item_id)
        return found.print_as if found is not None else NEVER

    def reason(self, ref: str, seen: frozenset[str] = frozenset()) -> str:
        """``item:ID``, ``score:ID`` or ``flag:ID``: the strictest level of the answers
        behind it (an unknown reason is ``never``)."""
        if ref in seen:
            return NEVER
        kind, _, ident = ref.partition(":")
        if kind == "item":
            return self.item(ident)
        if kind == "score" and ident in self._scores:
            return _strictest(self.reason(r, seen | {ref}) for r in self._scores[ident])
        if kind == "flag" and ident in self._flags:
            return _strictest(self.reason(r, seen | {ref}) for r in self._flags[ident])
        if kind == "derived" and ident in self._session.values:  # as strict as what it reads
            reads = self._session.values[ident].refs()
            return _strictest(self.reason(r, seen | {ref}) for r in reads)
        return NEVER

    def flag_text(self, flag_id: str) -> bool:
        """Whether a raised flag's own text may be printed."""
        return self.reason(f"flag:{flag_id}") == VERBATIM

    def need_name(self, because: Iterable[str]) -> bool:
        """Whether a raised need's name may be printed."""
        return _openest(self.reason(r) for r in because) != NEVER

    def strength(self, because: Iterable[str]) -> bool:
        return _strictest(self.reason(r) for r in because) != NEVER

    def told(self, item_id: str) -> bool:
        """Whether an item's question and answer may be printed."""
        return self.item(item_id) == VERBATIM
