"""Issue 17: sign-in throttling no stranger can turn against a worker, password
strength by zxcvbn, change and reset, and the TOTP second factor (pages and API).
On SQLite; the throttle's survival of a restart also on PostgreSQL when
SCREENING_TEST_DATABASE_URL names one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.cli.main import main
from screening.services import accounts, admin
from screening.store import credentials
from screening.store import db as storage
from screening.web import create_app
from tests.support import mfa
from tests.support.api import signed_in
from tests.support.apps import BACKENDS, PASSWORD, quick_workers, web_app
from tests.support.html import form, h1, sign_in, submit

NEW_PASSWORD = "lantern orchard seventeen puddles"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A"), ("ben", "Org A")])


def engine_of(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["screening"].engine


def add_user(app: Flask, username: str, role: str = "worker", org: str = "Org A") -> None:
    with storage.transaction(engine_of(app)) as conn:
        accounts.create_user(conn, username, org, role, PASSWORD)


def login(
    client: FlaskClient, username: str, password: str, address: str = "127.0.0.1", **extra: str
) -> tuple[int, str | None]:
    response = client.post(
        "/api/v1/login",
        json={"username": username, "password": password, **extra},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code, (response.json or {}).get("error", {}).get("code")


def actions(app: Flask) -> list[str]:
    with storage.transaction(engine_of(app)) as conn:
        return [r.action for r in admin.audit_rows(conn, limit=2000)]


def cli(app: Flask, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    settings = app.extensions["screening"].settings
    base = {"DATABASE_URL": settings.database_url, "SCREENING_INSTANCE": str(settings.instance)}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})})


# ------------------------------------------------------------------ throttling


def test_failures_from_one_address_leave_the_owner_elsewhere_alone(app: Flask) -> None:
    add_user(app, "w1")
    client = app.test_client()
    for _ in range(5):
        assert login(client, "w1", "not the password at all") == (401, "bad-login")
    assert login(client, "W1", PASSWORD)[0] == 429  # held there, case-insensitively
    assert login(client, "w1", PASSWORD, "127.0.0.2") == (200, None)  # elsewhere: at once
    assert "login-throttled" in actions(app)


def test_successful_sign_ins_do_not_count(app: Flask) -> None:
    client = app.test_client()
    for _ in range(31):  # more than the address brake's 30
        assert login(client, "ana", PASSWORD)[0] == 200
    assert login(client, "ana", "not the password at all")[0] == 401


@pytest.mark.parametrize("backend", BACKENDS)
def test_spraying_from_one_address_is_braked_across_a_restart(backend: str, tmp_path: Path) -> None:
    names = [f"w{n}" for n in range(1, 21)]
    for app in web_app(backend, tmp_path, []):
        quick_workers(app, names, "Org A")  # real accounts, each wrong try really checked
        client = app.test_client()
        codes = [
            login(client, name, "not the password at all", "10.0.0.5")[0]
            for _ in range(5)
            for name in names
        ]
        assert len(codes) == 100 and codes[:30] == [401] * 30
        assert set(codes[30:]) == {429}  # answered at once, the password never checked
        settings = app.extensions["screening"].settings
        engine_of(app).dispose()
        restarted = create_app(settings, {"TESTING": True})  # a new process, same database
        again = restarted.test_client()
        assert login(again, "w1", PASSWORD, "10.0.0.5")[0] == 429  # the count survived
        assert login(again, "w1", PASSWORD, "10.0.0.6")[0] == 200
        engine_of(restarted).dispose()


# ------------------------------------------------------------------ password strength


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("abcdefghijkl", "Sequences like"),
        ("123456789012", "commonly used password"),
        ("qwertyuiopas", "commonly used password"),
        ("abcdabcdabcd", "Repeats like"),
        ("correcthorsebatterystaple", "Add another word"),
    ],
)
def test_weak_passwords_are_refused_with_zxcvbns_reason(
    app: Flask, password: str, reason: str
) -> None:
    done = cli(
        app, "users", "create", "newuser", "--org", "Org A", env={"SCREENING_PASSWORD": password}
    )
    assert done.exit_code == 1 and "too easy to guess" in done.output and reason in done.output
    strong = cli(
        app,
        "users",
        "create",
        "newuser",
        "--org",
        "Org A",
        env={"SCREENING_PASSWORD": NEW_PASSWORD},
    )
    assert strong.exit_code == 0, strong.output


def _weak_account(app: Flask, username: str, password: str) -> None:
    """An account made before issue 17, with a password now refused."""
    add_user(app, username)
    with storage.transaction(engine_of(app)) as conn:
        row = credentials.user_row(conn, username)
        credentials.set_password_hash(conn, row.id, accounts.hash_password(password))


def test_a_weak_old_password_works_once_and_must_be_changed(app: Flask) -> None:
    _weak_account(app, "old", "abcdefghijkl")
    assert login(app.test_client(), "old", "abcdefghijkl") == (401, "password-change")
    client = app.test_client()
    client.set_cookie("lang", "fr")
    page = client.get("/signin")
    went = submit(client, form(page.text, "/signin"), username="old", password="abcdefghijkl")
    assert went.status_code == 303 and went.location == "/signin/password"
    assert client.get("/").location == "/signin"  # no session yet
    step = client.get("/signin/password")
    refused = submit(
        client, form(step.text, "/signin/password"), new="qwertyuiopas", again="qwertyuiopas"
    )
    assert refused.status_code == 400
    assert "Ceci ressemble à un mot de passe couramment utilisé." in refused.text  # zxcvbn, in fr
    done = submit(client, form(step.text, "/signin/password"), new=NEW_PASSWORD, again=NEW_PASSWORD)
    assert done.status_code == 303 and done.location == "/"
    assert client.get("/").status_code == 200
    assert login(app.test_client(), "old", NEW_PASSWORD) == (200, None)
    assert login(app.test_client(), "old", "abcdefghijkl")[0] == 401


# ------------------------------------------------------------------ change and reset


def test_changing_the_password_ends_the_other_sessions(app: Flask) -> None:
    here, elsewhere = sign_in(app, "ana"), signed_in(app, "ana")
    page = here.get("/account/password")
    assert page.status_code == 200 and h1(page.text)
    wrong = submit(
        here,
        form(page.text, "/account/password"),
        current="nope nope nope",
        new=NEW_PASSWORD,
        again=NEW_PASSWORD,
    )
    assert wrong.status_code == 400
    page = here.get("/account/password")
    done = submit(
        here,
        form(page.text, "/account/password"),
        current=PASSWORD,
        new=NEW_PASSWORD,
        again=NEW_PASSWORD,
    )
    assert done.status_code == 200
    assert here.get("/").status_code == 200  # this browser stays signed in
    assert elsewhere.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 401
    assert login(app.test_client(), "ana", NEW_PASSWORD) == (200, None)
    assert "password-change" in actions(app)


def test_a_reset_code_works_once_ends_sessions_and_is_not_stored(app: Flask) -> None:
    add_user(app, "ada", role="admin")
    boss = sign_in(app, "ada")
    worker = signed_in(app, "ana")
    listing = boss.get("/admin/users")
    assert listing.status_code == 200 and "ana" in listing.text
    assert sign_in(app, "ben").get("/admin/users").status_code == 403  # workers: no
    issued = submit(boss, form(listing.text, "/admin/users/reset"), username="ana")
    match = re.search(r'<code translate="no">([a-z0-9-]{19})</code>', issued.text)
    assert issued.status_code == 200 and match
    code = match.group(1)
    with storage.transaction(engine_of(app)) as conn:  # only a digest at rest
        rows = [tuple(r) for r in conn.execute(select(credentials.reset_codes))]
    assert rows and code not in repr(rows) and code.replace("-", "") not in repr(rows)

    stranger = app.test_client()
    page = stranger.get("/signin/reset")
    used = submit(
        stranger,
        form(page.text, "/signin/reset"),
        username="ana",
        code=code.upper(),
        new=NEW_PASSWORD,
        again=NEW_PASSWORD,
    )
    assert used.status_code == 200 and "/signin" in used.text
    assert worker.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 401
    assert login(app.test_client(), "ana", NEW_PASSWORD) == (200, None)
    page = stranger.get("/signin/reset")
    again = submit(
        stranger,
        form(page.text, "/signin/reset"),
        username="ana",
        code=code,
        new="another fine kettle of fish",
        again="another fine kettle of fish",
    )
    assert again.status_code == 400  # once only
    assert login(app.test_client(), "ana", NEW_PASSWORD) == (200, None)
    assert {"reset-issued", "reset-used"} <= set(actions(app))


def test_the_command_line_issues_reset_codes(app: Flask) -> None:
    done = cli(app, "users", "reset", "ana")
    assert done.exit_code == 0, done.output
    code = re.search(r"([a-z0-9]{4}(?:-[a-z0-9]{4}){3})", done.output)
    assert code
    client = app.test_client()
    page = client.get("/signin/reset")
    used = submit(
        client,
        form(page.text, "/signin/reset"),
        username="ana",
        code=code.group(1),
        new=NEW_PASSWORD,
        again=NEW_PASSWORD,
    )
    assert used.status_code == 200
    assert cli(app, "users", "reset", "nobody").exit_code == 1


# ------------------------------------------------------------------ the second factor


def test_an_admin_enrols_at_sign_in_then_the_api_asks_for_a_code(app: Flask) -> None:
    add_user(app, "ada", role="admin")
    assert login(app.test_client(), "ada", PASSWORD) == (401, "totp-enrol")
    client = app.test_client()
    page = client.get("/signin")
    went = submit(client, form(page.text, "/signin"), username="ada", password=PASSWORD)
    assert went.status_code == 303 and went.location == "/signin/enrol"
    enrol = client.get("/signin/enrol")
    assert "<svg" in enrol.text and "http" not in enrol.text.split("<svg", 1)[1].split("</svg>")[0]
    shown = re.search(r'<code class="secret" translate="no">([A-Z2-7 ]+)</code>', enrol.text)
    assert shown
    secret = shown.group(1).replace(" ", "")
    totp = pyotp.TOTP(secret)
    wrong = submit(client, form(enrol.text, "/signin/enrol"), code="000000")
    assert wrong.status_code == 200 and 'role="alert"' in wrong.text
    codes_page = submit(client, form(enrol.text, "/signin/enrol"), code=totp.now())
    recovery = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", codes_page.text)
    assert len(recovery) == 10
    home = submit(client, form(codes_page.text, "/signin/continue"))
    assert home.status_code == 303 and home.location == "/"
    assert client.get("/").status_code == 200

    api = app.test_client()
    assert login(api, "ada", PASSWORD) == (401, "totp-required")
    later = totp.at(time.time() + 30)  # the enrolment used this step's code
    assert login(api, "ada", PASSWORD, totp=later) == (200, None)
    assert login(app.test_client(), "ada", PASSWORD, totp=later) == (401, "totp-invalid")
    assert login(app.test_client(), "ada", "wrong password", totp=later) == (401, "bad-login")
    assert login(app.test_client(), "ada", PASSWORD, totp=recovery[0]) == (200, None)
    assert login(app.test_client(), "ada", PASSWORD, totp=recovery[0]) == (401, "totp-invalid")
    with storage.transaction(engine_of(app)) as conn:  # the codes and the secret: not as text
        stored = repr([tuple(r) for r in conn.execute(select(credentials.recovery_codes))])
        stored += repr([tuple(r) for r in conn.execute(select(credentials.totp_factors))])
    assert recovery[1] not in stored and secret.encode() not in stored.encode()
    assert {"totp-enrolled", "recovery-used", "totp-failed"} <= set(actions(app))


def test_the_second_screen_of_the_pages(app: Flask) -> None:
    add_user(app, "ada", role="admin")
    mfa.enrol(app, "ada")
    client = app.test_client()
    page = client.get("/signin")
    went = submit(client, form(page.text, "/signin"), username="ada", password=PASSWORD)
    assert went.location == "/signin/code"
    step = client.get("/signin/code")
    wrong = submit(client, form(step.text, "/signin/code"), code="123456")
    assert wrong.status_code == 200 and client.get("/").location == "/signin"
    done = submit(client, form(step.text, "/signin/code"), code=mfa.code(app, "ada"))
    assert done.status_code == 303 and done.location == "/"


def test_an_organisation_may_require_a_second_factor_of_its_workers(app: Flask) -> None:
    assert login(app.test_client(), "ana", PASSWORD) == (200, None)
    done = cli(app, "orgs", "mfa", "Org A", "required")
    assert done.exit_code == 0, done.output
    assert login(app.test_client(), "ana", PASSWORD) == (401, "totp-enrol")
    assert cli(app, "orgs", "mfa", "Org A", "optional").exit_code == 0
    assert login(app.test_client(), "ana", PASSWORD) == (200, None)
    assert cli(app, "orgs", "mfa", "No such org", "required").exit_code == 1


def test_the_command_line_can_always_let_a_last_admin_enrol_again(app: Flask) -> None:
    add_user(app, "ada", role="admin")
    mfa.enrol(app, "ada")
    assert login(app.test_client(), "ada", PASSWORD) == (401, "totp-required")
    assert cli(app, "users", "reset", "ada", "--mfa").exit_code == 0
    assert login(app.test_client(), "ada", PASSWORD) == (401, "totp-enrol")
    assert "mfa-removed" in actions(app)


def test_nothing_secret_reaches_the_log(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    add_user(app, "ada", role="admin")
    codes = mfa.enrol(app, "ada")
    secret = mfa.secret(app, "ada")
    with caplog.at_level("DEBUG"):
        login(app.test_client(), "ada", PASSWORD, totp=codes[0])
        login(app.test_client(), "ada", PASSWORD, totp="999999")
        done = cli(app, "users", "reset", "ana")
    reset = done.output.split(": ", 1)[1].split()[0]
    text = caplog.text
    assert PASSWORD not in text and codes[0] not in text and secret not in text
    assert reset not in text


def test_a_key_rotation_keeps_the_second_factor(app: Flask) -> None:
    """``keys rotate`` re-wraps the TOTP secrets too: after it, a server with the new
    key alone still checks the admin's codes."""
    add_user(app, "ada", role="admin")
    mfa.enrol(app, "ada")
    secret = mfa.secret(app, "ada")
    done = cli(app, "keys", "rotate")
    assert done.exit_code == 0, done.output
    settings = app.extensions["screening"].settings
    restarted = create_app(settings, {"TESTING": True})  # the new key alone
    try:
        later = pyotp.TOTP(secret).at(time.time() + 30)
        assert login(restarted.test_client(), "ada", PASSWORD, totp=later) == (200, None)
    finally:
        engine_of(restarted).dispose()
