"""The project ships a font for every script it shows (issue 15, point 1): every
character of our own texts has a glyph in a shipped font; the pages and the printed
plan use those fonts; `screening plan` prints ti, pa, zh-Hans and ar on a machine with
no font at all, and refuses (exit 1) a PDF that would draw a box for our own text; a
person's own words that no font covers print with a marked stand-in and a warning."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from screening import resources
from screening.core.plan import Action, Plan
from screening.render import fonts, pdf
from tests.support.fonts import write_config
from tests.support.paths import ROOT
from tests.support.pdftext import squash, text_of

OURS = [
    *sorted((ROOT / "locales").rglob("*.po")),
    *sorted((ROOT / "instruments").glob("*.yaml")),
    *sorted((ROOT / "templates").rglob("*.html")),
    *sorted(p for p in (ROOT / "screening" / "directory" / "data").rglob("*") if p.is_file()),
]
SCRIPT = {  # a character of each script the plan must print as text
    "ti": re.compile("[\u1200-\u137f]"),
    "pa": re.compile("[\u0a00-\u0a7f]"),
    "zh-Hans": re.compile("[\u4e00-\u9fff]"),
    "ar": re.compile("[\u0600-\u06ff]"),
}


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_character_of_our_texts_has_a_shipped_glyph(path: Path) -> None:
    assert fonts.missing(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_character_no_font_has() -> None:
    assert fonts.missing("Plain words 😀 \ue000 ናይ") == ["😀", "\ue000"]
    assert fonts.cover("my goal 😀") == (f"my goal {fonts.STAND_IN}", ["😀"])


def test_the_fonts_come_with_their_licence_and_the_pages_offer_them() -> None:
    folder = fonts.folder()
    for face in (*fonts.FACES, *fonts.AUTONYMS):
        assert face.path().read_bytes()[:4] == b"wOF2", face.file
    assert "SIL Open Font License" in (folder / fonts.LICENCE).read_text(encoding="utf-8")
    css = (resources.static() / "app.css").read_text(encoding="utf-8")
    assert fonts.web_css() in css  # .ci/make-fonts and fonts.py agree with the stylesheet
    assert "noto-latin" not in css  # a Latin page downloads no font


def test_a_persons_own_words_no_font_covers_print_marked_with_a_warning(tmp_path: Path) -> None:
    plan = Plan(goals=("Sleep well 😀",), actions=(Action("Call 🙂 back", who="me"),))
    printable, warnings = pdf.printable(plan)
    assert printable.goals == (f"Sleep well {fonts.STAND_IN}",)
    assert printable.actions[0].what == f"Call {fonts.STAND_IN} back"
    assert warnings == [
        f"goal 1: U+1F600 has no font; printed as {fonts.STAND_IN}",
        f"step 1: U+1F642 has no font; printed as {fonts.STAND_IN}",
    ]
    html = f'<p lang="en">{printable.goals[0]}</p>'
    data, missing = pdf.render_pdf(html, strict=True)
    assert missing == []
    assert fonts.STAND_IN in text_of(data, tmp_path)


def test_our_own_text_without_a_glyph_is_an_error() -> None:
    with pytest.raises(pdf.MissingGlyph, match="no shipped font"):
        pdf.render_pdf('<p lang="en">Ours, with a private-use character: \ue000</p>', strict=True)


def _plan(tmp_path: Path, locale: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`screening plan` under a fontconfig with no font at all: only the project's own
    fonts, loaded by the renderer, can draw anything."""
    empty = write_config(tmp_path / "nofonts", with_fonts=False)
    out = tmp_path / f"plan-{locale}.pdf"
    return subprocess.run(
        [sys.executable, "-m", "screening", "plan", "needs-assessment",
         str(ROOT / "examples" / "needs-assessment-amara.yaml"), "--locale", locale,
         "--pdf", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, "FONTCONFIG_FILE": str(empty), **env},
    )  # fmt: skip


@pytest.mark.parametrize("locale", list(SCRIPT))
def test_plans_print_every_script_on_a_machine_with_no_fonts(tmp_path: Path, locale: str) -> None:
    done = _plan(tmp_path, locale)
    assert done.returncode == 0, done.stderr
    assert ".notdef" not in done.stderr
    text = text_of((tmp_path / f"plan-{locale}.pdf").read_bytes(), tmp_path)
    assert len(SCRIPT[locale].findall(squash(text))) > 50, text[:300]
    fonts_used = subprocess.run(
        ["pdffonts", str(tmp_path / f"plan-{locale}.pdf")], capture_output=True, text=True
    ).stdout
    assert "DejaVu" not in fonts_used and "Noto-Sans" in fonts_used


def test_a_plan_that_would_draw_a_box_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    """A catalog whose Tigrinya title holds a character no shipped font has."""
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    po = locales / "ti" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="ti")
    catalog["My plan"].string = "\ue000 " + str(catalog["My plan"].string)
    with (po.with_suffix(".mo")).open("wb") as f:
        write_mo(f, catalog)
    done = _plan(tmp_path, "ti", SCREENING_LOCALES=str(locales))
    assert done.returncode == 1, done.stderr
    assert "U+E000" in done.stderr and "no PDF written" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "plan-ti.pdf").exists()
