"""Languages: catalogs, placeholders, codes, the report, the API and the pages (issue 4)."""

from __future__ import annotations

import io
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask

from screening.i18n import catalogs, translate
from screening.i18n.locales import LANGUAGES, TARGETS, UnknownLanguage, babel_id, parse_code
from screening.web.i18n import guess
from tests.support.api import Flow, signed_in
from tests.support.apps import web_app
from tests.support.html import (
    BUDGET,
    fonts_for,
    form,
    screen,
    sent,
    sign_in,
    submit,
    value_for,
)
from tests.support.paths import ROOT

LOCALES = ROOT / "locales"
PO_FILES = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


@pytest.fixture
def fresh_catalogs() -> Iterator[None]:
    catalogs.clear_cache()
    translate.clear_cache()
    yield
    catalogs.clear_cache()
    translate.clear_cache()


# ---------------------------------------------------------------- codes


def test_codes_are_bcp47_and_map_to_babel() -> None:
    assert LANGUAGES == ("en", "fr", "es", "ar", "zh-Hans", "pa", "tl", "ti")
    assert babel_id("tl") == "fil" and babel_id("zh-Hans") == "zh_Hans"
    assert parse_code("ZH_hans") == "zh-Hans"
    for bad in ("xx", "fil", "", None, 3, "en-US-x" * 20):
        with pytest.raises(UnknownLanguage):
            parse_code(bad)


def test_accept_language_is_a_first_guess() -> None:
    assert guess("ar-EG,ar;q=0.9,en;q=0.5") == "ar"
    assert guess("fil-PH") == "tl"
    assert guess("zh-CN,zh;q=0.9") == "zh-Hans"
    assert guess("de-DE, ti;q=0.4") == "ti"
    assert guess("de, ja") == "en"


def test_each_code_loads_its_own_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_catalogs: None
) -> None:
    """A naive lookup by Babel's identifier would miss locales/tl and locales/zh-Hans."""
    monkeypatch.setenv(catalogs.LOCALES_ENV, str(tmp_path))
    for code in TARGETS:
        catalog = Catalog(locale=babel_id(code), domain="messages")
        catalog.add("Next", f"next-in-{code}")
        path = catalogs.po_path(code, "messages", tmp_path)
        catalogs.write_catalog(catalog, path)
        catalogs.compile_catalog(path)
    for code in TARGETS:
        assert catalogs.translations(code, "messages").ugettext("Next") == f"next-in-{code}"
    assert catalogs.translations("en", "messages").ugettext("Next") == "Next"


# ---------------------------------------------------------------- catalogs as shipped


def test_every_language_has_every_catalog() -> None:
    domains = catalogs.domains(LOCALES)
    instruments = {p.stem for p in (ROOT / "instruments").glob("*.yaml")}
    assert set(domains) == {"messages"} | {f"instrument-{i}" for i in instruments}
    for code in TARGETS:
        for domain in domains:
            assert catalogs.po_path(code, domain, LOCALES).is_file(), (code, domain)


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_catalog_compiles_and_marks_review_honestly(po: Path) -> None:
    text = po.read_text(encoding="utf-8")
    assert "NOT YET REVIEWED" in text
    with open(po, "rb") as handle:
        catalog = read_po(handle)
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy is never used for review"
    problems = [(m.id, e) for m, errors in catalog.check() for e in errors]
    assert not problems
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} missing: run `screening i18n compile`"
    with open(mo, "rb") as handle:
        compiled = {(m.context, m.id): m.string for m in read_mo(handle) if m.id}
    # Keyed with the message context: one message may read differently per audience.
    expected = {(m.context, m.id): m.string for m in catalog if m.id and m.string and not m.fuzzy}
    for key, value in expected.items():
        assert compiled.get(key) == value, f"{mo} is stale: run `screening i18n compile`"


_FORMAT = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def _placeholders(text: str) -> tuple[list[str], list[str]]:
    braces = sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)
    return sorted(_FORMAT.findall(text)), braces


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_no_placeholder_lost_or_added(po: Path) -> None:
    with open(po, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        want = _placeholders(ids[-1])
        for translated in strings:
            if not translated:
                continue
            try:
                got = _placeholders(translated)
            except ValueError:  # an unbalanced brace
                got = ([], ["<broken>"])
            assert got == want, f"{po}: {message.id!r} -> {translated!r}"


def test_placeholder_check_catches_a_lost_placeholder() -> None:
    assert _placeholders("Question %(number)s of %(total)s") != _placeholders("Question %(number)s")
    assert _placeholders("{name} here") != _placeholders("here")


# ---------------------------------------------------------------- the commands


def test_report_json_shape_and_threshold(cli: object) -> None:
    run = cli  # type: ignore[assignment]
    done = run("i18n", "report", "--json")  # type: ignore[operator]
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data["languages"]) == list(LANGUAGES)
    en = data["languages"]["en"]
    assert en["ui"] == {"translated": 100.0, "reviewed": 100.0}
    instruments = {p.stem for p in (ROOT / "instruments").glob("*.yaml")}
    for code in LANGUAGES:
        entry = data["languages"][code]
        assert set(entry["instruments"]) == instruments
        for numbers in [entry["ui"], *entry["instruments"].values()]:
            assert 0 <= numbers["reviewed"] <= numbers["translated"] <= 100
    lowest = min(
        n["translated"]
        for e in data["languages"].values()
        for n in [e["ui"], *e["instruments"].values()]
    )
    assert run("i18n", "report", "--min-translated", "0").returncode == 0  # type: ignore[operator]
    if lowest < 100:
        failed = run("i18n", "report", "--min-translated", "100")  # type: ignore[operator]
        assert failed.returncode == 1 and "<" in failed.stderr


def test_report_counts_reviewed_from_the_translator_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_catalogs: None
) -> None:
    from screening.i18n import report

    template = Catalog()
    for word in ("One", "Two", "Three", "Four"):
        template.add(word)
    catalogs.write_catalog(template, catalogs.pot_path("messages", tmp_path))
    catalog = catalogs.new_catalog(template, "ar", "messages")
    catalog["One"].string = "واحد"
    catalog["Two"].string = "اثنان"
    catalog["Two"].user_comments = ["reviewed-by: A. Translator, 2026-12-01"]
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path = catalogs.po_path("ar", "messages", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(buffer.getvalue())
    data = report.build(tmp_path)
    assert data["languages"]["ar"]["ui"] == {"translated": 50.0, "reviewed": 25.0}
    assert data["languages"]["fr"]["ui"] == {"translated": 0.0, "reviewed": 0.0}


def test_cli_unknown_language_is_exit_1_not_a_traceback(cli: object) -> None:
    done = cli("i18n", "update", "--lang", "xx")  # type: ignore[operator]
    assert done.returncode in (1, 2) and "unknown language" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- API


def _start(client: object, **body: object) -> tuple[Flow, dict]:
    response = client.post("/api/v1/interviews", json={"instrument": "needs-assessment", **body})  # type: ignore[attr-defined]
    assert response.status_code == 201, response.json
    return Flow(client, response.json["id"]), response.json["step"]  # type: ignore[arg-type]


def test_unknown_language_is_400(app: Flask) -> None:
    client = signed_in(app)
    for body in ({"locale": "xx"}, {"locale": 5}, {"locale": "fr", "second_locale": "klingon"}):
        response = client.post("/api/v1/interviews", json={"instrument": "phq9", **body})
        assert response.status_code == 400 and response.json["error"]["code"] == "unknown-locale"
    flow, _ = _start(client)
    bad = client.patch(f"/api/v1/interviews/{flow.id}", json={"locale": "xx"})
    assert bad.status_code == 400


def test_interpreter_mode_carries_both_languages(app: Flask) -> None:
    client = signed_in(app)
    _flow, step = _start(client, mode="worker", locale="ti", second_locale="en")
    item = step["item"]
    assert set(item["texts"]) == {"ti", "en"}
    for block in item["texts"].values():
        assert {"text", "why", "options"} <= set(block)
        assert [o["value"] for o in block["options"]] == [o["value"] for o in item["options"]]
    assert item["texts"]["en"]["text"] == "Do you feel safe right now?"


def test_changing_language_mid_interview_keeps_every_answer(app: Flask) -> None:
    client = signed_in(app)
    flow, _ = _start(client, locale="en")
    flow.answer("safe_right_now", "yes")
    flow.answer("safe_place_tonight", "no")
    before = client.get(f"/api/v1/interviews/{flow.id}").json
    changed = client.patch(f"/api/v1/interviews/{flow.id}", json={"locale": "ar"})
    assert changed.status_code == 200, changed.json
    assert changed.json["languages"]["locale"] == "ar"
    assert changed.json["languages"]["languages_used"] == ["en", "ar"]
    after = client.get(f"/api/v1/interviews/{flow.id}").json
    assert after["answers"] == before["answers"] == changed.json["answers"]
    assert after["step"]["locale"] == "ar"
    back = client.patch(
        f"/api/v1/interviews/{flow.id}",
        json={"locale": "fr", "interpreter": True, "interpreter_who": "Agency X"},
    )
    assert back.json["languages"]["interpreter"] is True
    assert back.json["languages"]["interpreter_who"] == "Agency X"
    assert client.get(f"/api/v1/interviews/{flow.id}").json["answers"] == before["answers"]


def test_private_mode_offers_only_complete_languages(app: Flask) -> None:
    client = app.test_client()
    from screening.services.languages import complete_for

    for code in LANGUAGES:
        response = client.post(
            "/api/v1/interviews", json={"instrument": "phq9", "mode": "private", "locale": code}
        )
        expected = 201 if complete_for(["phq9"], code) else 400
        assert response.status_code == expected, (code, response.json)


def test_languages_route_declares_access(app: Flask) -> None:
    from screening.web.languages import ACCESS, API_ACCESS

    for prefix, table in (("languages.", ACCESS), ("languages_api.", API_ACCESS)):
        routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)}
        assert routes and routes == set(table)


# ---------------------------------------------------------------- pages


def _page_client(app: Flask) -> object:

    return sign_in(app)


def _start_page(app: Flask, **fields: str) -> tuple[object, str]:

    client = _page_client(app)
    home = client.get("/").get_data(as_text=True)  # type: ignore[attr-defined]
    response = submit(client, form(home, "/interviews"), instrument="needs-assessment", **fields)  # type: ignore[arg-type]
    assert response.status_code == 303, response.get_data(as_text=True)
    return client, response.headers["Location"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_page_in_each_language_has_lang_and_dir(app: Flask, code: str) -> None:
    client, where = _start_page(app, lang=code)
    html = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html


def test_unknown_language_on_pages_is_400(app: Flask) -> None:
    client, where = _start_page(app)

    page = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    response = submit(client, form(page, "/language"), lang="xx")  # type: ignore[arg-type]
    assert response.status_code == 400
    home = client.get("/").get_data(as_text=True)  # type: ignore[attr-defined]
    response = submit(client, form(home, "/interviews"), instrument="phq9", lang="xx")  # type: ignore[arg-type]
    assert response.status_code == 400


def test_interpreter_pages_show_both_languages(app: Flask) -> None:
    client, where = _start_page(app, lang="ti", second="en", who="Agency X")

    consent = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    answered = submit(client, form(consent, "/consent"), store="yes", share="no", statistics="no")  # type: ignore[arg-type]
    assert answered.status_code == 303
    html = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    if "Before this part" in html or 'class="bi"' in html:
        assert 'lang="ti" dir="ltr"' in html and 'lang="en" dir="ltr"' in html
        assert html.count('class="bi"') >= 2
    assert '<html lang="ti" dir="ltr">' in html


def test_page_language_change_keeps_answers(app: Flask) -> None:
    client, where = _start_page(app, lang="en")

    consent = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    submit(client, form(consent, "/consent"), store="yes", share="no", statistics="no")  # type: ignore[arg-type]
    page = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    response = submit(client, form(page, "/language"), lang="ar")  # type: ignore[arg-type]
    assert response.status_code == 303
    html = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    assert '<html lang="ar" dir="rtl">' in html
    assert "العربية" in html


def test_untranslated_text_is_marked_for_the_worker(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_catalogs: None
) -> None:

    monkeypatch.setenv(catalogs.LOCALES_ENV, str(tmp_path / "empty"))  # no French at all
    client, where = _start_page(app, lang="fr")
    consent = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    submit(client, form(consent, "/consent"), store="yes", share="no", statistics="no")  # type: ignore[arg-type]
    html = client.get(where).get_data(as_text=True)  # type: ignore[attr-defined]
    assert '<html lang="fr" dir="ltr">' in html
    assert '<span lang="en" dir="ltr" class="fallback">' in html
    assert "not yet translated" in html


@pytest.mark.parametrize("mode", [*LANGUAGES, "ti+en", "ar+en"])
def test_interview_pages_fit_the_budget_in_every_language(app: Flask, mode: str) -> None:
    """The page-weight budget (14 KB as sent, with the stylesheet and the read-aloud
    script) holds in every language and in interpreter mode (the first 25 screens)."""
    from screening.services.interviews import bundled_source

    code, _plus, second = mode.partition("+")
    client, url = _start_page(app, lang=code, second=second)
    first = client.get(url).text  # type: ignore[attr-defined]
    submit(client, form(first, "/consent"), store="yes", share="no", statistics="no")  # type: ignore[arg-type]
    page = client.get(url).text  # type: ignore[attr-defined]
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    extra = sum(sent(client, a)[0] for a in assets)  # type: ignore[arg-type]
    latin = code in ("en", "fr", "es", "tl") and second in ("", "en", "fr", "es", "tl")
    for n in range(25):
        page = client.get(url).text  # type: ignore[attr-defined]
        kind = screen(page)
        size, gz = sent(client, url)  # type: ignore[arg-type]
        # A Latin page's budget counts every byte, its web fonts too (none but the
        # language links' few glyphs); another script's page may add its font, cached
        # after the first load and counted apart.
        font = sum(fonts_for(client, page).values())  # type: ignore[arg-type]
        if latin:
            size, gz = size + font, gz + font
        else:
            assert font > 0, (mode, kind)
        assert size + extra <= BUDGET and gz + extra <= BUDGET, (mode, kind, size, gz, extra)
        assert f'lang="{code}"' in page
        if kind == "summary":
            break
        if kind == "section":
            submit(client, form(page, "/section"), ("choice", "enter"))  # type: ignore[arg-type]
        elif kind == "help":
            submit(client, form(page, "/help"))  # type: ignore[arg-type]
        else:
            f = form(page, "/answer")
            item = bundled_source("needs-assessment")[0].item(f.hidden("item"))
            fields, _unused = value_for(item, n)
            submit(client, f, ("action", "next"), **fields)  # type: ignore[arg-type]
