"""Issue 17, second pass: one's own account page, through the pages without
JavaScript. A worker whose organisation leaves the second factor optional switches it
on (QR code, key, recovery codes) and off again (current password and a current code);
never where it is required; recovery codes made anew; the page is linked from home."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import accounts, admin
from screening.services import mfa as service
from screening.store import db as storage
from tests.support import mfa
from tests.support.apps import PASSWORD, web_app
from tests.support.html import form, h1, sign_in, submit


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from web_app("sqlite", tmp_path, [("ana", "Org A")])


def login(client: FlaskClient, username: str, **extra: str) -> tuple[int, str | None]:
    response = client.post(
        "/api/v1/login", json={"username": username, "password": PASSWORD, **extra}
    )
    return response.status_code, (response.json or {}).get("error", {}).get("code")


def actions(app: Flask) -> list[str]:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        return [r.action for r in admin.audit_rows(conn, limit=500)]


def test_a_worker_switches_the_second_step_on_and_off(app: Flask) -> None:
    client = sign_in(app, "ana")
    home = client.get("/")
    assert 'href="/account"' in home.text  # reachable from the start page
    account = client.get("/account")
    assert account.status_code == 200 and h1(account.text)
    assert 'href="/account/second-step"' in account.text
    assert login(app.test_client(), "ana") == (200, None)  # optional, so off

    enrol = client.get("/account/second-step")
    assert enrol.status_code == 200 and "<svg" in enrol.text
    shown = re.search(r'<code class="secret" translate="no">([A-Z2-7 ]+)</code>', enrol.text)
    assert shown
    totp = pyotp.TOTP(shown.group(1).replace(" ", ""))
    wrong = submit(client, form(enrol.text, "/account/second-step"), code="000000")
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text
    done = submit(client, form(enrol.text, "/account/second-step"), code=totp.now())
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)) == 10
    assert login(app.test_client(), "ana") == (401, "totp-required")  # the API asks now

    account = client.get("/account")
    off = form(account.text, "/account/second-step/off")
    later = totp.at(time.time() + 30)  # the enrolment used this step's code
    bad_password = submit(client, off, password="not my password at all", code=later)
    assert bad_password.status_code == 400 and 'role="alert"' in bad_password.text
    bad_code = submit(client, off, password=PASSWORD, code="000000")
    assert bad_code.status_code == 400
    assert login(app.test_client(), "ana") == (401, "totp-required")  # still on
    switched = submit(client, off, password=PASSWORD, code=later)
    assert switched.status_code == 200 and 'href="/account/second-step"' in switched.text
    assert login(app.test_client(), "ana") == (200, None)
    assert {"totp-enrolled", "totp-off-failed", "totp-switched-off"} <= set(actions(app))


@pytest.mark.parametrize("who", ["admin", "required-worker"])
def test_where_it_is_required_it_cannot_be_switched_off(app: Flask, who: str) -> None:
    engine = app.extensions["screening"].engine
    username = "ada" if who == "admin" else "ana"
    if who == "admin":
        with storage.transaction(engine) as conn:
            accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
    mfa.enrol(app, username)
    client = sign_in(app, username)
    if who == "required-worker":
        assert service.set_policy(engine, "Org A", True)
    account = client.get("/account")
    assert account.status_code == 200
    assert "/account/second-step/off" not in account.text  # no form offered
    posted = client.post(
        "/account/second-step/off",
        data={
            "csrf": form(account.text, "/account/recovery-codes").hidden("csrf"),
            "password": PASSWORD,
            "code": mfa.code(app, username),
        },
    )
    assert posted.status_code == 403
    assert login(app.test_client(), username) == (401, "totp-required")
    assert "totp-off-refused" in actions(app)


def test_recovery_codes_made_anew(app: Flask) -> None:
    old = mfa.enrol(app, "ana")
    client = sign_in(app, "ana")
    account = client.get("/account")
    assert "10" in account.text
    renew = form(account.text, "/account/recovery-codes")
    refused = submit(client, renew, password="not my password at all")
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    made = submit(client, renew, password=PASSWORD)
    assert made.status_code == 200
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", made.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert login(app.test_client(), "ana", totp=old[0]) == (401, "totp-invalid")
    assert login(app.test_client(), "ana", totp=new[0]) == (200, None)
    assert {"recovery-codes-refused", "recovery-codes-renewed"} <= set(actions(app))
    assert new[1] not in client.get("/account").text  # shown once only


def test_without_a_session_the_account_page_asks_to_sign_in(app: Flask) -> None:
    assert app.test_client().get("/account").location == "/signin"
    assert app.test_client().post("/account/recovery-codes").status_code in (303, 400)


def test_a_studio_reviewer_reaches_their_account_too(app: Flask) -> None:
    with storage.transaction(app.extensions["screening"].engine) as conn:
        accounts.create_user(conn, "rana", None, "reviewer", PASSWORD)
    client = sign_in(app, "rana")
    assert 'href="/account"' in client.get("/studio").text  # the studio is their start page
    assert client.get("/account").status_code == 200
    assert client.get("/account/password").status_code == 200
    assert client.get("/account/second-step").status_code == 200
