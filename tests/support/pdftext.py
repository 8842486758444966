"""PDF text as pdftotext gives it back, and ways to compare it with what was written."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def text_of(data: bytes, tmp_path: Path, layout: bool = False) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LAM_ALEF = re.compile("\u0644[\u0622\u0623\u0625\u0627]")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", BIDI_MARKS.sub("", text))


def words(text: str) -> list[str]:
    """Words a text extractor gives back as written: pdftotext splits the lam-alef
    ligature into its letters in visual order, so such words are left out."""
    return [w for w in re.findall(r"\w+", text) if not LAM_ALEF.search(w)]
