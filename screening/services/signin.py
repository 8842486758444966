"""Signing in: the throttle, the second factor, and a sign-in with steps still to do.

**The throttle** counts *failures* only, in the shared counters every process and
server sees (the database, or Redis: :mod:`screening.store.coordination`), so it
survives restarts:

- per account and address (the username case-folded), in tiers of growing windows:
  5 failures a minute, 10 in 15 minutes, 20 an hour, 40 a day. Past a tier's limit
  that pair waits until the window ends: the more failures, the longer the wait.
  Nobody else is held up: the owner's right password from any other address works at
  once, so a stranger cannot lock a worker out. A success clears the pair's count.
- per address, across all accounts (password spraying): 30 failures in 5 minutes, 100
  in an hour.

A throttled attempt is not checked at all (the password may be right) and is audited.

**Steps.** When the password is right but a code is needed (``totp``), a second factor
must be set up (``enrol``) or the password is too weak and must be changed
(``password``), the pages keep a half-done sign-in (a random token, its SHA-256 stored,
ten minutes) until the steps are done; only then is a session opened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from screening.crypto.seal import MasterKey
from screening.services import accounts, mfa, passwords
from screening.services.accounts import User
from screening.store import coordination, credentials
from screening.store import db as storage

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

PAIR_TIERS: tuple[tuple[int, int], ...] = ((5, 60), (10, 900), (20, 3600), (40, 86400))
ADDRESS_TIERS: tuple[tuple[int, int], ...] = ((30, 300), (100, 3600))
STEPS_LIFETIME = dt.timedelta(minutes=10)


@dataclass
class Throttle:
    counters: coordination.Counters
    pair_tiers: tuple[tuple[int, int], ...] = PAIR_TIERS
    address_tiers: tuple[tuple[int, int], ...] = ADDRESS_TIERS

    def _keys(self, username: str, address: str) -> list[tuple[str, int, int]]:
        who = username.casefold()
        pair = [(f"signin-pair\0{s}\0{who}\0{address}", n, s) for n, s in self.pair_tiers]
        place = [(f"signin-address\0{s}\0{address}", n, s) for n, s in self.address_tiers]
        return pair + place

    def held(self, username: str, address: str) -> bool:
        """Whether this attempt must wait (checked before the password)."""
        return any(
            self.counters.peek(key, dt.timedelta(seconds=s)) >= n
            for key, n, s in self._keys(username, address)
        )

    def failed(self, username: str, address: str) -> None:
        for key, n, s in self._keys(username, address):
            self.counters.hit(key, n, dt.timedelta(seconds=s))

    def succeeded(self, username: str, address: str) -> None:
        """The pair starts afresh (the address's spraying count stays)."""
        for key, _n, _s in self._keys(username, address)[: len(self.pair_tiers)]:
            self.counters.forget(key)


@dataclass(frozen=True)
class Attempt:
    """What a sign-in came to: ``signed-in``, ``wrong``, ``throttled``, or (the password
    right) ``steps`` (pages) or an API's ``totp-required``/``totp-invalid``/
    ``totp-enrol``/``password-change``."""

    outcome: str
    user: User | None = None
    steps: tuple[str, ...] = field(default=())


def attempt(
    engine: Engine,
    master: MasterKey,
    throttle: Throttle,
    username: str,
    password: str,
    address: str,
    *,
    totp: str | None = None,
    pages: bool = False,
) -> Attempt:
    """Check a sign-in; every outcome is audited (a failure without the name, with the
    organisation of the account named when there is one, so its admins see it). The
    counters are touched outside the transaction (SQLite has one writer at a time)."""
    if throttle.held(username, address):
        with storage.transaction(engine) as conn:
            storage.write_audit(conn, "login-throttled", org_id=accounts.org_of(conn, username))
        return Attempt("throttled")
    with storage.transaction(engine) as conn:
        result = _check(conn, master, username, password, totp=totp, pages=pages)
    if result.outcome in ("wrong", "totp-invalid"):
        throttle.failed(username, address)
    elif result.outcome == "signed-in":  # not before a code is right: no fresh tries
        throttle.succeeded(username, address)
    return result


def _check(
    conn: Connection,
    master: MasterKey,
    username: str,
    password: str,
    *,
    totp: str | None,
    pages: bool,
) -> Attempt:
    org_id = accounts.org_of(conn, username)  # looked up either way: the same work
    user = accounts.authenticate(conn, username, password)
    if user is None:
        storage.write_audit(conn, "login-failed", org_id=org_id)
        return Attempt("wrong")
    steps: list[str] = []
    if mfa.enrolled(conn, user.id):
        if totp is None:
            if not pages:
                return Attempt("totp-required", user)
            steps.append("totp")
        else:
            used = mfa.verify(conn, master, user, totp)
            if used is None:
                storage.write_audit(conn, "totp-failed", actor=user.username, org_id=user.org_id)
                return Attempt("totp-invalid", user)
            if used == "recovery":
                storage.write_audit(conn, "recovery-used", actor=user.username, org_id=user.org_id)
    elif mfa.required(conn, user):
        if not pages:
            return Attempt("totp-enrol", user)
        steps.append("enrol")
    if accounts.strength(password, user.username) is not None:
        if not pages:
            return Attempt("password-change", user)
        steps.append("password")
    if steps:
        return Attempt("steps", user, tuple(steps))
    storage.write_audit(conn, "login", actor=user.username, org_id=user.org_id)
    return Attempt("signed-in", user)


def _digest(token: str) -> str:
    return hashlib.sha256(b"screening/signin-steps\0" + token.encode()).hexdigest()


def begin(engine: Engine, user: User, steps: tuple[str, ...]) -> str:
    """A half-done sign-in with ``steps`` still to do: its token (for a cookie)."""
    token = secrets.token_urlsafe(32)
    with storage.transaction(engine) as conn:
        expires = storage.now() + STEPS_LIFETIME
        credentials.put_steps(conn, _digest(token), user.id, list(steps), expires)
    return token


def pending(engine: Engine, token: str | None) -> tuple[User, list[str]] | None:
    """The user and the steps still to do of a half-done sign-in, or None."""
    if not token or len(token) > 100:
        return None
    with storage.transaction(engine) as conn:
        found = credentials.steps_of(conn, _digest(token))
        if found is None:
            return None
        row = credentials.user_by_id(conn, found[0])
    if row is None or row.disabled:
        return None
    return User(row.id, row.username, row.org_id, row.role), found[1]


def _done(conn: Connection, token: str, step: str) -> None:
    found = credentials.steps_of(conn, _digest(token))
    left = [s for s in (found[1] if found else []) if s != step]
    credentials.set_steps(conn, _digest(token), left)


def done(engine: Engine, token: str, step: str) -> None:
    with storage.transaction(engine) as conn:
        _done(conn, token, step)


def enrolment(engine: Engine, master: MasterKey, user: User) -> mfa.Enrolment:
    with storage.transaction(engine) as conn:
        return mfa.start_enrolment(conn, master, user)


def confirm_enrolment(
    engine: Engine, master: MasterKey, user: User, token: str, code: str
) -> list[str] | None:
    """The first code from the app: the recovery codes (the step done), or None."""
    with storage.transaction(engine) as conn:
        codes = mfa.confirm_enrolment(conn, master, user, code)
        if codes is not None:
            _done(conn, token, "enrol")
    return codes


def replace_password(engine: Engine, user: User, token: str, new: str) -> None:
    """The new password of a sign-in whose password was too weak (AccountError, or
    WeakPassword with zxcvbn's reasons, when the new one is refused)."""
    with storage.transaction(engine) as conn:
        found = credentials.steps_of(conn, _digest(token))
        passwords.replace_weak(conn, user, new)  # ends every session and half sign-in
        left = [s for s in (found[1] if found else []) if s != "password"]
        expires = storage.now() + STEPS_LIFETIME
        credentials.put_steps(conn, _digest(token), user.id, left, expires)


def complete(engine: Engine, token: str, user: User, old_session: str | None) -> str:
    """Every step done: the half-done sign-in goes, a session opens (this browser's old
    one ends); the session's token."""
    with storage.transaction(engine) as conn:
        credentials.drop_steps(conn, _digest(token))
        storage.write_audit(conn, "login", actor=user.username, org_id=user.org_id)
        if old_session:
            accounts.close_session(conn, old_session)
        return accounts.open_session(conn, user_id=user.id)


def code_step(
    engine: Engine, master: MasterKey, throttle: Throttle, user: User, code: str, address: str
) -> str:
    """The second screen: a TOTP or recovery code (``ok``, ``wrong`` or ``throttled``);
    a wrong one counts as a failure of the account and address."""
    if throttle.held(user.username, address):
        with storage.transaction(engine) as conn:
            storage.write_audit(conn, "login-throttled", org_id=user.org_id)
        return "throttled"
    with storage.transaction(engine) as conn:
        used = mfa.verify(conn, master, user, code)
        if used is None:
            storage.write_audit(conn, "totp-failed", actor=user.username, org_id=user.org_id)
        elif used == "recovery":
            storage.write_audit(conn, "recovery-used", actor=user.username, org_id=user.org_id)
    if used is None:
        throttle.failed(user.username, address)
        return "wrong"
    throttle.succeeded(user.username, address)
    return "ok"
