"""Two voices (issue 12, point 1): a person alone reads only the texts written for them.

Private check-ins of the youth check-in, the needs assessment (offered privately here
through a copy of the shipped folder whose audiences include private) and the PHQ-9 are
walked by their plain forms in every shipped language, with answers that raise urgent and
other flags, needs and strengths. Every page must hold none of the worker's result texts
(flag labels and messages, need labels, strength labels, band labels) of any instrument
in any shipped language, and the summary must hold the person's texts of what was raised.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.core.model import Instrument
from screening.i18n.translate import translate
from screening.load.catalog import instruments_dir
from screening.load.loader import load_file
from screening.render.pdf import LOCALES
from screening.store import db as storage
from tests.support.apps import web_app
from tests.support.html import form, forms, h1, sign_in, submit
from tests.support.voices import leaks as support_leaks
from tests.support.voices import visible

SHIPPED = ("youth-check-in", "needs-assessment", "phq9", "gad7", "pc-ptsd-5")

# Answers that raise urgent and other flags, several needs and strengths.
ANSWERS: dict[str, dict[str, str | list[str]]] = {
    "youth-check-in": {
        "y_safe_right_now": "no",
        "y_safe_place_tonight": "unsure",
        "y_made_to_do_things": "yes",
        "y_enough_food": "no",
        "y_see_nurse": "today",
        "y_trusted_person": "yes",
        "y_school_work": "school",
        "y_strength_from": ["culture"],
        "y_thoughts_ending_life": "yes",
        "y_help_most": ["food", "money"],
    },
    "needs-assessment": {
        "safe_right_now": "no",
        "safe_place_tonight": "no",
        "care_today": "yes",
        "thoughts_ending_life": "yes",
        "id_kept_by_other": "yes",
        "own_money": "no",
        "enough_food": "no",
        "trusted_person": "yes",
        "has_health_care": "yes",
        "culture_strength": "yes",
    },
    "phq9": {f"phq9_{n}": "2" for n in range(1, 10)},
}


def shipped() -> list[Instrument]:
    return [load_file(instruments_dir() / f"{name}.yaml") for name in SHIPPED]


def texts(instrument: Instrument) -> tuple[set[str], set[str]]:
    """(the worker's result texts, the person's) of one instrument in one language."""
    worker: set[str] = set()
    person: set[str] = set()
    for flag in instrument.flags:
        worker |= {t for t in (flag.label, flag.message) if t}
        person |= {t for t in (flag.person, flag.person_message) if t}
    for result in (*instrument.needs, *instrument.strengths):
        worker.add(result.label)
        person |= {result.person} if result.person else set()
    for score in instrument.scores:
        for band in score.bands:
            worker.add(band.label)
            person |= {band.person} if band.person else set()
    return {str(t) for t in worker}, {str(t) for t in person}


def asked(instrument: Instrument) -> set[str]:
    """The instrument's texts addressed to the person (titles, questions, options...)."""
    found: list[object] = [instrument.title, instrument.description, instrument.intro]
    for section in instrument.sections:
        found += [section.title, section.intro, section.content_warning]
        for item in section.items:
            found += [item.text, item.why, item.help, item.content_warning, item.unit]
            found += [item.min_label, item.max_label, item.unskippable_because]
            found += [o.label for o in item.options]
    return {str(t) for t in found if t}


def voices() -> tuple[set[str], set[str]]:
    """Every worker text of every shipped instrument in every shipped language that is not
    also a person text (a neutral name such as "Food" may serve both voices), and every
    text meant for the person (their result texts and the questions)."""
    worker: set[str] = set()
    person: set[str] = set()
    questions: set[str] = set()
    for instrument in shipped():
        for code in LOCALES:
            local = translate(instrument, code)
            w, p = texts(local)
            worker |= w
            person |= p
            questions |= asked(local)
    return worker - person, person | questions


WORKER_ONLY, FOR_THE_PERSON = voices()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    folder = tmp_path / "instruments"
    shutil.copytree(instruments_dir(), folder)
    needs = folder / "needs-assessment.yaml"
    source = needs.read_text(encoding="utf-8")
    assert "audiences: [worker, interpreter]\n" in source
    needs.write_text(
        source.replace(
            "audiences: [worker, interpreter]\n", "audiences: [worker, interpreter, private]\n"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def leaks(page: str) -> list[str]:
    return support_leaks(page, WORKER_ONLY, FOR_THE_PERSON)


def answer(client: FlaskClient, page: str, chosen: dict[str, str | list[str]]) -> None:
    """Answer the screen the way these tests mean to: the chosen value, else the first."""
    actions = {f.action for f in forms(page)}
    if "/checkin/section" in actions:
        response = submit(client, form(page, "/checkin/section"), ("choice", "enter"))
    elif "/checkin/continue" in actions:
        response = submit(client, form(page, "/checkin/continue"))
    else:
        f = form(page, "/checkin/answer")
        item = f.hidden("item")
        options = f.options.get("value", [])
        want = chosen.get(item)
        if options:
            value: str | list[str] = want if want is not None else options[0]
            response = submit(client, f, ("action", "next"), value=value)
        elif any(i.get("name") == "value" for i in f.inputs) and want is None:
            response = submit(client, f, ("action", "next"), value="drawing and football")
        else:
            response = submit(client, f, ("action", "skip"))
    assert response.status_code == 303, response.text


def walk(client: FlaskClient, instrument: str, lang: str) -> list[str]:
    """Every page of one private check-in, from the start page to the summary."""
    start = client.get(f"/checkin?lang={lang}")
    assert start.status_code == 200
    offered = re.findall(r'<option value="([^"]+)" lang=', start.text)
    assert lang in offered, f"{lang} is not offered (its catalogs are incomplete): {offered}"
    started = submit(client, form(start.text, "/checkin/start"), instrument=instrument, lang=lang)
    assert started.status_code == 303, started.text
    pages = [start.text]
    for _ in range(120):
        page = client.get("/checkin")
        assert page.status_code == 200, page.text
        pages.append(page.text)
        if not any(f.action == "/checkin/answer" for f in forms(page.text)) and not any(
            f.action in ("/checkin/section", "/checkin/continue") for f in forms(page.text)
        ):
            break
        answer(client, page.text, ANSWERS.get(instrument, {}))
    return pages


def raised(app: Flask, client: FlaskClient, instrument: Instrument, lang: str) -> list[str]:
    """The person's texts, in ``lang``, of what the stored answers raised (read through
    the API with the check-in's own cookies): the summary must hold each of them."""
    with storage.transaction(app.extensions["screening"].engine) as conn:
        (iid,) = conn.execute(select(storage.interviews.c.id)).scalars().all()
    result = client.get(f"/api/v1/interviews/{iid}/result").json
    assert isinstance(result, dict)
    local = translate(instrument, lang)
    out = [str(f.person) for f in local.flags if f.id in result["flags"]]
    out += [str(s.person) for s in local.strengths if s.id in result["strengths"]]
    levels = {k: v["level"] for k, v in result["needs"].items()}
    out += [str(n.person) for n in local.needs if levels.get(n.id, "none") not in ("none",)]
    for score in local.scores:
        band = result["scores"][score.id]["band"]
        out += [str(b.person) for b in score.bands if b.id == band]
    return out


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("instrument", ["youth-check-in", "needs-assessment", "phq9"])
def test_private_pages_speak_only_to_the_person(app: Flask, instrument: str, lang: str) -> None:
    client = app.test_client()
    pages = walk(client, instrument, lang)
    summary = pages[-1]
    assert h1(summary) != "", summary
    helps = [p for p in pages if any(f.action == "/checkin/continue" for f in forms(p))]
    assert helps, "the urgent answers should have shown a help screen"
    assert "What the person reads" not in "".join(pages)
    for page in pages:
        assert leaks(page) == []  # worker texts on a private page
    shown = visible(summary)
    ins = next(i for i in shipped() if i.id == instrument)
    expected = raised(app, client, ins, lang)
    assert len(expected) >= 3
    missing = [t for t in expected if t not in shown]
    assert missing == [], f"person texts missing from the {lang} summary"


def test_the_worker_list_is_a_real_control() -> None:
    """The check above could pass on an empty list: it holds the texts that a private
    page once showed (issue 12), and in every language."""
    assert "Has had thoughts of ending their life in the past few weeks" in WORKER_ONLY
    assert "Someone else is keeping their ID or papers" in WORKER_ONLY
    assert any(t.startswith("Check in about safety now") for t in WORKER_ONLY)
    phq9 = next(i for i in shipped() if i.id == "phq9")
    for code in LOCALES:
        assert str(translate(phq9, code).flags[0].message) in WORKER_ONLY
    sample = (
        "<p>Has had thoughts of ending their life in the past few weeks</p>"
        "<li>Someone else is keeping their ID or papers</li>"
    )
    assert len(leaks(sample)) == 2


def test_a_worker_reads_the_worker_text_first_and_the_person_text_beside(app: Flask) -> None:
    client = sign_in(app)
    started = client.post(
        "/api/v1/interviews", json={"instrument": "youth-check-in", "mode": "worker"}
    )
    assert started.status_code == 201, started.text
    iid, step = started.json["id"], started.json["step"]  # type: ignore[index]
    chosen = ANSWERS["youth-check-in"]
    for n in range(60):
        if step["done"]:
            break
        key = f"voices-{n:04d}"
        if step["content_warning"]:
            body = {"section": step["section"], "choice": "enter", "key": key}
            sent = client.post(f"/api/v1/interviews/{iid}/sections", json=body)
        else:
            item = step["item"]
            value = chosen.get(item["id"])
            if value is None and item["options"]:
                first = item["options"][0]["value"]
                value = [first] if item["type"] == "multiple" else first
            body = {"item": item["id"], "value": value, "key": key}
            sent = client.post(f"/api/v1/interviews/{iid}/answers", json=body)
        assert sent.status_code == 200, sent.text
        step = sent.json["step"]  # type: ignore[index]
    assert step["done"]
    page = client.get(f"/interviews/{iid}")
    consent = [f for f in forms(page.text) if f.action.endswith("/consent")]
    if consent:
        submit(client, consent[0], store="yes", share="no", statistics="no")
        page = client.get(f"/interviews/{iid}")
    while any(f.action.endswith("/help") for f in forms(page.text)):
        submit(client, next(f for f in forms(page.text) if f.action.endswith("/help")))
        page = client.get(f"/interviews/{iid}")
    assert h1(page.text) == "Summary", page.text
    shown = visible(page.text)
    youth = next(i for i in shipped() if i.id == "youth-check-in")
    flag = next(f for f in youth.flags if f.id == "y_thoughts_of_ending_life")
    strength = next(s for s in youth.strengths if s.id == "has_trusted_person")
    for result in (flag, strength):
        assert result.person is not None and result.label in shown and result.person in shown
        assert shown.index(result.label) < shown.index(result.person)
    assert "What the person reads:" in shown
