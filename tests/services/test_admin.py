"""Accounts hardening, the access matrix over every route, master-key rotation,
retention and purge, deletion on request and the append-only audit log (issue 6).
On SQLite, and on PostgreSQL when SCREENING_TEST_DATABASE_URL names one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from screening.cli.main import main
from screening.crypto.seal import CryptoError, MasterKey, decode_key, load_master_key
from screening.services import accounts, admin, schedule, signin
from screening.services import interviews as service
from screening.store import coordination
from screening.store import db as storage
from tests.support.api import signed_in, start
from tests.support.apps import BACKENDS, PASSWORD, web_app
from tests.support.html import form, sign_in, submit


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    yield from web_app(request.param, tmp_path, [("ana", "Org A"), ("ben", "Org B")])


def engine_of(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["screening"].engine


def cli(app: Flask, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    settings = app.extensions["screening"].settings
    base = {"DATABASE_URL": settings.database_url, "SCREENING_INSTANCE": str(settings.instance)}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})})


def answered(app: Flask, who: str = "ana") -> str:
    client = signed_in(app, who)
    flow, _ = start(client, "gad7")
    flow.answer("gad7_1", 2)
    flow.answer("gad7_2", 1)
    return flow.id


# ------------------------------------------------------------------ passwords and sign-in


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("my name is newuser ok", "username"),
    ],
)
def test_weak_passwords_are_refused(app: Flask, password: str, why: str) -> None:
    with storage.transaction(engine_of(app)) as conn, pytest.raises(accounts.AccountError) as err:
        accounts.create_user(conn, "newuser", "Org A", "worker", password)
    assert why in str(err.value)


def test_failures_hold_one_account_at_one_address_and_reveal_nothing(app: Flask) -> None:
    """Issue 17: no lock anyone can set. Failures for a name hold that name at that
    address only (unknown names alike: nothing to enumerate); the owner elsewhere,
    and other accounts, sign in at once; the hold ends with its window."""
    client = app.test_client()

    def login(username: str, password: str, address: str = "127.0.0.1") -> tuple[int, object]:
        response = client.post(
            "/api/v1/login",
            json={"username": username, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )
        return response.status_code, response.json

    for _ in range(signin.PAIR_TIERS[0][0]):
        assert login("ana", "wrong password here")[0] == 401
        assert login("nobody-at-all", "wrong password here")[0] == 401
    held = login("ana", PASSWORD)  # the right password, from where the failures came
    unknown = login("nobody-at-all", PASSWORD)
    assert held == unknown == (429, unknown[1])  # the same answer: nothing to enumerate
    assert login("ana", PASSWORD, "127.0.0.2")[0] == 200  # the owner elsewhere: at once
    assert login("ben", PASSWORD)[0] == 200  # other accounts are not affected
    with storage.transaction(engine_of(app)) as conn:  # the minute passes
        conn.execute(
            update(coordination.rate_limits).values(
                window_start=storage.now() - dt.timedelta(seconds=61)
            )
        )
    assert login("ana", PASSWORD)[0] == 200
    with storage.transaction(engine_of(app)) as conn:
        actions = [r.action for r in admin.audit_rows(conn)]
    assert actions.count("login-failed") >= 2 * signin.PAIR_TIERS[0][0]
    assert "login" in actions and actions.count("login-throttled") == 2


def test_sessions_have_an_absolute_limit(app: Flask) -> None:
    client = signed_in(app)
    assert client.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 201
    with storage.transaction(engine_of(app)) as conn:  # busy all day: last seen just now
        conn.execute(
            update(storage.sessions).values(
                created_at=storage.now() - accounts.ABSOLUTE - dt.timedelta(minutes=1)
            )
        )
    assert client.post("/api/v1/interviews", json={"instrument": "gad7"}).status_code == 401


# ------------------------------------------------------------------ the access matrix

PUBLIC = {  # routes anyone may use, on purpose
    "static",
    "api.login",
    "api.logout",
    "api.create_interview",  # private mode needs no account; worker mode checks inside
    "pages.signin",
    "pages.signin_post",
    "pages.signout",
    "account.code",  # issue 17: each checks the browser's half-done sign-in inside
    "account.code_post",
    "account.enrol",
    "account.enrol_post",
    "account.proceed",
    "account.new_password",
    "account.new_password_post",
    "account.reset",  # issue 17: with a reset code
    "account.reset_post",
    "private.interview",
    "private.start",
    "private.leave",
    "private.help_seen",  # each checks the person's own private session inside
    "private.section",
    "private.answer",
    "standards.openapi",
    "languages.choose_ui_language",
    "plans.css",
    "health.healthz",  # no data: whether the database takes writes
    "findhelp.services",  # issue 20: the public directory, no account, nothing kept
    "findhelp.printable",
    "findhelp.api_services",
}


def _tables() -> dict[str, str]:
    from screening.web import (
        account,
        api,
        checkins,
        findhelp,
        health,
        languages,
        outcomes,
        pages,
        plans,
        private,
        referrals,
        standards,
        studio,
    )

    found: dict[str, str] = {}
    for table in (
        account.ACCESS,
        api.ACCESS,
        findhelp.ACCESS,
        health.ACCESS,
        pages.ACCESS,
        private.ACCESS,
        plans.ACCESS,
        referrals.ACCESS,
        checkins.ACCESS,
        outcomes.ACCESS,
        standards.ACCESS,
        languages.ACCESS,
        languages.API_ACCESS,
        studio.ACCESS,  # issue 18: the co-design studio
        studio.PREVIEW_ACCESS,
        studio.API_ACCESS,
    ):
        found.update(table)
    return found


def test_every_route_is_public_by_name_or_protected(app: Flask) -> None:
    declared = _tables()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        assert rule.endpoint in declared, f"{rule.rule} ({rule.endpoint}) declares no access"
        if "public" in declared[rule.endpoint].lower():
            assert rule.endpoint in PUBLIC, f"{rule.endpoint} is public but not on the allow-list"


def _fill(rule: str, interview_id: str) -> str:
    return re.sub(
        r"<(?:\w+:)?(\w+)>",
        lambda m: interview_id if m.group(1) == "interview_id" else "gad7",
        rule,
    )


def test_every_interview_route_refuses_strangers(app: Flask) -> None:
    """Each route that names an interview, tried as anonymous, as a worker of another
    organisation and as the owner: only the owner gets anything."""
    interview = answered(app, "ana")
    owner, other, anonymous = signed_in(app, "ana"), signed_in(app, "ben"), app.test_client()
    with storage.transaction(engine_of(app)) as conn:  # issue 18: studio accounts of Org A
        accounts.create_user(conn, "rev", None, "reviewer", PASSWORD)
        accounts.create_user(conn, "des", "Org A", "designer", PASSWORD)
    reviewer, designer = signed_in(app, "rev"), signed_in(app, "des")
    with storage.transaction(engine_of(app)) as conn:
        before = storage.count(conn, storage.entries)
    tried = 0
    for rule in app.url_map.iter_rules():
        if "interview_id" not in rule.arguments:
            continue
        url = _fill(rule.rule, interview)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            tried += 1
            kwargs: dict[str, object] = {"headers": {"Sec-Fetch-Site": "same-origin"}}
            if rule.rule.startswith("/api/") and method != "GET":
                kwargs["json"] = {"item": "gad7_3", "value": 1, "key": "matrix-0001"}
            strangers = [("anonymous", anonymous), ("other organisation", other)]
            strangers += [("reviewer", reviewer), ("designer of the organisation", designer)]
            for who, client in strangers:
                response = client.open(url, method=method, **kwargs)  # type: ignore[arg-type]
                ok = response.status_code in (400, 401, 403, 404) or (
                    response.status_code in (302, 303) and "/signin" in response.location
                )
                assert ok, f"{method} {url} as {who}: {response.status_code}"
            if method == "GET" and "referral_id" not in rule.arguments:  # no such referral
                mine = owner.get(url)
                assert mine.status_code in (200, 303), f"GET {url} as owner: {mine.status_code}"
    assert tried >= 15
    with storage.transaction(engine_of(app)) as conn:
        assert storage.count(conn, storage.entries) == before  # strangers wrote nothing


# ------------------------------------------------------------------ keys


def test_key_rotation_round_trip(app: Flask) -> None:
    interview = answered(app)
    settings = app.extensions["screening"].settings
    old_text = (settings.instance / "data.key").read_text().strip()
    done = cli(app, "keys", "rotate")
    assert done.exit_code == 0, done.output
    assert "re-wrapped 1 interview key" in done.output
    new_text = (settings.instance / "data.key").read_text().strip()
    assert new_text != old_text and not (settings.instance / "data.key.next").exists()
    fresh = load_master_key(settings.instance, None)
    with storage.transaction(engine_of(app)) as conn:
        loaded = service.load(conn, fresh, interview)
        assert set(loaded.state.answers) == {"gad7_1", "gad7_2"}  # nothing lost
        assert admin.key_status(conn, fresh) == {fresh.key_id: 1}
        wrapped = conn.execute(
            select(storage.interviews.c.wrapped_key).where(storage.interviews.c.id == interview)
        ).scalar_one()
    with pytest.raises(CryptoError):  # the old key alone opens nothing any more
        MasterKey(decode_key(old_text)).unwrap(bytes(wrapped), interview)
    status = cli(app, "keys", "status")
    assert status.exit_code == 0 and f"{fresh.key_id} (current): 1" in status.output


def test_an_interrupted_rotation_loses_nothing(app: Flask) -> None:
    """The new key is on disk (data.key.next) before any row is re-wrapped; after a crash
    between the database commit and the file swap, both keys are loaded."""
    interview = answered(app)
    settings = app.extensions["screening"].settings
    current = load_master_key(settings.instance, None)
    pending = settings.instance / "data.key.next"
    from screening.crypto.seal import encode_key, new_key

    fresh = new_key()
    pending.write_text(encode_key(fresh))
    target = MasterKey(fresh, (current.key,))
    with storage.transaction(engine_of(app)) as conn:  # the commit happened, then a crash
        row = storage.interview_row(conn, interview)
        data_key = current.unwrap(bytes(row.wrapped_key), interview)
        conn.execute(
            update(storage.interviews)
            .where(storage.interviews.c.id == interview)
            .values(wrapped_key=target.wrap(data_key, interview))
        )
    restarted = load_master_key(settings.instance, None)  # data.key is still the old one
    with storage.transaction(engine_of(app)) as conn:
        assert set(service.load(conn, restarted, interview).state.answers) == {
            "gad7_1",
            "gad7_2",
        }
    again = cli(app, "keys", "rotate")  # running it again finishes the job
    assert again.exit_code == 0, again.output
    assert (settings.instance / "data.key").read_text().strip() == encode_key(fresh)
    assert not pending.exists()


def test_key_rotation_with_keys_in_the_environment(app: Flask) -> None:
    from screening.crypto.seal import encode_key, new_key

    interview = answered(app)
    settings = app.extensions["screening"].settings
    old = (settings.instance / "data.key").read_text().strip()
    new = encode_key(new_key())
    done = cli(
        app, "keys", "rotate", env={"SCREENING_DATA_KEY": old, "SCREENING_NEW_DATA_KEY": new}
    )
    assert done.exit_code == 0 and f"SCREENING_DATA_KEY={new}" in done.output, done.output
    during = load_master_key(settings.instance, new, previous=old)
    with storage.transaction(engine_of(app)) as conn:
        assert service.load(conn, during, interview).state.answers


# ------------------------------------------------------------------ retention, purge, delete


def _age(app: Flask, interview_id: str, days: int) -> None:
    with storage.transaction(engine_of(app)) as conn:
        conn.execute(
            update(storage.interviews)
            .where(storage.interviews.c.id == interview_id)
            .values(updated_at=storage.now() - dt.timedelta(days=days))
        )


def _rows_naming(app: Flask, interview_id: str) -> int:
    total = 0
    with storage.transaction(engine_of(app)) as conn:
        for table in storage.metadata.sorted_tables:
            for column in ("interview_id", "id"):
                if column in table.c and (table is storage.interviews or column == "interview_id"):
                    total += len(
                        conn.execute(select(table).where(table.c[column] == interview_id)).all()
                    )
    return total


def test_purge_deletes_expired_interviews_completely(app: Flask) -> None:
    old_a, new_a, old_b = answered(app, "ana"), answered(app, "ana"), answered(app, "ben")
    assert cli(app, "orgs", "retention", "Org A", "30").exit_code == 0
    assert cli(app, "orgs", "retention", "No Such Org", "30").exit_code == 1
    _age(app, old_a, 40)
    _age(app, old_b, 40)  # Org B keeps the default 365 days
    dry = cli(app, "purge", "--dry-run")
    assert dry.exit_code == 0 and old_a in dry.output and "would delete 1" in dry.output
    assert _rows_naming(app, old_a) > 0  # a dry run deletes nothing
    done = cli(app, "purge")
    assert done.exit_code == 0 and "deleted 1 interview" in done.output, done.output
    assert _rows_naming(app, old_a) == 0
    assert _rows_naming(app, new_a) > 0 and _rows_naming(app, old_b) > 0
    with storage.transaction(engine_of(app)) as conn:
        purged = [r for r in admin.audit_rows(conn) if r.action == "purge"]
    assert [r.interview_ref for r in purged] == [old_a]  # the opaque reference outlives it


def test_delete_on_request(app: Flask) -> None:
    interview = answered(app)
    done = cli(app, "interviews", "delete", "--", interview)
    assert done.exit_code == 0, done.output
    assert _rows_naming(app, interview) == 0
    assert cli(app, "interviews", "delete", "--", interview).exit_code == 1


def test_the_audit_log_is_append_only_and_holds_no_content(app: Flask) -> None:
    interview = answered(app)
    client = signed_in(app)
    assert client.get(f"/api/v1/interviews/{interview}/result").status_code == 200
    with storage.transaction(engine_of(app)) as conn:
        rows = admin.audit_rows(conn)
    actions = {r.action for r in rows}
    assert {"login", "create", "change", "view"} <= actions
    assert all(r.interview_ref in (None, interview) for r in rows)
    for statement in ("UPDATE audit SET action = 'x'", "DELETE FROM audit"):
        with pytest.raises(DBAPIError), storage.transaction(engine_of(app)) as conn:
            conn.execute(text(statement))
    listed = cli(app, "audit", "--limit", "5")
    assert listed.exit_code == 0 and len(listed.output.strip().splitlines()) == 5


def test_production_cookies_are_host_prefixed(tmp_path: Path) -> None:
    from screening.config import Settings
    from screening.crypto.seal import encode_key, new_key
    from screening.web import create_app

    settings = Settings(
        instance=tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'prod.db'}",
        production=True,
        secret_key="a production secret that is long enough to use",
        data_key=encode_key(new_key()),
    )
    app = create_app(settings, {"TESTING": True})
    with storage.transaction(engine_of(app)) as conn:
        accounts.create_user(conn, "ana", "Org A", "worker", PASSWORD)
    client = app.test_client()
    body = {"username": "ana", "password": PASSWORD}
    signed = client.post("/api/v1/login", json=body, base_url="https://localhost")
    assert signed.status_code == 200
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sid=") and "Secure" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    https = {"base_url": "https://localhost"}
    plain = app.test_client()
    plain.set_cookie("sid", token)  # not prefixed: anyone could have set it, so ignored
    assert plain.post("/api/v1/interviews", json={"instrument": "gad7"}, **https).status_code == 401
    prefixed = app.test_client()
    prefixed.set_cookie("__Host-sid", token)
    made = prefixed.post("/api/v1/interviews", json={"instrument": "gad7"}, **https)
    assert made.status_code == 201
    page = app.test_client().get("/signin", **https)
    assert page.headers["Set-Cookie"].startswith("__Host-pre=")
    assert "Path=/;" in page.headers["Set-Cookie"] + ";"  # __Host- cookies are for all paths
    engine_of(app).dispose()


def test_the_scheduled_run_purges_and_sweeps(app: Flask) -> None:
    import threading
    import time

    old = answered(app)
    _age(app, old, admin.DEFAULT_RETENTION_DAYS + 1)
    fresh = answered(app)
    stop = threading.Event()
    worker = threading.Thread(target=schedule.maintenance, args=(engine_of(app), stop))
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while _rows_naming(app, old) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=20)
    assert not worker.is_alive()
    assert _rows_naming(app, old) == 0 and _rows_naming(app, fresh) > 0


def test_one_address_cannot_spray_passwords(app: Flask) -> None:
    client = app.test_client()
    codes = [
        client.post(
            "/api/v1/login", json={"username": f"user{n}", "password": "guess guess guess"}
        ).status_code
        for n in range(35)
    ]
    assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}
    elsewhere = app.test_client()
    from_elsewhere = elsewhere.post(
        "/api/v1/login",
        json={"username": "ana", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert from_elsewhere.status_code == 200


def test_sign_out_everywhere_and_the_admin_audit_page(app: Flask) -> None:

    with storage.transaction(engine_of(app)) as conn:
        accounts.create_user(conn, "ada", "Org A", "admin", PASSWORD)
    answered(app, "ben")  # another organisation's activity
    tablet, phone = sign_in(app, "ana"), sign_in(app, "ana")
    assert tablet.get("/admin/audit").status_code == 403  # workers do not see the log
    boss = sign_in(app, "ada")
    page = boss.get("/admin/audit")
    assert page.status_code == 200 and "login" in page.text
    assert "ben" not in page.text  # only the admin's own organisation
    home = tablet.get("/")
    done = submit(tablet, form(home.text, "/signout/everywhere"))
    assert done.status_code == 303 and done.location == "/signin"
    assert phone.get("/").location == "/signin"  # the other device is signed out too
    assert boss.get("/").status_code == 200  # other accounts are not
