"""The second factor in tests: enrol an account as the enrolment page would (a first
code computed with pyotp from the stored secret), and compute a code to sign in with.

Codes are single use (the last used 30 s step is stored); ``code`` rewinds that record
first, so a test may sign the same admin in several times within one step. Only tests
about reuse must not call it between two sign-ins.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from screening.services import accounts, mfa
from screening.store import credentials
from screening.store import db as storage


def _user(conn: object, username: str) -> accounts.User:
    row = credentials.user_row(conn, username)  # type: ignore[arg-type]
    assert row is not None, f"no user {username!r}"
    return accounts.User(row.id, row.username, row.org_id, row.role)


def enrol(app: Flask, username: str) -> list[str]:
    """Set up the account's TOTP factor; its ten recovery codes."""
    state = app.extensions["screening"]
    with storage.transaction(state.engine) as conn:
        user = _user(conn, username)
        enrolment = mfa.start_enrolment(conn, state.master, user)
        codes = mfa.confirm_enrolment(conn, state.master, user, mfa.current_code(enrolment.secret))
    assert codes is not None
    return codes


def secret(app: Flask, username: str) -> str:
    state = app.extensions["screening"]
    with storage.transaction(state.engine) as conn:
        user = _user(conn, username)
        factor = credentials.totp_factor(conn, user.id)
        assert factor is not None, f"{username!r} has no second factor"
        return state.master.unwrap(bytes(factor.secret), f"totp/{user.id}").decode()


def code(app: Flask, username: str) -> str:
    """A code that signs ``username`` in now (the used-step record rewound)."""
    state = app.extensions["screening"]
    with storage.transaction(state.engine) as conn:
        user = _user(conn, username)
        conn.execute(
            update(credentials.totp_factors)
            .where(credentials.totp_factors.c.user_id == user.id)
            .values(last_step=0)
        )
    return mfa.current_code(secret(app, username))
