"""The co-design studio (issue 18), without JavaScript: a reviewer previews an instrument
exactly as a person would, reaches every question through the branch explorer and leaves
feedback (sealed at rest); the organisation's team answers it with a status; studio
accounts never open an interview, a plan, an export or the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import accounts
from screening.store import db as storage
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, PASSWORD, web_app
from tests.support.html import form, forms, sign_in, submit

MARK_TEXT = "Zephyrine-story-4711 told in confidence"
MARK_WORDS = "Quillfeather-wording-0815 please"
SAME = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    for made in web_app(request.param, tmp_path, [("ana", "Org A"), ("bob", "Org B")]):
        with storage.transaction(made.extensions["screening"].engine) as conn:
            accounts.create_user(conn, "rana", None, "reviewer", PASSWORD)  # no organisation
            accounts.create_user(conn, "dina", "Org A", "designer", PASSWORD)
            accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
        yield made


def count(app: Flask, table: object) -> int:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return storage.count(conn, table)  # type: ignore[arg-type]


def links(html: str, text: str) -> list[str]:
    return [
        unescape(m) for m in re.findall(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    ]


def reviewer(app: Flask) -> FlaskClient:
    client = sign_in(app, "rana")
    first = client.get("/")
    assert first.status_code == 303 and first.location == "/studio"
    page = client.get("/studio").text
    assert "who will read" in page.lower() or "who reads" in page.lower()
    assert "730 days" in page  # the retention setting, 2 years by default
    assert "under 18" in page  # the youth duty to report, in one sentence
    assert (
        submit(client, form(page, "/studio/choice"), shown="name", name="Rana K").status_code == 303
    )
    return client


def test_a_reviewer_previews_in_arabic_reaches_every_item_and_leaves_feedback(app: Flask) -> None:
    client = reviewer(app)
    page = client.get("/studio/i/youth-check-in?lang=ar&mode=private").text
    items = re.findall(r'<li id="q-([a-z0-9_]+)">', page)
    assert len(items) >= 10
    way_in = links(page, "Preview this question")
    assert len(way_in) == len(items)  # every question has a way in: none needs guessing
    for item_id, url in zip(items, way_in, strict=True):
        shown = client.get(url)
        assert shown.status_code == 200, url
        assert f'name="item" value="{item_id}"' in shown.text  # the real question screen
        assert 'lang="ar" dir="rtl"' in shown.text
    # from the start, answering every screen as the person would, to the summary
    url = next(iter(links(page, "Open the preview from the start")))
    screen = client.get(url)
    for _ in range(60):
        assert screen.status_code == 200, screen.text
        posting = [f for f in forms(screen.text) if "/studio/preview/" in f.action]
        if not posting:
            break
        f = posting[0]
        if f.action.split("?")[0].endswith("/answer"):
            name = f.options.get("value", [])
            values = {"value": name[0]} if name else {}
            response = submit(client, f, ("action", "next" if name else "skip"), **values)
        elif f.action.split("?")[0].endswith("/section"):
            response = submit(client, f, ("choice", "enter"))
        else:
            response = submit(client, f)  # a help, education or note screen: go on
        assert response.status_code == 303, response.text
        screen = client.get(response.location)
    assert 'data-screen="summary"' in screen.text
    assert count(app, storage.interviews) == 0 and count(app, storage.entries) == 0  # nothing kept
    feedback = client.get(links(page, "Give feedback")[1]).text
    sent = submit(
        client,
        form(feedback, "/feedback"),
        choice=["not-clear", "could-upset"],
        text=MARK_TEXT,
        suggestion=MARK_WORDS,
    )
    assert sent.status_code == 303
    mine = client.get("/studio").text
    assert MARK_WORDS in mine and "Open: the team has not answered yet" in mine


def give(app: Flask, client: FlaskClient, field: str = "item:y_safe_right_now") -> None:
    page = client.get(f"/studio/i/youth-check-in/feedback?field={field}&lang=ar").text
    response = submit(
        client, form(page, "/feedback"), choice=["not-clear"], text=MARK_TEXT, suggestion=MARK_WORDS
    )
    assert response.status_code == 303


def test_the_team_answers_and_the_reviewer_sees_it(app: Flask) -> None:
    rana = reviewer(app)
    give(app, rana)
    designer = _signed_page(app, "dina")
    team = designer.get("/studio/i/youth-check-in/team")
    assert team.status_code == 200
    assert MARK_WORDS in team.text and "Rana K" in team.text and "Not clear: 1" in team.text
    status = form(team.text, "/status")
    assert submit(designer, status, status="changed", version="0.2.0").status_code == 303
    assert "Changed in version 0.2.0" in rana.get("/studio").text
    # a plain worker sees no feedback
    worker = _signed_page(app, "ana")
    assert worker.get("/studio/i/youth-check-in/team").status_code == 403
    assert (
        signed_in(app, "ana").get("/api/v1/instruments/youth-check-in/feedback").status_code == 403
    )
    assert (
        signed_in(app, "rana").get("/api/v1/instruments/youth-check-in/feedback").status_code == 403
    )
    api = signed_in(app, "dina").get("/api/v1/instruments/youth-check-in/feedback")
    assert api.status_code == 200
    [entry] = api.json["feedback"]
    assert entry["status"] == "changed" and entry["status_version"] == "0.2.0"
    assert entry["suggestion"] == MARK_WORDS and entry["language"] == "ar"
    # kept needs a reason, which the reviewer reads
    refused = submit(designer, form(designer.get("/studio/i/youth-check-in/team").text, "/status"),
                     status="kept", version="")  # fmt: skip
    assert refused.status_code == 400
    page = designer.get("/studio/i/youth-check-in/team").text
    submit(designer, form(page, "/status"), status="kept", reason="Young people asked for it")
    assert "Young people asked for it" in rana.get("/studio").text
    # Org B's team does not see Org A's reviewers (a community reviewer's it does)
    with storage.transaction(app.extensions["screening"].engine) as conn:
        accounts.create_user(conn, "bea", "Org B", "designer", PASSWORD)
    assert "Rana K" in _signed_page(app, "bea").get("/studio/i/youth-check-in/team").text


def _signed_page(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/signin")
    response = submit(client, form(page.text, "/signin"), username=username, password=PASSWORD)
    assert response.status_code == 303
    return client


def test_a_reviewer_deletes_their_own_feedback(app: Flask) -> None:
    rana = reviewer(app)
    give(app, rana)
    page = rana.get("/studio").text
    assert submit(rana, form(page, "/delete")).status_code == 303
    assert MARK_WORDS not in rana.get("/studio").text
    assert count(app, storage.metadata.tables["studio_feedback"]) == 0


def test_feedback_is_not_readable_in_the_raw_database(app: Flask, tmp_path: Path) -> None:
    import subprocess

    give(app, reviewer(app))
    assert count(app, storage.metadata.tables["studio_feedback"]) == 1
    url = app.extensions["screening"].settings.database_url
    if url.startswith("sqlite"):
        app.extensions["screening"].engine.dispose()
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("test.db*"))
    else:
        dump = subprocess.run(
            ["pg_dump", "--data-only", url.replace("+psycopg", "")], capture_output=True, check=True
        )
        raw = dump.stdout
    assert b"youth-check-in" in raw  # the instrument id is in clear: the test sees the rows
    for marker in (MARK_TEXT, MARK_WORDS, "Rana K"):
        assert marker.encode() not in raw
        assert marker.encode("utf-16-le") not in raw


def _worker_routes(app: Flask) -> list[tuple[str, str]]:
    """Every interview, plan, export and audit route of the app (by who may use it)."""
    from screening.web import api, languages, pages, plans, standards

    tables = {
        "api": api.ACCESS,
        "pages": pages.ACCESS,
        "plans": plans.ACCESS,
        "standards": standards.ACCESS,
        "languages": languages.ACCESS,
        "languages_api": languages.API_ACCESS,
    }
    found = []
    for rule in app.url_map.iter_rules():
        blueprint, _, _ = rule.endpoint.partition(".")
        said = tables.get(blueprint, {}).get(rule.endpoint)
        if said is None or said.startswith("public") or rule.rule == "/signout/everywhere":
            continue
        if not ("worker" in said or "admin" in said or "owner" in said):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


@pytest.mark.parametrize("username", ["rana", "dina"])
def test_studio_accounts_get_403_or_404_on_every_interview_plan_export_and_audit_route(
    app: Flask, username: str
) -> None:
    flow, _ = start(signed_in(app, "ana"), "gad7")
    routes = _worker_routes(app)
    assert len(routes) >= 25, len(routes)  # the whole app, not a sample
    api = signed_in(app, username)
    page = _signed_page(app, username)
    for method, rule in routes:
        url = re.sub(r"<(?:\w+:)?interview_id>", flow.id, rule)
        url = re.sub(r"<[^>]+>", "x", url)
        client = api if rule.startswith("/api/") else page
        body = {"instrument": "gad7", "item": "gad7_1", "value": 1, "key": "k" * 12,
                "choice": "enter", "section": "gad7"}  # fmt: skip
        body = {"locale": "en"} if method == "PATCH" else body  # each a well-formed body
        kwargs = {"json": body} if rule.startswith("/api/") and method != "GET" else {}
        response = client.open(
            url, method=method, headers={"Sec-Fetch-Site": "same-origin"}, **kwargs
        )
        if url == "/" and method == "GET":  # the start page sends a studio account to the studio
            assert response.status_code == 303 and response.location == "/studio"
            continue
        assert response.status_code in (403, 404), (method, url, response.status_code)


def _cli(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from screening.cli.main import main

    settings = app.extensions["screening"].settings
    env = {
        "DATABASE_URL": settings.database_url,
        "SCREENING_INSTANCE": str(settings.instance),
        "SCREENING_PASSWORD": PASSWORD,
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_the_command_line_creates_studio_accounts_and_exports_feedback(app: Flask) -> None:
    made = _cli(app, "users", "create", "circle", "--role", "reviewer")
    assert made.exit_code == 0 and "reviewer 'circle' in no organisation" in made.output
    assert (
        _cli(app, "users", "create", "des", "--role", "designer", "--org", "Org A").exit_code == 0
    )
    orphan = _cli(app, "users", "create", "des2", "--role", "designer")
    assert orphan.exit_code == 1 and "only a reviewer" in orphan.output
    give(app, reviewer(app))
    out = _cli(app, "feedback", "export", "--json")
    assert out.exit_code == 0, out.output
    [entry] = __import__("json").loads(out.output)["feedback"]
    assert entry["suggestion"] == MARK_WORDS and entry["field"] == "item:y_safe_right_now"
    table = _cli(app, "feedback", "export", "--csv")
    assert table.exit_code == 0 and table.output.startswith("id,instrument,version")
    assert MARK_WORDS in table.output and "not-clear" in table.output


def test_uploads_are_validated_and_linted(app: Flask) -> None:
    designer = _signed_page(app, "dina")
    submit(designer, form(designer.get("/studio").text, "/studio/choice"), shown="anonymous")
    page = designer.get("/studio").text
    upload = form(page, "/studio/upload")
    data = {"csrf": upload.hidden("csrf")}
    bad = designer.post("/studio/upload", data={**data, "file": (_bytes(b"id: [broken"), "x.yaml")})
    assert bad.status_code == 400 and "not a valid instrument" in bad.text
    source = (Path(__file__).parents[2] / "instruments" / "youth-check-in.yaml").read_bytes()
    draft = source.replace(b"id: youth-check-in", b"id: youth-draft", 1)
    ok = designer.post("/studio/upload", data={**data, "file": (_bytes(draft), "d.yaml")})
    assert ok.status_code == 303 and "/studio/i/upload-" in ok.location
    shown = designer.get(ok.location)
    assert shown.status_code == 200 and "Preview this question" in shown.text


def _bytes(raw: bytes) -> object:
    import io

    return io.BytesIO(raw)


def test_bad_preview_addresses_are_400(app: Flask) -> None:
    client = reviewer(app)
    for url in (
        "/studio/preview/youth-check-in?s=!!!&mode=private",
        "/studio/preview/youth-check-in?mode=nope",
        "/studio/preview/youth-check-in?lang=xx",
        "/studio/preview/youth-check-in?at=nothing",
        "/studio/i/youth-check-in/feedback?field=item:nothing",
    ):
        assert client.get(url).status_code == 400, url
    assert client.get("/studio/i/no-such-thing").status_code in (400, 404)


def test_the_paper_packet_prints_in_arabic(app: Flask, tmp_path: Path) -> None:
    from screening.i18n.translate import translate
    from screening.services.interviews import bundled_source
    from tests.support.pdftext import squash, text_of

    client = reviewer(app)
    response = client.get("/studio/i/youth-check-in/packet.pdf?lang=ar")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = squash(text_of(response.data, tmp_path))
    arabic = translate(bundled_source("youth-check-in")[0], "ar")
    first = next(arabic.iter_items())
    assert squash(str(first.why))[:12] in text or squash(str(first.text))[:8] in text


def test_a_key_rotation_keeps_feedback_readable(app: Flask) -> None:
    from screening.crypto.seal import load_master_key
    from screening.services import admin
    from screening.store import studio as studiostore

    give(app, reviewer(app))
    ext = app.extensions["screening"]
    admin.rotate_master_key(ext.engine, ext.master, ext.settings.instance, from_env=False)
    rotated = load_master_key(ext.settings.instance, None)  # the new key alone
    assert rotated.key != ext.master.key
    with storage.transaction(ext.engine) as conn:
        [entry] = studiostore.list_feedback(conn, rotated)
    assert entry.suggestion == MARK_WORDS and entry.reviewer == "Rana K"


def _reviewer_with_role(app: Flask, username: str, role: str, name: str) -> FlaskClient:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        accounts.create_user(conn, username, None, "reviewer", PASSWORD)
    client = _signed_page(app, username)
    first = client.get("/studio").text
    assert 'name="role" value="survivor"' in first and 'value="none" checked' in first
    sent = submit(client, form(first, "/studio/choice"), shown="name", name=name, role=role)
    assert sent.status_code == 303
    return client


def test_a_review_round_counts_roles_and_its_file_signs_and_validates(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from screening.cli.main import main

    give(app, _reviewer_with_role(app, "sam", "survivor", "Sam"))
    give(app, _reviewer_with_role(app, "yuki", "youth-advisory", "Yuki"))
    give(app, _reviewer_with_role(app, "pat", "none", "Pat"), "item:y_pressured")
    designer = _signed_page(app, "dina")
    team = designer.get("/studio/i/youth-check-in/team").text
    assert (
        submit(designer, form(team, "/status"), status="changed", version="0.9.0").status_code
        == 303
    )
    worker = _signed_page(app, "ana")
    assert worker.get("/studio/i/youth-check-in/round").status_code == 403
    assert _signed_page(app, "sam").get("/studio/i/youth-check-in/round.yaml").status_code == 403
    shown = designer.get("/studio/i/youth-check-in/round")
    assert shown.status_code == 200
    assert "A survivor: 1" in shown.text and "A youth advisory group member: 1" in shown.text
    assert "Did not say: 1" in shown.text
    assert designer.get("/studio/i/youth-check-in/round?from=nope").status_code == 400
    assert (
        designer.get("/studio/i/youth-check-in/round?from=2026-02-02&to=2026-01-01").status_code
        == 400
    )
    assert (
        designer.get(
            "/studio/i/youth-check-in/round.yaml?from=2001-01-01&to=2001-01-02"
        ).status_code
        == 400
    )
    url = links(shown.text, "Download the round file (YAML)")[0]
    got = designer.get(url)
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    data = yaml.safe_load(got.text)
    version = data["version"]
    assert data["instrument"] == "youth-check-in"
    assert data["reviewers"] == {
        "survivor": 1,
        "youth advisory group member": 1,
        "role not stated": 1,
    }
    assert data["feedback"] == 3 and data["resolved"] == 1
    # the downloaded round signs (a copy claiming review, in a temporary folder only)
    folder = tmp_path / "instruments"
    folder.mkdir()
    text = (Path(__file__).parents[2] / "instruments" / "youth-check-in.yaml").read_text()
    assert "\n  status: draft\n" in text and f"version: {version}" in text
    copy = folder / "youth-check-in.yaml"
    copy.write_text(
        text.replace("\n  status: draft\n", "\n  status: reviewed-by-lived-experience\n")
    )
    monkeypatch.setenv("SCREENING_INSTRUMENTS", str(folder))
    from click.testing import CliRunner

    def run(*args: object) -> tuple[int, str]:
        result = CliRunner().invoke(main, [str(a) for a in args])
        return result.exit_code, result.output

    assert run("validate", copy)[0] == 1  # no record yet
    key = tmp_path / "secret" / "review.key"
    assert run("reviews", "keygen", "--key", key, "--keys", folder / "reviews" / "keys")[0] == 0
    round_file = tmp_path / "round.yaml"
    round_file.write_text(got.text, encoding="utf-8")
    code, out = run("reviews", "sign", round_file, "--key", key)
    assert code == 0, out
    assert (folder / "reviews" / f"youth-check-in-{version}.yaml").is_file()
    code, out = run("validate", copy)
    assert code == 0, out


def test_the_studio_shows_what_changed_between_versions(app: Flask) -> None:
    designer = _signed_page(app, "dina")
    submit(designer, form(designer.get("/studio").text, "/studio/choice"), shown="anonymous")
    source = (Path(__file__).parents[2] / "instruments" / "youth-check-in.yaml").read_text()
    old_words = "Do you feel safe right now?"
    assert old_words in source
    changed = source.replace(old_words, "Do you feel safe where you are today?", 1)
    page = designer.get("/studio").text
    data = {"csrf": form(page, "/studio/upload").hidden("csrf")}
    up = designer.post(
        "/studio/upload", data={**data, "file": (_bytes(changed.encode()), "d.yaml")}
    )
    assert up.status_code == 303
    ref = up.location.rsplit("/", 1)[1]
    chooser = designer.get(f"/studio/diff?new={ref}")
    assert chooser.status_code == 200 and f'value="{ref}" selected' in chooser.text
    assert '<form method="get" action="/studio/diff">' in chooser.text
    shown = designer.get(f"/studio/diff?old=youth-check-in&new={ref}")
    assert shown.status_code == 200, shown.text
    [change] = re.findall(r'<li data-kind="(\w+)" data-item="(\w*)">', shown.text)
    assert change == ("reworded", "y_safe_right_now")
    assert "<del>right now?</del>" in shown.text and "<ins>where you are today?</ins>" in shown.text
    same = designer.get("/studio/diff?old=youth-check-in&new=youth-check-in")
    assert "Nothing changed" in same.text
    assert designer.get("/studio/diff?old=nothing&new=youth-check-in").status_code in (400, 404)


def test_the_preview_shows_at_phone_or_tablet_size(app: Flask) -> None:
    client = reviewer(app)
    page = client.get("/studio/i/youth-check-in?lang=en&mode=worker&size=phone").text
    url = links(page, "Open the preview from the start")[0]
    assert "size=phone" in url
    shown = client.get(url).text
    assert 'class="device device-phone"' in shown
    tablet = links(shown, "Tablet size")[0]
    assert 'class="device device-tablet"' in client.get(tablet).text
    full = links(shown, "Full width")[0]
    assert "size=" not in full and 'class="device' not in client.get(full).text
    assert client.get("/studio/preview/youth-check-in?size=watch").status_code == 400
