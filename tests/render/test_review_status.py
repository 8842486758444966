"""The printed plan says, for each instrument asked, its honest review status: draft,
validated, or reviewed only when a signed review record backs it (a claim without one
never loads, so it can never be printed)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from screening.codesign import reviews
from screening.core import interview as iv
from screening.core.plan import Plan
from screening.core.route import Interview
from screening.errors import InstrumentError
from screening.load import catalog
from screening.load.loader import load_bytes, load_file
from screening.render import pdf
from tests.support.paths import INSTRUMENTS

REVIEWED = "reviewed-by-lived-experience"


def printed(session: Interview, locale: str, second: str | None = None) -> str:
    context = pdf.plan_context(
        session,
        iv.State(),
        Plan(client_language=locale),
        {},
        {},
        locale=locale,
        second=second,
        today=dt.date(2026, 12, 4),
    )
    return pdf.render_html(context)


def about(html: str) -> str:
    return html.split('<section class="about">', 1)[1].split("</section>", 1)[0]


def test_draft_and_validated_are_said_in_both_languages() -> None:
    html = about(printed(Interview(catalog.resolve("needs-assessment,phq9")), "ar", "en"))
    assert "About these questions" in html and "عن هذه الأسئلة" in html
    assert "A draft: not yet reviewed by people with lived experience." in html
    assert "مسودة: لم يراجعها بعد أشخاص لديهم تجربة معاشة." in html
    assert "A published, validated questionnaire." in html
    assert "Reviewed by" not in html


def test_reviewed_only_with_a_signed_record(tmp_path: Path) -> None:
    text = (INSTRUMENTS / "youth-check-in.yaml").read_text(encoding="utf-8")
    text = text.replace("\n  status: draft\n", f"\n  status: {REVIEWED}\n")
    with pytest.raises(InstrumentError, match=r"codesign\.status"):
        load_bytes(text.encode(), "youth-check-in.yaml")  # no record can back it
    folder = tmp_path / "instruments"
    folder.mkdir()
    path = folder / "youth-check-in.yaml"
    path.write_text(text, encoding="utf-8")
    key = tmp_path / "review.key"
    reviews.keygen(key, folder / "reviews" / "keys")
    round_ = yaml.safe_load(
        "{instrument: youth-check-in, version: 0.3.0, from: '2026-11-02', to: '2026-11-27',"
        " reviewers: {survivor: 2}, feedback: 9, resolved: 9}"
    )
    reviews.sign(reviews.parse_round(round_), path, key)
    html = about(printed(Interview([load_file(path)]), "fr"))
    assert "Relue par des personnes ayant un vécu de ces situations." in html
    shutil.rmtree(folder / "reviews")
    with pytest.raises(InstrumentError, match=r"codesign\.status"):
        load_file(path)
