"""Languages and translations (an edge: catalog files, Babel).

The core never imports this package: it translates an :class:`~screening.core.model.Instrument`
from outside, by building a translated copy of it (:mod:`screening.i18n.translate`).
Language codes are BCP 47 everywhere (``zh-Hans``, ``tl``); :mod:`screening.i18n.locales`
maps them to Babel's identifiers inside.
"""

from __future__ import annotations

from screening.i18n.locales import (
    LANGUAGES,
    SOURCE,
    TARGETS,
    UnknownLanguage,
    autonym,
    babel_locale,
    direction,
    parse_code,
)


def N_(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown."""
    return message


def NP_(message: str) -> str:
    """Marks a constant that speaks to the person for extraction once per audience
    (:mod:`screening.i18n.audience`); it is translated where it is shown, with ``_p``."""
    return message


__all__ = [
    "LANGUAGES",
    "NP_",
    "N_",
    "SOURCE",
    "TARGETS",
    "UnknownLanguage",
    "autonym",
    "babel_locale",
    "direction",
    "parse_code",
]
