"""Free text that says nothing (issue 13): "nothing", "none", "no", "n/a", "-".

A strength is something a person has. A text item answered "nothing" (or "rien",
"nada", "wala"...) is an answer, and it is kept and shown as one, but it shows no
strength: :func:`says_nothing` tells such texts apart, and the scorer does not count
them when it decides a strength (needs and flags read the answer as given).

The words are drafts per language, written by the project team and not yet reviewed by
speakers: a word missing here only means a strength is listed that the person did not
name; the worker sees the answer beside it.
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Each entry is compared after :func:`normalise` (case folded, accents kept, spaces,
# punctuation and symbols removed), so "N/A", "n.a." and " None. " are all found.
NOTHING_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "nothing",
        "none",
        "no",
        "nope",
        "na",
        "n/a",
        "nil",
        "null",
        "nada",
        "idk",
        "i dont know",
        "dont know",
        "not sure",
        "unsure",
        "no one",
        "nobody",
        "nothing really",
        "not really",
        "none really",
        "nothing yet",
    ),
    "fr": (
        "rien",
        "aucun",
        "aucune",
        "non",
        "personne",
        "je ne sais pas",
        "sais pas",
        "je sais pas",
        "pas vraiment",
        "rien du tout",
    ),
    "es": (
        "nada",
        "ninguno",
        "ninguna",
        "no",
        "nadie",
        "no se",
        "no sé",
        "no lo sé",
        "nada todavia",
        "nada todavía",
    ),
    "ar": ("لا", "لا شيء", "لاشيء", "لا أحد", "لا أعرف", "لا شى", "ولا شيء"),
    "zh-Hans": ("无", "沒有", "没有", "没", "不知道", "没什么", "没有什么", "无可奉告"),
    "pa": ("ਕੁਝ ਨਹੀਂ", "ਨਹੀਂ", "ਕੋਈ ਨਹੀਂ", "ਪਤਾ ਨਹੀਂ"),
    "tl": ("wala", "wala po", "hindi", "ewan", "hindi ko alam", "wala pa"),
    "ti": ("የለን", "ምንም", "ምንም የለን", "የለ", "ኣይፈልጥን"),
}


def normalise(text: str) -> str:
    """Case folded, in NFC, with every run of spaces, punctuation and symbols made one
    space and the ends trimmed ("  N/A. " -> "n a")."""
    folded = unicodedata.normalize("NFC", text).casefold()
    out: list[str] = []
    for char in folded:
        kind = unicodedata.category(char)
        # letters, digits and combining marks (Gurmukhi, Ethiopic vowels) are kept
        out.append(char if kind[0] in "LNM" else " ")
    return " ".join("".join(out).split())


_NOTHING: Final = frozenset(
    {normalise(word) for words in NOTHING_WORDS.values() for word in words}
    | {normalise(word).replace(" ", "") for words in NOTHING_WORDS.values() for word in words}
)


def says_nothing(text: str) -> bool:
    """Whether a free-text answer names nothing: empty once spaces and punctuation are
    gone ("-", "...", "?"), or one of :data:`NOTHING_WORDS` in any language."""
    words = normalise(text)
    return not words or words in _NOTHING or words.replace(" ", "") in _NOTHING
