"""The service plan in every language (issue 15): no English directory fact is left on
the plan page or its print view in any of the seven translated languages, the printed
plan is in the languages asked for whatever language the interview ran in, and the plan
reads like a plan (goals and steps first, each service once, every table headed, "help
now" in words, language names not codes, a visible "saved as version N", the author
remembered)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import interviews as service
from tests.support.api import signed_in
from tests.support.apps import web_app
from tests.support.html import form, submit

TRANSLATED = ("fr", "es", "ar", "zh-Hans", "pa", "tl", "ti")
FACTS = re.compile(
    r"Open 24 hours|7 days a week|No ID needed|\bFree\b|For women|For young people|"
    r"Accessibility|Open now|Helps with|Welcomes newcomers|Speaks \w+|\d to \d|Mon–|Fri\b"
)  # (CLDR writes times in pa and tl with AM/PM itself: those are not English left over)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path_factory.mktemp("plans"), [("ana", "Org A")])


def interview(client: FlaskClient, app: Flask, locale: str) -> str:
    """A needs assessment in ``locale`` with urgent needs (no safe place tonight)."""
    made = client.post(
        "/api/v1/interviews", json={"instrument": "needs-assessment", "locale": locale}
    )
    assert made.status_code == 201, made.json
    interview_id, step = made.json["id"], made.json["step"]  # type: ignore[index]
    ext = app.extensions["screening"]
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    service.record(ext.engine, ext.master, interview_id, consent, "consent-0001")
    n = 0
    while not step.get("done"):
        n += 1
        key = f"k-{n:06d}"
        if step.get("content_warning"):
            body = {"section": step["section"], "choice": "enter", "key": key}
            posted = client.post(f"/api/v1/interviews/{interview_id}/sections", json=body)
        else:
            item = step["item"]
            value = "no" if item["id"] == "safe_place_tonight" else None
            if item["id"] in ("enough_food", "id_documents"):
                value = item["options"][-1]["value"] if item["options"] else None
            posted = client.post(
                f"/api/v1/interviews/{interview_id}/answers",
                json={"item": item["id"], "value": value, "key": key},
            )
        assert posted.status_code == 200, posted.json
        step = posted.json["step"]  # type: ignore[index]
    return str(interview_id)


def visible(page: str) -> str:
    """The page's text, without what the directory holds in English only (a service's
    own name or description, marked lang="en") and without the tags."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r'<div class="part" lang="en" dir="ltr">.*?</div>', " ", body, flags=re.S)
    body = re.sub(r"<option[^>]*>.*?</option>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_english_directory_fact_on_the_plan(app: Flask, locale: str) -> None:
    client = signed_in(app)
    interview_id = interview(client, app, locale)
    edit = client.get(f"/interviews/{interview_id}/plan")
    assert edit.status_code == 200
    offered = list(dict.fromkeys(re.findall(r'name="add" value="([^"]+)"', edit.text)))
    assert len(offered) >= 3  # services are suggested
    saved = submit(client, form(edit.text, "/plan"), author="worker", add=offered[:3])
    assert saved.status_code == 303, saved.text
    edit = client.get(f"/interviews/{interview_id}/plan")
    assert edit.text.count('class="referral"') == 3  # referrals, with their hours
    found = [m.group(0) for m in FACTS.finditer(visible(edit.text))]
    assert not found, f"English facts on the {locale} plan page: {found}"
    assert 'class="opt"><input type="checkbox" name="add"' in edit.text  # services shown
    printed = client.get(f"/interviews/{interview_id}/plan/print?locale={locale}")
    assert printed.status_code == 200
    found = [m.group(0) for m in FACTS.finditer(visible(printed.text))]
    assert not found, f"English facts on the {locale} printed plan: {found}"
    assert '<span class="tag">' in printed.text and ">!<" not in printed.text


def test_a_plan_prints_in_the_languages_asked_for(app: Flask) -> None:
    client = signed_in(app)
    interview_id = interview(client, app, "ar")  # the interview ran in Arabic
    page = client.get(f"/interviews/{interview_id}/plan/print?locale=ti&second=en").text
    text = visible(page)
    assert re.search("[\u1200-\u137f]", text)  # Tigrinya
    assert not re.search("[\u0600-\u06ff]", text), "Arabic left on a Tigrinya/English plan"


def test_the_plan_reads_like_a_plan(app: Flask) -> None:
    client = signed_in(app)
    interview_id = interview(client, app, "en")
    url = f"/interviews/{interview_id}/plan"
    page = client.get(url).text
    assert '<option value="ar" lang="ar"' in page and ">العربية</option>" in page  # names
    sent = submit(
        client,
        form(page, "/plan"),
        author="client",
        goals="Find a safe place to sleep",
        action_what_0="Call the shelter line",
        action_who_0="Me",
    )
    assert sent.status_code == 303, sent.text
    saved = client.get(sent.location).text
    assert re.search(r'role="status">Saved as version 1\.<', saved)
    assert re.search(r'value="client" required checked', saved)  # remembered
    printed = client.get(f"{url}/print").text
    assert '<meta name="viewport"' in printed and f'href="{url}"' in printed  # a way back
    order = [printed.index(h) for h in ("My goals", "Steps", "Referrals", "Services that")]
    assert order == sorted(order), "goals and steps come before the services"
    assert '<th scope="col"><span class="part" lang="en" dir="ltr">What</span></th>' in printed
    names = re.findall(r'<div class="service">\s*<div class="name">(.*?)</div>\s', printed, re.S)
    assert names and len(names) == len(set(names)), "a service is listed twice"
