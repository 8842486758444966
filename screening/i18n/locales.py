"""The languages we ship, by BCP 47 code, and their Babel identifiers.

Babel reads ``tl`` as Filipino (``fil``) and writes Simplified Chinese as ``zh_Hans``;
a lookup by ``str(Locale)`` would therefore miss ``locales/tl/`` and ``locales/zh-Hans/``.
Every path and every API speaks BCP 47; only this module knows Babel's spelling.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale

SOURCE: Final = "en"
#: code -> (Babel identifier, autonym: the language's name in itself)
_TABLE: Final[dict[str, tuple[str, str]]] = {
    "en": ("en", "English"),
    "fr": ("fr", "Français"),
    "es": ("es", "Español"),
    "ar": ("ar", "العربية"),
    "zh-Hans": ("zh_Hans", "简体中文"),
    "pa": ("pa", "ਪੰਜਾਬੀ"),
    "tl": ("fil", "Tagalog"),
    "ti": ("ti", "ትግርኛ"),
}
LANGUAGES: Final = tuple(_TABLE)
TARGETS: Final = tuple(code for code in LANGUAGES if code != SOURCE)
_BY_BABEL: Final = {babel_id: code for code, (babel_id, _) in _TABLE.items()}


class UnknownLanguage(ValueError):
    """A language code we do not ship (API 400, page 400, CLI exit 1)."""

    def __init__(self, code: object) -> None:
        shown = code if isinstance(code, str) else type(code).__name__
        super().__init__(
            f"unknown language {str(shown)[:40]!r}; known languages: {', '.join(LANGUAGES)}"
        )
        self.code = code


def parse_code(code: object) -> str:
    """The shipped BCP 47 code for ``code`` (case-insensitive, ``_`` read as ``-``)."""
    if isinstance(code, str):
        wanted = code.strip().replace("_", "-").lower()
        for known in LANGUAGES:
            if known.lower() == wanted:
                return known
    raise UnknownLanguage(code)


def babel_id(code: str) -> str:
    """Babel's identifier for a shipped code: ``tl`` -> ``fil``, ``zh-Hans`` -> ``zh_Hans``."""
    return _TABLE[parse_code(code)][0]


def from_babel(identifier: str) -> str:
    """The shipped code for a Babel identifier (``fil`` -> ``tl``)."""
    try:
        return _BY_BABEL[identifier]
    except KeyError:
        raise UnknownLanguage(identifier) from None


@cache
def babel_locale(code: str) -> Locale:
    return Locale.parse(babel_id(code))


def autonym(code: str) -> str:
    return _TABLE[parse_code(code)][1]


def direction(code: str) -> str:
    """``rtl`` or ``ltr``, from CLDR."""
    return "rtl" if babel_locale(code).text_direction == "rtl" else "ltr"
