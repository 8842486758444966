"""The printed plan: urgent safety first, strengths, matched services; every shipped
language renders with a real glyph for every character; bilingual parts carry their own
lang and dir; the youth download has nothing that identifies the person."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from screening.core import interview as iv
from screening.core.matching import Match
from screening.core.plan import Plan, referral_for
from screening.core.route import Interview
from screening.directory import hsds as directory
from screening.load import catalog
from screening.render import pdf
from tests.support.paths import ROOT
from tests.support.pdftext import squash, text_of, words

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

GOALS = {
    "en": "Have my own place",
    "fr": "Avoir mon propre logement",
    "es": "Tener mi propio lugar",
    "ar": "أن يكون لي مكاني الخاص",
    "zh-Hans": "有自己的住处",
    "pa": "ਆਪਣਾ ਘਰ ਹੋਣਾ",
    "tl": "Magkaroon ng sariling tirahan",
    "ti": "ናይ ገዛእ ርእሰይ ገዛ ምህላው",
}


def test_plan_command_urgent_first_then_strengths_then_services(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "amara.pdf"
    done = cli("plan", "needs-assessment", "examples/needs-assessment-amara.yaml", "--pdf", out)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr  # no missing glyph
    assert "Before you print: this paper names " in done.stderr  # what the paper names
    assert "A safe place to stay and housing" in done.stderr.split("Before you print")[1]
    text = text_of(out.read_bytes(), tmp_path)
    order = [
        text.index(s)
        for s in (
            "Strengths",
            "You have someone you trust",
            "Things to work on, all at the same time",
            "A safe place to stay and housing",
        )
    ]
    assert order == sorted(order)
    housing = text.index("A safe place to stay and housing")
    assert housing < text.index("\nFood\n")  # the urgent need leads the list
    # A flag's text is a disclosure in other words: none of Amara's (all raised by
    # answers that may not be printed word for word) reaches the paper, nor does a need
    # raised only by sensitive answers (safety: someone controls her place, her papers).
    assert "Safety first" not in text and "No safe place to stay tonight" not in text
    assert "\nSafety\n" not in text and "\nMoney\n" not in text
    assert "Safe Harbour Shelter (fictional)" in text and "Day and Night Crisis Line" in text
    assert "Have my own place and finish my GED." in text  # a goal, in their words
    assert "Page 1 / " in text
    assert "Prefer not to say" not in text and "Skipped" not in text  # not shared


def test_plan_command_refuses_bad_input(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    both = cli("plan", "needs-assessment", "examples/needs-assessment-lee.yaml")
    assert both.returncode == 2
    bad = cli("plan", "needs-assessment", {"nope": 1}, "--html", tmp_path / "x.html")
    assert bad.returncode == 1 and "nope" in bad.stderr and "Traceback" not in bad.stderr
    wrong = cli(
        "plan",
        "needs-assessment",
        "examples/needs-assessment-lee.yaml",
        "--locale",
        "xx",
        "--html",
        tmp_path / "x.html",
    )
    assert wrong.returncode == 2


def _shelter_plan(locale: str) -> tuple[str, list[str]]:
    services = directory.services(directory.demo())
    shelter = next(s for s in services if s.name.startswith("Safe Harbour"))
    plan = Plan(
        goals=(GOALS[locale],),
        referrals=(referral_for(Match(shelter, "housing", (), None, False)),),
        client_language=locale,
    )
    session = Interview(catalog.resolve("needs-assessment"))
    context = pdf.plan_context(
        session,
        iv.State(),
        plan,
        {},
        {s.id: s for s in services},
        locale=locale,
        second="en",
        today=dt.date(2026, 12, 1),
    )
    return pdf.render_html(context), [shelter.name_in(locale) or shelter.name]


@pytest.mark.parametrize("locale", list(GOALS))
def test_every_shipped_language_prints_with_real_glyphs(locale: str, tmp_path: Path) -> None:
    html, names = _shelter_plan(locale)
    data, missing = pdf.render_pdf(html)
    assert missing == []
    text = squash(text_of(data, tmp_path))
    assert squash(GOALS[locale]) in text
    for name in names:
        assert words(name) and all(w in text for w in words(name)), name


def test_the_glyph_check_fails_when_no_font_has_the_character() -> None:
    _, missing = pdf.render_pdf('<p lang="en">A private-use character: \ue000</p>')
    assert missing and "U+E000" in missing[0]


def test_bilingual_arabic_english_marks_each_part(tmp_path: Path) -> None:
    html, _ = _shelter_plan("ar")
    assert 'lang="ar" dir="rtl">ملجأ المرفأ الآمن (خيالي)<' in html
    assert 'lang="en" dir="ltr">Safe Harbour Shelter (fictional)<' in html
    assert 'class="bi"' in html
    data, missing = pdf.render_pdf(html)
    assert missing == []
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False)
    listed = fonts.stdout.decode() if fonts.returncode == 0 else ""
    if not listed:  # older pdffonts cannot read stdin
        path = tmp_path / "b.pdf"
        path.write_bytes(data)
        listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-Arabic" in listed


@pytest.mark.parametrize(("paper", "size"), [("a4", "(A4)"), ("letter", "612 x 792")])
def test_paper_sizes(paper: str, size: str, tmp_path: Path) -> None:
    if shutil.which("pdfinfo") is None:
        pytest.skip("needs pdfinfo")
    session = Interview(catalog.resolve("phq9"))
    context = pdf.plan_context(
        session, iv.State(), Plan(), {}, {}, locale="en", paper=paper, today=dt.date(2026, 12, 1)
    )
    data, _ = pdf.render_pdf(pdf.render_html(context))
    path = tmp_path / "p.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert size in info


def test_youth_download_has_no_identifying_detail(tmp_path: Path) -> None:
    from screening.core import plan as plans
    from screening.core.matching import Preferences

    session = Interview(catalog.resolve("youth-check-in"))
    answers = catalog.read_answers(str(ROOT / "examples" / "youth-check-in-sam.yaml"))
    state = iv.State(answers=catalog.parse_answers(session, answers))
    matches = plans.suggestions(session, state, directory.services(directory.demo()), Preferences())
    html = pdf.anonymous_summary(session, state, matches, today=dt.date(2026, 12, 1), pdf=False)
    text = html.decode()
    assert "Basketball and drawing" not in text  # their own words stay off the file
    assert "What you told us" not in text and "2026-12-01" not in text
    assert "Youth Night Drop-in (fictional)" in text
    data = pdf.anonymous_summary(session, state, matches, today=dt.date(2026, 12, 1))
    printed = text_of(data, tmp_path)
    assert "This file has no name or details about you." in printed
    assert "Basketball" not in printed


@pytest.mark.parametrize("locale", ["ar", "ti", "zh-Hans"])
def test_the_plan_speaks_the_clients_language(locale: str) -> None:
    """The instruments' own words on the plan (needs, strengths, what was said) come from
    the shipped catalogs, not only the plan's headings."""
    from screening.i18n.translate import translate

    session = Interview(catalog.resolve("needs-assessment"))
    answers = catalog.read_answers(str(ROOT / "examples" / "needs-assessment-lee.yaml"))
    state = iv.State(answers=catalog.parse_answers(session, answers))
    context = pdf.plan_context(
        session, state, Plan(), {}, {}, locale=locale, second="en", today=dt.date(2026, 12, 1)
    )
    html = pdf.render_html(context)
    translated = translate(session.instruments[0], locale)
    labels = {s.id: str(s.person) for s in translated.strengths}  # "My plan": the person's
    english = {s.id: str(s.person) for s in session.instruments[0].strengths}
    found = [sid for sid in labels if labels[sid] in html]
    assert found, "no translated strength on the plan"
    assert all(english[sid] not in html for sid in found)
