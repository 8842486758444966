"""A fontconfig that knows the project's fonts and nothing else: the font, PDF and
browser tests run under it (tests/conftest.py), so they pass on a machine with no
system Noto fonts, and a test cannot pass on a font the project does not ship."""

from __future__ import annotations

import os
from pathlib import Path

from fontTools.ttLib import woff2

from screening.render import fonts

ENV = "FONTCONFIG_FILE"


def write_config(where: Path, *, with_fonts: bool = True) -> Path:
    """A fonts.conf under ``where`` whose only font folder holds the shipped fonts as
    plain OpenType files (fontconfig and Chromium read them), or nothing at all."""
    folder, cache = where / "fonts", where / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    cache.mkdir(exist_ok=True)
    if with_fonts:
        # Not the autonym faces: they carry their script's family name but only the
        # glyphs of a language's name (no space), and fontconfig would pick them for a
        # space in a Chinese line. Pages load them as web fonts, never from the device.
        for face in fonts.FACES:
            target = folder / face.file.replace(".woff2", ".otf")
            if not target.exists():
                with face.path().open("rb") as src, target.open("wb") as out:
                    woff2.decompress(src, out)
    config = where / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{folder}</dir><cachedir>{cache}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return config


def only_project_fonts(where: Path) -> None:
    """Point this process (and every process it starts) at the shipped fonts alone."""
    os.environ[ENV] = str(write_config(where))
