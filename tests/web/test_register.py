"""One register per audience (issue 13, point 3): a young person alone on the private
check-in is spoken to as *tu* (French) or *tú* (Spanish); a worker-led interview speaks
as *vous* / *usted*. Checked on the pages as rendered, walked through their plain forms
from the start page to the summary, with a help screen, a refused answer and, on the
private check-in, a share code on the way. The shared UI strings get their register
from their message context (``youth`` / ``worker``; see screening/i18n/audience.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.i18n.audience import AUDIENCES, lookup
from screening.i18n.catalogs import UI_DOMAIN, translations
from tests.support.apps import web_app
from tests.support.html import data_screen, form, forms, screen, sign_in, submit

# Answers that raise an urgent flag, so the walk passes a help screen.
PRIVATE_ANSWERS = {
    "youth-check-in": {
        "y_safe_right_now": "yes",
        "y_safe_place_tonight": "yes",
        "y_pressured": "yes",
    },
    "phq9": {"phq9_9": "1"},
    "gad7": {},
    "pc-ptsd-5": {"pcptsd5_gate": "1"},
}
WORKER_ANSWERS = {"safe_right_now": "no"}

FORMAL = {
    "fr": re.compile(r"(?<!rendez-)\b(vous|votre|vos|vôtres?)\b", re.I),
    "es": re.compile(r"\b(usted|ustedes)\b|\bsus? respuestas?\b", re.I),
    "zh-Hans": re.compile("您"),
}
INFORMAL = {
    "fr": re.compile(r"\b(tu|toi|ton|ta|tes|te)\b|\bt['’]", re.I),
    "es": re.compile(r"\b(tú|tu|tus|te|ti|contigo)\b", re.I),
    "zh-Hans": re.compile("你"),
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


class _Text(HTMLParser):
    """The text a person sees: every text node outside <script>/<style>/<template>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _step(client: FlaskClient, html: str, answers: dict[str, str], go_on: str) -> None:
    kind = screen(html)
    if kind in ("education", "help"):
        response = submit(client, form(html, go_on))
    elif kind == "section":
        section = next(f for f in forms(html) if f.action.endswith("section"))
        response = submit(client, section, ("choice", "enter"))
    else:
        f = next(f for f in forms(html) if f.action.endswith("answer"))
        item = f.hidden("item")
        if item in answers:
            response = submit(client, f, ("action", "next"), value=answers[item])
        else:
            response = submit(client, f, ("action", "skip"))
    assert response.status_code == 303, response.text


def _walk(
    client: FlaskClient, url: str, answers: dict[str, str], go_on: str
) -> list[tuple[str, str]]:
    """(screen, page) of every screen to the summary, plus one refused answer."""
    seen: list[tuple[str, str]] = []
    refused = False
    for _ in range(80):
        page = client.get(url)
        assert page.status_code == 200, page.text
        kind = data_screen(page.text) or "other"
        seen.append((kind, page.text))
        if kind == "summary":
            return seen
        if kind == "question" and not refused:  # "Choose an answer": said to the person
            f = next(f for f in forms(page.text) if f.action.endswith("answer"))
            bad = submit(client, f, ("action", "next"))
            assert bad.status_code == 400
            seen.append(("refused", bad.text))
            refused = True
        _step(client, page.text, answers, go_on)
    raise AssertionError("the interview did not end")


def youth_pages(
    client: FlaskClient, lang: str, instrument: str = "youth-check-in"
) -> list[tuple[str, str]]:
    start = client.get(f"/checkin?lang={lang}")
    assert start.status_code == 200
    seen = [("start", start.text)]
    response = submit(client, form(start.text, "/checkin/start"), instrument=instrument)
    assert response.status_code == 303, response.text
    seen += _walk(client, "/checkin", PRIVATE_ANSWERS[instrument], "/checkin/continue")
    summary = seen[-1][1]
    shared = submit(client, form(summary, "/checkin/share"))
    assert shared.status_code == 200, shared.text
    seen.append(("share code", shared.text))
    return seen


def worker_pages(client: FlaskClient, lang: str) -> list[tuple[str, str]]:
    home = client.get("/")
    seen = [("home", home.text)]
    response = submit(
        client, form(home.text, "/interviews"), instrument=["needs-assessment"], lang=lang
    )
    assert response.status_code == 303, response.text
    url = str(response.location)
    consent = client.get(url)
    seen.append(("consent", consent.text))
    done = submit(client, form(consent.text, "/consent"), store="yes", share="no", statistics="no")
    assert done.status_code == 303
    return seen + _walk(client, url, WORKER_ANSWERS, "/help")


def _offending(pages: list[tuple[str, str]], pattern: re.Pattern[str]) -> list[str]:
    found = []
    for kind, html in pages:
        for line in visible(html).splitlines():
            if pattern.search(line):
                found.append(f"{kind}: {line}")
    return found


@pytest.mark.parametrize("lang", ["fr", "es", "zh-Hans"])
def test_the_private_check_in_speaks_informally_only(app: Flask, lang: str) -> None:
    pages = youth_pages(app.test_client(), lang)
    kinds = {k for k, _ in pages}
    assert {"start", "education", "warning", "question", "refused", "help", "summary"} <= kinds
    assert 'lang="' + lang + '"' in pages[-1][1]
    assert _offending(pages, FORMAL[lang]) == []
    assert any(INFORMAL[lang].search(visible(html)) for _, html in pages)  # it does say tu


@pytest.mark.parametrize(
    ("lang", "instrument"),
    [("fr", "phq9"), ("fr", "gad7"), ("fr", "pc-ptsd-5"), ("es", "phq9"), ("zh-Hans", "pc-ptsd-5")],
)
def test_the_scales_in_the_private_check_in_never_speak_formally(
    app: Flask, lang: str, instrument: str
) -> None:
    """The scales are offered on their own too: their texts are written without a form
    of address, so the youth register holds there as well."""
    pages = youth_pages(app.test_client(), lang, instrument)
    assert "summary" in {k for k, _ in pages}
    assert _offending(pages, FORMAL[lang]) == []


@pytest.mark.parametrize("lang", ["fr", "es", "zh-Hans"])
def test_a_worker_led_interview_speaks_formally_only(app: Flask, lang: str) -> None:
    pages = worker_pages(sign_in(app), lang)
    kinds = {k for k, _ in pages}
    assert {"consent", "warning", "question", "refused", "help", "summary"} <= kinds
    assert _offending(pages, INFORMAL[lang]) == []
    assert any(FORMAL[lang].search(visible(html)) for _, html in pages)  # it does say vous


def test_the_check_can_fail() -> None:
    """The pattern finds a tu form in a line of text, and the youth context differs."""
    assert (
        _offending([("x", "<p>Choisis une réponse, ou appuie sur Passer.</p>")], FORMAL["fr"]) == []
    )
    assert _offending([("x", "<p>Tes réponses</p>")], INFORMAL["fr"]) == ["x: Tes réponses"]
    assert _offending([("x", "<p>Il t'aide</p>")], INFORMAL["fr"]) == ["x: Il t'aide"]
    assert _offending([("x", "<p>Ces temps-ci, c'est un test</p>")], INFORMAL["fr"]) == []
    fr = translations("fr", UI_DOMAIN)
    said = {a: lookup(fr, a, "Your answers") for a in AUDIENCES}
    assert said == {"youth": "Tes réponses", "worker": "Vos réponses"}


def test_a_catalog_without_the_context_falls_back_to_its_one_translation() -> None:
    fr = translations("fr", UI_DOMAIN)
    assert lookup(fr, "youth", "Summary") == fr.gettext("Summary") != "Summary"
    assert lookup(fr, "youth", "No such message") == "No such message"


# Second-person forms that address a man only (their feminine differs in writing); the
# youth pages use the verbal noun, يمكنك / لديك / لا يلزمك + noun, or the first person.
ARABIC_MASCULINE = re.compile(
    r"\b(تريد|تريدها|تستطيع|تحمل|تفعل|تفعلها|تشعر|تحتاج|تثق|تجيد|تجيده|تجيب|تقول|"
    r"متأكدًا|مضطرًا|مضطراً)\b|تكون آمنًا"
)


@pytest.mark.parametrize("instrument", ["youth-check-in", "phq9"])
def test_the_arabic_private_check_in_addresses_any_gender(app: Flask, instrument: str) -> None:
    pages = youth_pages(app.test_client(), "ar", instrument)
    assert 'dir="rtl"' in pages[-1][1]
    assert _offending(pages, ARABIC_MASCULINE) == []
    assert _offending([("x", "<p>هل تشعر بالأمان الآن؟</p>")], ARABIC_MASCULINE)  # can fail
