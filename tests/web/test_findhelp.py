"""The public services pages (issue 20): /services, its printable list and
GET /api/v1/services, without an account, a cookie or storage, in every language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from screening.config import DEFAULT_EXIT_URL
from screening.directory import hsds as directory
from screening.i18n.locales import LANGUAGES
from tests.support.apps import BACKENDS, web_app
from tests.support.html import BROWSER, BUDGET, fonts_for

MUST = "no_id=1&open_24_7=1&language=ar"


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [])


@pytest.fixture
def one_app(tmp_path: Path) -> Iterator[Flask]:
    """For what storage does not change (printing): SQLite only."""
    yield from web_app("sqlite", tmp_path, [])


def _expected() -> list[str]:
    """Read from the demo directory's raw HSDS records, not through our reader."""
    raw = json.loads(directory.bundled_path().read_text(encoding="utf-8"))["contents"]
    out = []
    for s in raw:
        facts = {a["taxonomy_term"]["code"] for a in s.get("attributes", [])}
        always = any(
            x.get("opens_at") == "00:00" and x.get("closes_at") == "23:59"
            for x in s.get("schedules", [])
        )
        arabic = any(x.get("code") == "ar" for x in s.get("languages", []))
        if "no-id-required" in facts and always and arabic:
            out.append(s["id"])
    return sorted(out)


def _ids(html: str) -> list[str]:
    return sorted(re.findall(r'data-service="([^"]+)"', html))


def _no_cookie(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert "Set-Cookie" not in headers, headers.get("Set-Cookie")


def test_the_must_show_query_without_a_cookie(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    page = client.get(f"/services?{MUST}", headers={"Accept-Encoding": BROWSER})
    assert page.status_code == 200 and page.headers.get("Content-Encoding")
    _no_cookie(page)
    html = client.get(f"/services?{MUST}").text
    expected = _expected()
    assert expected and _ids(html) == expected  # only services having all three
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>" + "خدمات محلية" + "</title>" in html  # neutral: "Local services"
    exit_link = re.search(r'<a class="button exit" id="quick-exit" href="([^"]+)"', html)
    assert exit_link and exit_link.group(1) == DEFAULT_EXIT_URL  # works without script
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any("exit.js" in a for a in assets) and any("app.css" in a for a in assets)
    sent = len(page.data)
    for asset in assets:
        got = client.get(asset, headers={"Accept-Encoding": BROWSER})
        assert got.status_code == 200
        _no_cookie(got)
        sent += len(got.data)
    fonts = fonts_for(client, html)
    names = {k: v for k, v in fonts.items() if "autonym" in k}  # the language links
    text = set(fonts) - set(names)
    assert text <= {"fonts/noto-arabic-regular.woff2", "fonts/noto-arabic-bold.woff2"}
    total = sent + sum(names.values())
    print(f"/services?{MUST}: {sent} B page and assets + {sum(names.values())} B names")
    assert 0 < total <= BUDGET, total
    api = client.get(f"/api/v1/services?{MUST}")
    _no_cookie(api)
    body = api.json
    assert sorted(s["id"] for s in body["contents"]) == expected  # the same services
    assert {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    } <= set(body)
    assert body["total_items"] == len(expected) and body["page_number"] == 1
    # HSDS service objects, nested: they read back as a directory of their own
    tables = directory.read_json(body, "api")
    assert sorted(s["id"] for s in tables["service"]) == expected
    assert all(s["phones"] and s["schedules"] and s["languages"] for s in body["contents"])


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_first_page_of_everything_fits_the_budget(one_app: Flask, code: str) -> None:
    client = one_app.test_client(use_cookies=False)
    url = f"/services?lang={code}"
    html = client.get(url).text
    assert html.count("<li data-service=") == 10  # a page of ten, then "Next page"
    sent = len(client.get(url, headers={"Accept-Encoding": BROWSER}).data)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        sent += len(client.get(asset, headers={"Accept-Encoding": BROWSER}).data)
    names = sum(v for k, v in fonts_for(client, html).items() if "autonym" in k)
    assert sent + names <= BUDGET, (code, sent, names)


def test_each_service_says_what_to_bring_hours_way_phone_and_languages(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    html = client.get("/services?lang=en&per_page=200").text
    cards = html.split('<li data-service="')[1:]
    assert len(cards) == 17
    for card in cards:
        assert "What to bring" in card and "Hours" in card and "Languages spoken" in card
        assert re.search(r'<a href="tel:\+?[0-9]+">', card)
    raw = json.loads(directory.bundled_path().read_text(encoding="utf-8"))["contents"]
    located = [
        s
        for s in raw
        if any(x.get("location", {}).get("addresses") for x in s.get("service_at_locations", []))
    ]
    assert located and html.count("How to get there") == len(located)
    assert "211" in html and 'href="https://211.ca/"' in html and 'href="tel:211"' in html


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_and_no_cookie_anywhere(app: Flask, code: str) -> None:
    client = app.test_client(use_cookies=False)
    for url in (
        f"/services?lang={code}",
        f"/services?lang={code}&need=food&free=1&area=T0X+0X0",
        f"/services/print?lang={code}&{MUST}",
        f"/services?lang={code}&no_id=maybe",  # 400: the error page keeps the exit
        f"/services/print?lang={code}&page=0",
    ):
        response = client.get(url, headers={"Cookie": "lang=fr; sid=x"})
        _no_cookie(response)
        assert response.status_code in (200, 400), url
        html = response.text
        direction = "rtl" if code == "ar" else "ltr"
        assert f'dir="{direction}"' in html.split(">", 2)[1], url
        assert 'id="quick-exit"' in html, url  # errors included: our own exit link
        assert "/checkin" not in html, url  # nothing of the check-in on these pages
        if response.status_code == 200:
            assert f'<html lang="{code}"' in html
    for url in ("/services?lang=xx", "/api/v1/services?free=2", "/api/v1/services?x=1"):
        response = client.get(url)
        assert response.status_code == 400
        _no_cookie(response)


def test_bad_api_queries_say_what_is_allowed(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    body = client.get("/api/v1/services?need=unicorns").json
    assert body["error"]["code"] == "bad-query" and "housing" in body["error"]["message"]


def test_the_list_to_carry_holds_contacts_only_on_one_page(one_app: Flask) -> None:
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcherResponse  # type: ignore[import-untyped]

    client = one_app.test_client(use_cookies=False)
    html = client.get("/services/print?lang=en").text
    assert "<h1>Contacts</h1>" in html
    assert "Talk with someone" not in html  # no description
    assert "Feeling safe" not in html and "What do you need" not in html  # no need named
    assert len(_ids(html)) == 10

    def fetch(url: str, timeout: int = 10, ssl_context: object = None) -> object:
        assert url.startswith("http://local/static/"), url  # nothing from outside
        got = client.get(url.removeprefix("http://local"))
        return URLFetcherResponse(url, body=got.data, headers={"Content-Type": got.mimetype})

    document = HTML(string=html, base_url="http://local/", url_fetcher=fetch).render(
        presentational_hints=True
    )
    assert len(document.pages) == 1


def test_the_readme_documents_every_parameter_and_the_211_settings() -> None:
    from screening.config import ConfigError, Settings
    from screening.directory.search import PARAMETERS
    from tests.support.paths import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Finding a service without an interview", 1)[1][:6000]
    for name in (*PARAMETERS, "lang"):
        assert f"`{name}=" in section, name
    assert "SCREENING_211_URL" in readme and "SCREENING_211_PHONE" in readme
    env = {"SCREENING_INSTANCE": "/nonexistent", "SCREENING_SECRET_KEY": "k" * 40}
    assert Settings.from_env({**env, "SCREENING_211_URL": "https://ab.211.ca/"}).help_211_url
    for bad in ({"SCREENING_211_URL": "http://211.ca"}, {"SCREENING_211_PHONE": "call me"}):
        with pytest.raises(ConfigError):
            Settings.from_env({**env, **bad})
