"""One register per audience: UI messages that speak to the person are told apart by
their gettext message context, so each language keeps one form of address per screen.

Two contexts, chosen by who sits at the screen:

- ``youth``: the private check-in (``/checkin``), a young person on their own. French
  *tu*, Spanish *tú*, Chinese 你; Arabic in forms that address any gender.
- ``worker``: worker-led and interpreter interviews, the worker's own pages, the plan.
  French *vous*, Spanish *usted*, Chinese 您.

A message is marked for both contexts by the function that shows it (see
:data:`KEYWORDS`): ``_p("...")`` in templates and in ``screening/web`` (``NP_`` marks a
constant shown later with ``_p``), ``bi_p("...")``
(the bilingual macro of ``templates/_bi.html``) and ``tr_p(code, "...")`` (the summary,
in either column). Extraction (:mod:`screening.i18n.ui`) writes each such message twice,
``msgctxt "youth"`` and ``msgctxt "worker"``. A message that speaks to nobody in
particular (a noun, a heading, a button in a neutral form) stays ``_()``, without a
context. See docs/translation-review.md, Register.
"""

from __future__ import annotations

from typing import Final, Protocol

YOUTH: Final = "youth"
WORKER: Final = "worker"
AUDIENCES: Final = (YOUTH, WORKER)

#: Extraction keywords (Babel's spec) of the messages written once per audience.
KEYWORDS: Final[dict[str, int | tuple[int, ...] | None]] = {
    "_p": None,
    "NP_": None,
    "bi_p": None,
    "tr_p": (2,),
}

#: The comment a translator reads on each entry of a context.
COMMENTS: Final = {
    YOUTH: (
        "Audience youth: the private check-in, read by a young person (12-17) alone. "
        "Informal address (fr tu, es tú, zh 你); Arabic in forms that address any gender."
    ),
    WORKER: (
        "Audience worker: worker-led and interpreter interviews, read with a worker, "
        "adults. Formal address (fr vous, es usted, zh 您)."
    ),
}


class _Catalog(Protocol):
    def gettext(self, message: str) -> object: ...

    def pgettext(self, context: str, message: str) -> object: ...


def lookup(translations: _Catalog, audience: str, message: str) -> str:
    """``message`` for ``audience``; a catalog without that context (not yet updated)
    gives its context-free translation, else the source text."""
    found = str(translations.pgettext(audience, message))
    if found == message:
        return str(translations.gettext(message))
    return found
