"""Changing a password, and one-time reset codes.

Every user may change their own password (the current one asked). An admin of the
organisation, or ``screening users reset`` on the server, issues a reset code: shown
once, kept as its SHA-256 alone, good for 24 hours and for one use; the user chooses
the new password with it, so nobody else ever sees or sets it. Either way every
session of the user ends, and so does any half-done sign-in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from screening.services import accounts, mfa
from screening.services.accounts import AccountError, User
from screening.store import credentials
from screening.store import db as storage

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

RESET_LIFETIME = dt.timedelta(hours=24)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class ResetRefused(AccountError):
    pass


class WrongPassword(AccountError):
    pass


def _set(conn: Connection, user: User, new: str) -> None:
    accounts.check_password(new, user.username)
    credentials.set_password_hash(conn, user.id, accounts.hash_password(new))
    accounts.close_all_sessions(conn, user.id)
    credentials.drop_user_steps(conn, user.id)


def change(engine: Engine, user: User, current: str, new: str) -> str:
    """Change the user's password; AccountError when ``current`` is wrong or ``new``
    too weak (WeakPassword). Every session of the user ends; a new one opens for the
    browser that changed it (its token)."""
    with storage.transaction(engine) as conn:
        hashed = credentials.password_hash(conn, user.id)
        if hashed is None or not accounts.verify_hash(hashed, current):
            raise WrongPassword("the current password is not right")
        if new == current:
            raise AccountError("the new password must differ from the current one")
        _set(conn, user, new)
        storage.write_audit(conn, "password-change", actor=user.username, org_id=user.org_id)
        return accounts.open_session(conn, user_id=user.id)


def replace_weak(conn: Connection, user: User, new: str) -> None:
    """The new password of a sign-in whose old one was too weak (checked just now)."""
    _set(conn, user, new)
    storage.write_audit(conn, "password-change", actor=user.username, org_id=user.org_id)


def issue_reset(
    engine: Engine, username: str, *, by: User | None = None, mfa_too: bool = False
) -> str:
    """A new reset code for ``username`` (shown once; an older one stops working).
    An admin issues codes only for accounts of their own organisation; the command
    line (``by`` None) for any, and may also remove the second factor (``mfa_too``)
    so a last admin who lost their phone can enrol again."""
    with storage.transaction(engine) as conn:
        row = credentials.user_row(conn, username)
        if row is None or (by is not None and (by.role != "admin" or row.org_id != by.org_id)):
            raise ResetRefused(f"no user {username!r}")
        code = _new_code()
        credentials.put_reset_code(conn, row.id, _digest(code), storage.now() + RESET_LIFETIME)
        actor = by.username if by else "cli"
        if mfa_too:
            credentials.drop_totp(conn, row.id)
            storage.write_audit(conn, "mfa-removed", actor=actor, org_id=row.org_id)
        storage.write_audit(conn, "reset-issued", actor=actor, org_id=row.org_id)
    return code


def use_reset(engine: Engine, username: str, code: str, new: str) -> User:
    """Set a new password with a reset code: the user, or ResetRefused (unknown user,
    wrong, used or expired code: one message for all) or WeakPassword. The code is used
    up only when the new password is taken."""
    with storage.transaction(engine) as conn:
        row = credentials.user_row(conn, username)
        if row is None or row.disabled or len(code) > 64:
            raise ResetRefused("that code is not right, was used already, or expired")
        user = User(row.id, row.username, row.org_id, row.role)
        accounts.check_password(new, user.username)  # first: a weak choice keeps the code
        if not credentials.take_reset_code(conn, user.id, _digest(code)):
            raise ResetRefused("that code is not right, was used already, or expired")
        _set(conn, user, new)
        storage.write_audit(conn, "reset-used", actor=user.username, org_id=user.org_id)
    return user


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))  # about 79 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _digest(code: str) -> str:
    return hashlib.sha256(b"screening/reset\0" + mfa.normalise(code).encode()).hexdigest()


def org_users(engine: Engine, admin: User) -> list[tuple[str, str, bool]]:
    """The admin's organisation's accounts: (username, role, disabled)."""
    with storage.transaction(engine) as conn:
        rows = credentials.org_users(conn, admin.org_id)
    return [(str(r.username), str(r.role), bool(r.disabled)) for r in rows]
