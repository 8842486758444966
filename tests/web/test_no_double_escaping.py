"""No double escaping (issue 13, point 4): every shipped instrument's intro, education
screen, content warnings, section intros and questions, in every language, read as text
on the real pages. Each interview is walked to its summary through the plain forms (as
without JavaScript): every section entered, every question skipped, so every screen
with a multi-paragraph text is rendered. What a browser shows (character references
decoded once) must hold no ``&#``, ``&amp;``, ``&quot;``, ``&lt;`` or ``&gt;``: those
only show when a text was escaped twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.i18n.locales import LANGUAGES
from screening.load.loader import load_file
from tests.support.apps import web_app
from tests.support.html import data_screen, form, forms, h1, sign_in, submit
from tests.support.paths import INSTRUMENTS

ESCAPED_TWICE = re.compile(r"&(?:#x?[0-9a-fA-F]+|amp|quot|lt|gt|apos);?")
SHIPPED = {p.stem: load_file(p) for p in sorted(INSTRUMENTS.glob("*.yaml"))}
WORKER_INSTRUMENTS = [i for i, ins in SHIPPED.items() if "worker" in ins.audiences]
PRIVATE_INSTRUMENTS = [i for i, ins in SHIPPED.items() if "private" in ins.audiences]


class _Shown(HTMLParser):
    """The text a browser shows: data outside <script> and <style>, references decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def shown(html: str) -> str:
    parser = _Shown()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def test_the_check_finds_a_text_escaped_twice() -> None:
    assert ESCAPED_TWICE.search(shown("<p>C&amp;#39;est</p>"))
    assert ESCAPED_TWICE.search(shown("<p>&amp;#34;prefer not to say&amp;#34;</p>"))
    assert ESCAPED_TWICE.search(shown("<p>Tom &amp;amp; Jerry</p>"))
    assert not ESCAPED_TWICE.search(shown("<p>C&#39;est &quot;oui&quot; &amp; non</p>"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path_factory.mktemp("escaping"), [("ana", "Org A")])


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return sign_in(app)  # once: signing in 40 times would meet the sign-in limit


def _start(client: FlaskClient, instrument: str, code: str) -> str:
    home = form(client.get("/").text, "/interviews")
    response = submit(client, home, instrument=[instrument], lang=code)
    assert response.status_code == 303, response.text
    url = str(response.location)
    consent = form(client.get(url).text, "/consent")
    done = submit(client, consent, store="yes", share="no", service="", statistics="no")
    assert done.status_code == 303, done.text
    return url


def _walk(client: FlaskClient, url: str, go_on: str = "/help") -> Iterator[tuple[str, str]]:
    """(screen, page) for every screen of the interview, to its summary."""
    for _ in range(200):
        page = client.get(url)
        assert page.status_code == 200, page.text
        kind = data_screen(page.text) or "other"
        yield kind, page.text
        if kind == "summary":
            return
        if kind in ("education", "help"):
            response = submit(client, form(page.text, go_on))
        elif kind == "warning":
            enter = next(f for f in forms(page.text) if f.action.endswith("section"))
            response = submit(client, enter, ("choice", "enter"))
        else:
            answer = next(f for f in forms(page.text) if f.action.endswith("answer"))
            response = submit(client, answer, ("action", "skip"))
        assert response.status_code == 303, response.text
    raise AssertionError("the interview did not end")


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("instrument", WORKER_INSTRUMENTS)
def test_no_text_is_escaped_twice_on_any_screen(
    client: FlaskClient, instrument: str, code: str
) -> None:
    seen = []
    for kind, page in _walk(client, _start(client, instrument, code)):
        seen.append(kind)
        text = shown(page)
        found = ESCAPED_TWICE.search(text)
        assert found is None, (instrument, code, kind, h1(page), text[: found.start() + 80])
    assert seen[-1] == "summary" and "question" in seen


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("instrument", PRIVATE_INSTRUMENTS)
def test_no_text_is_escaped_twice_in_the_private_check_in(
    app: Flask, instrument: str, code: str
) -> None:
    person = app.test_client()
    start = person.get(f"/checkin?lang={code}")
    assert ESCAPED_TWICE.search(shown(start.text)) is None, shown(start.text)
    begun = submit(person, form(start.text, "/checkin/start"), instrument=instrument, lang=code)
    assert begun.status_code == 303, begun.text
    seen = []
    for kind, page in _walk(person, "/checkin", "/checkin/continue"):
        seen.append(kind)
        text = shown(page)
        found = ESCAPED_TWICE.search(text)
        assert found is None, (instrument, code, kind, h1(page), text[: found.start() + 80])
    assert seen[-1] == "summary" and "question" in seen


@pytest.mark.parametrize("second", [c for c in LANGUAGES if c != "en"])
def test_no_text_is_escaped_twice_beside_a_second_language(
    client: FlaskClient, second: str
) -> None:
    """Interpreter mode shows each text in two languages side by side: every shipped
    instrument's first screens (its intro, education and first warning) in both."""
    for instrument in WORKER_INSTRUMENTS:
        home = form(client.get("/").text, "/interviews")
        response = submit(client, home, instrument=[instrument], lang="en", second=second)
        assert response.status_code == 303, response.text
        url = str(response.location)
        consent = form(client.get(url).text, "/consent")
        done = submit(client, consent, store="yes", share="no", service="", statistics="no")
        assert done.status_code == 303, done.text
        for n, (kind, page) in enumerate(_walk(client, url)):
            text = shown(page)
            found = ESCAPED_TWICE.search(text)
            assert found is None, (instrument, second, kind, text[: found.start() + 80])
            if n >= 3:
                break
