"""Organisations, worker and admin accounts, and server-side sessions (SQL, no Flask).

Passwords are hashed with argon2id. A session is a random token held by the browser;
the database keeps only its SHA-256, so a database copy cannot be used to sign in, and
deleting the row ends the session at once (a copied cookie stops working).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from screening.store.db import (
    best_effort,
    checkin_keys,
    now,
    organisations,
    sessions,
    users,
)

ROLES = ("worker", "admin", "reviewer", "designer")
# Issue 18: the co-design studio's roles see instruments and feedback, never an interview.
STUDIO_ROLES = ("reviewer", "designer")
WORKER_ROLES = ("worker", "admin")
# A community reviewer may belong to no organisation: the account is kept in this one.
NO_ORGANISATION = "(no organisation)"
MIN_PASSWORD = 12
MAX_PASSWORD = 1000
ABSOLUTE = dt.timedelta(hours=12)  # a worker signs in again after this, however busy
PRIVATE_ABSOLUTE = dt.timedelta(hours=2)
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
_DUMMY = _hasher.hash("not a password: equalises timing for unknown users")


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    username: str
    org_id: int
    role: str


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's public breach-frequency list."""
    # Only when a password is set: the lists are megabytes, sign-in never needs them.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, username: str = "") -> None:
    """NIST SP 800-63B / ASVS 6.2: a minimum length, no composition rules, and refuse
    passwords that are common, or are the username, or one character repeated, or that
    zxcvbn scores below :data:`MIN_SCORE` (its reasons travel in :class:`WeakPassword`)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    folded = password.casefold()
    common = _common_passwords()
    if folded in common or folded.rstrip("0123456789!. ") in common or len(set(folded)) < 4:
        raise AccountError("that password is too common or too easy to guess; choose another")
    if username and username.casefold() in folded:
        raise AccountError("a password must not contain the username")
    weak = strength(password, username)
    if weak is not None:
        raise weak


MIN_SCORE = 3  # zxcvbn's "safely unguessable": about 10^8 guesses and more
# Passwords known from examples, which zxcvbn's lists miss: refused like dictionary words.
KNOWN_EXAMPLES = ("correcthorsebatterystaple", "correct horse battery staple", "screening")


class WeakPassword(AccountError):
    """A password zxcvbn scores below :data:`MIN_SCORE`, with zxcvbn's own English
    ``warning`` and ``suggestions`` (the web shows them translated)."""

    def __init__(self, warning: str, suggestions: tuple[str, ...]) -> None:
        self.warning, self.suggestions = warning, suggestions
        reasons = " ".join(part for part in (warning, *suggestions) if part)
        super().__init__(f"that password is too easy to guess: {reasons}".strip())


def strength(password: str, username: str = "") -> WeakPassword | None:
    """None when zxcvbn scores ``password`` :data:`MIN_SCORE` or more; else its reasons.
    Only the first 100 characters are scored (zxcvbn's matching grows with length)."""
    from zxcvbn import zxcvbn

    inputs = [*KNOWN_EXAMPLES, *([username] if username else [])]
    result = zxcvbn(password[:100], user_inputs=inputs)
    if int(result["score"]) >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "")
    suggestions = tuple(str(s) for s in feedback.get("suggestions") or ())
    if not warning and not suggestions:
        suggestions = ("Add another word or two. Uncommon words are better.",)
    return WeakPassword(warning, suggestions)


def create_user(conn: Connection, username: str, org: str | None, role: str, password: str) -> User:
    if role not in ROLES:
        raise AccountError(f"role is one of {', '.join(ROLES)}")
    if not org:
        if role != "reviewer":
            raise AccountError("only a reviewer may belong to no organisation")
        org = NO_ORGANISATION
    if not username or len(username) > 100 or not username.isprintable():
        raise AccountError("a username is 1 to 100 printable characters")
    check_password(password, username)
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise AccountError(f"the username {username!r} is taken")
    org_id = conn.execute(select(organisations.c.id).where(organisations.c.name == org)).scalar()
    if org_id is None:
        org_id = conn.execute(
            insert(organisations).values(name=org, created_at=now()).returning(organisations.c.id)
        ).scalar_one()
    user_id = conn.execute(
        insert(users)
        .values(
            username=username,
            org_id=org_id,
            role=role,
            disabled=False,
            password_hash=_hasher.hash(password),
            created_at=now(),
        )
        .returning(users.c.id)
    ).scalar_one()
    return User(int(user_id), username, int(org_id), role)


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done either way.
    Attempts are throttled by the caller (:mod:`screening.services.signin`), per account
    and address, so no stranger can lock a worker out."""
    row = conn.execute(select(users).where(users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY, password)
        good = row is not None and not row.disabled
    except (VerificationError, InvalidHashError):
        good = False
    if not good:
        return None
    assert row is not None
    return User(row.id, row.username, row.org_id, row.role)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_hash(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


def org_of(conn: Connection, username: str) -> int | None:
    """The organisation of the account with this username, or None when there is none."""
    found = conn.execute(select(users.c.org_id).where(users.c.username == username)).scalar()
    return int(found) if found is not None else None


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def close_all_sessions(conn: Connection, user_id: int) -> int:
    """Sign a user out everywhere; how many sessions ended."""
    result = conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    return int(result.rowcount or 0)


def disable_user(conn: Connection, username: str) -> bool:
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        return False
    conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    conn: Connection,
    *,
    user_id: int | None = None,
    interview_id: str | None = None,
    key_half: bytes | None = None,
) -> str:
    """A new session; a private check-in's also keeps the server's half of its data key
    (``key_half``), which goes when the session goes."""
    token = secrets.token_urlsafe(32)
    stamp = now()
    conn.execute(
        insert(sessions).values(
            token_hash=_digest(token),
            user_id=user_id,
            interview_id=interview_id,
            created_at=stamp,
            last_seen=stamp,
        )
    )
    if key_half is not None:
        conn.execute(insert(checkin_keys).values(token_hash=_digest(token), half=key_half))
    return token


@dataclass(frozen=True)
class Session:
    user: User | None
    interview_id: str | None
    key_half: bytes | None = None  # a private check-in's server half of its data key


# A session's last-seen time is written at most this often (or a tenth of its idle limit,
# if less): a request soon after the last one changes nothing, so an answer step does not
# pay a durable write for the touch. A session may so end up to this much early.
TOUCH_EVERY = dt.timedelta(seconds=60)


def find_session(
    conn: Connection, token: str, idle: dt.timedelta, private_idle: dt.timedelta | None = None
) -> Session | None:
    """The live session for a token (touching it), or None when unknown or idle too long.
    A private self-assessment's session may have a shorter idle limit."""
    digest = _digest(token)
    row = conn.execute(select(sessions).where(sessions.c.token_hash == digest)).first()
    if row is None:
        return None
    last = _aware(row.last_seen)
    private = row.interview_id is not None and row.user_id is None
    limit = private_idle if private and private_idle else idle
    absolute = PRIVATE_ABSOLUTE if private else ABSOLUTE
    if now() - last > limit or now() - _aware(row.created_at) > absolute:
        with best_effort(conn, "ending an idle session"):  # ended either way: None
            conn.execute(delete(sessions).where(sessions.c.token_hash == digest))
        return None
    if now() - last >= min(TOUCH_EVERY, limit / 10):  # not on every request: a write each
        with best_effort(conn, "session touch"):  # a read-only database: it still reads
            conn.execute(
                update(sessions).where(sessions.c.token_hash == digest).values(last_seen=now())
            )
    user = None
    if row.user_id is not None:
        urow = conn.execute(select(users).where(users.c.id == row.user_id)).first()
        if urow is None or urow.disabled:
            return None
        user = User(urow.id, urow.username, urow.org_id, urow.role)
    half = None
    if private:
        found = conn.execute(
            select(checkin_keys.c.half).where(checkin_keys.c.token_hash == digest)
        ).scalar()
        half = bytes(found) if found is not None else None
    return Session(user, row.interview_id, half)


def private_interview(conn: Connection, token: str) -> str | None:
    """The interview of a private check-in's session, live or idle (to end it)."""
    found = conn.execute(
        select(sessions.c.interview_id).where(
            sessions.c.token_hash == _digest(token), sessions.c.user_id.is_(None)
        )
    ).scalar()
    return str(found) if found is not None else None


def close_session(conn: Connection, token: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))
