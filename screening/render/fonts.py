"""The fonts the project ships, one Noto face per script (OFL, screening/web/static/fonts/,
made by .ci/make-fonts), for the printed plan and, as web fonts, for the pages.

The PDF renderer loads them through ``@font-face`` rules (:func:`pdf_css`), so a plan
prints the same on a machine with no fonts at all; the pages offer them with
``unicode-range`` (:func:`web_css`, kept in screening/web/static/app.css), so a browser
downloads a script's font only for a page that shows that script and only when the
device has no font of its own for it. Our own texts (catalogs, instruments, directory)
must all have glyphs (tests/render/test_fonts.py); a person's own words may hold a
character no font has (an emoji): :func:`cover` replaces it with a marked stand-in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from screening import resources

#: Shown instead of a character of the person's own words that no shipped font has.
STAND_IN: Final = "\ufffd"
#: In every script's font besides its own blocks: space, no-break space, joiners, marks.
JOINERS: Final = "U+0020,U+00A0,U+200C-200F,U+25CC"


@dataclass(frozen=True)
class Face:
    family: str
    file: str
    weight: int
    ranges: str  # CSS unicode-range

    def path(self) -> Path:
        return folder() / self.file

    def codepoints(self) -> frozenset[int]:
        return _points(self.ranges)

    @property
    def print_ranges(self) -> str:
        """The printed plan's range: with the spaces and joiners a script's run holds
        (Pango draws a run's spaces with the run's font)."""
        return self.ranges if self.family == "Noto Sans" else f"{self.ranges},{JOINERS}"


_LATIN = (
    "U+0000-024F,U+0259,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0300-036F,U+1E00-1EFF,"
    "U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-2199,U+2212,U+2215,U+25CC,U+FEFF,U+FFFD"
)
_ARABIC = "U+0600-06FF,U+0750-077F,U+0870-08FF,U+FB50-FDFF,U+FE70-FEFF"
_GURMUKHI = "U+0964-0965,U+0A01-0A76"
_ETHIOPIC = "U+1200-139F,U+2D80-2DDF,U+AB00-AB2F"
_SYLLABICS = "U+1400-167F,U+18B0-18FF"
_CHINESE = "U+3000-303F,U+3400-4DBF,U+4E00-9FFF,U+FF00-FFEF"

#: Every script's faces, Latin first (the printed plan's order of fallback).
FACES: Final = (
    Face("Noto Sans", "noto-latin-regular.woff2", 400, _LATIN),
    Face("Noto Sans", "noto-latin-bold.woff2", 700, _LATIN),
    Face("Noto Sans Arabic", "noto-arabic-regular.woff2", 400, _ARABIC),
    Face("Noto Sans Arabic", "noto-arabic-bold.woff2", 700, _ARABIC),
    Face("Noto Sans Gurmukhi", "noto-gurmukhi-regular.woff2", 400, _GURMUKHI),
    Face("Noto Sans Gurmukhi", "noto-gurmukhi-bold.woff2", 700, _GURMUKHI),
    Face("Noto Sans Ethiopic", "noto-ethiopic-regular.woff2", 400, _ETHIOPIC),
    Face("Noto Sans Ethiopic", "noto-ethiopic-bold.woff2", 700, _ETHIOPIC),
    Face("Noto Sans Canadian Aboriginal", "noto-syllabics-regular.woff2", 400, _SYLLABICS),
    Face("Noto Sans Canadian Aboriginal", "noto-syllabics-bold.woff2", 700, _SYLLABICS),
    Face("Noto Sans CJK SC", "noto-chinese-regular.woff2", 400, _CHINESE),
)
#: The few glyphs of the language names ("العربية", "简体中文"...) that every page's
#: language links show: a Latin page draws them without the whole script's font.
AUTONYM: Final = "Noto Sans Autonym"
AUTONYMS: Final = (
    Face(AUTONYM, "noto-autonym-arabic.woff2", 400, _ARABIC),
    Face(AUTONYM, "noto-autonym-gurmukhi.woff2", 400, _GURMUKHI),
    Face(AUTONYM, "noto-autonym-ethiopic.woff2", 400, _ETHIOPIC),
    Face(AUTONYM, "noto-autonym-chinese.woff2", 400, _CHINESE),
)
FAMILIES: Final = tuple(dict.fromkeys(f.family for f in FACES))
LICENCE: Final = "OFL.txt"


def folder() -> Path:
    return resources.static() / "fonts"


@cache
def _points(spec: str) -> frozenset[int]:
    return parse_ranges(spec)


def parse_ranges(spec: str) -> frozenset[int]:
    """The code points of a CSS ``unicode-range`` value (``U+0600-06FF,U+25CC``)."""
    out: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(out)


def _rule(face: Face, url: str, ranges: str | None = None, local: bool = False) -> str:
    # On the web the device's own copy comes first (nothing to download); the printed
    # plan takes the shipped file always.
    mine = f'local("{face.family}"),' if local and face.family != AUTONYM else ""
    return (
        f'@font-face{{font-family:"{face.family}";src:{mine}url({url}) format("woff2");'
        f"font-weight:{face.weight};font-display:swap;unicode-range:{ranges or face.ranges}}}"
    )


def web_css() -> str:
    """The pages' @font-face rules (in app.css, beside the fonts/ folder), Latin left
    out: every device has a Latin font, and a Latin page downloads no font at all. The
    language links use the autonym faces (a few glyphs each)."""
    faces = [f for f in (*FACES, *AUTONYMS) if f.family != "Noto Sans"]
    return "\n".join(_rule(f, f"fonts/{f.file}", local=True) for f in faces) + "\n"


def pdf_css(faces: tuple[Face, ...] = FACES) -> str:
    """The printed plan's @font-face rules: the shipped faces (all by default), by file
    address."""
    return "\n".join(_rule(f, f.path().as_uri(), f.print_ranges) for f in faces) + "\n"


def faces_for(text: str) -> tuple[Face, ...]:
    """The shipped faces a document needs: Latin always (digits, punctuation, the
    plan's own layout), another script's only when the text holds one of its
    characters. Loading a face costs its unpacking: the Chinese one alone (about 1 MB)
    took 3 to 5 s of every first PDF, in any language, before this."""
    present = {ord(c) for c in set(text)}
    return tuple(
        f for f in FACES if f.family == "Noto Sans" or not present.isdisjoint(f.codepoints())
    )


@cache
def covered() -> frozenset[int]:
    """Every character some shipped face draws."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    out: set[int] = set()
    for face in FACES:
        font = TTFont(str(face.path()), lazy=True)
        out.update(set(font.getBestCmap()) & parse_ranges(face.print_ranges))
        font.close()
    return frozenset(out)


def missing(text: str) -> list[str]:
    """The characters of ``text`` that no shipped font draws (white space and controls
    aside), each once, in order."""
    have = covered()
    gaps = (
        c
        for c in text
        if ord(c) not in have and not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")
    )
    return list(dict.fromkeys(gaps))


def cover(text: str) -> tuple[str, list[str]]:
    """A person's own words as a shipped font can print them: each character no font
    has becomes :data:`STAND_IN`; and the characters replaced, for a warning."""
    gaps = missing(text)
    for c in gaps:
        text = text.replace(c, STAND_IN)
    return text, gaps


def describe(chars: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in chars)


__all__ = [
    "AUTONYM",
    "AUTONYMS",
    "FACES",
    "FAMILIES",
    "STAND_IN",
    "Face",
    "cover",
    "covered",
    "describe",
    "faces_for",
    "folder",
    "missing",
    "parse_ranges",
    "pdf_css",
    "web_css",
]
