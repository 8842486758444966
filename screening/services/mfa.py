"""The TOTP second factor (RFC 6238: 30-second steps, six digits, one step either side
accepted) and its recovery codes; which accounts must have one.

Admins always need one; an organisation may ask it of its workers too
(``screening orgs mfa ORG required``). The secret is wrapped with the master key (the
server must read it to check a code); each step's code is taken once (the last used
step is stored and only a later one is accepted). Recovery codes, ten, are shown once
and kept as SHA-256 digests; each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyotp

from screening.crypto.seal import MasterKey
from screening.services import accounts
from screening.services.accounts import User
from screening.store import credentials
from screening.store import db as storage

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

ISSUER = "Screening"
STEP = 30
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed from paper


def required(conn: Connection, user: User) -> bool:
    """Whether this account must sign in with a second factor."""
    return user.role == "admin" or credentials.org_requires_mfa(conn, user.org_id)


def enrolled(conn: Connection, user_id: int) -> bool:
    factor = credentials.totp_factor(conn, user_id)
    return factor is not None and bool(factor.confirmed)


def set_policy(engine: Engine, org: str, required_: bool) -> bool:
    """ORG's workers need a second factor (or not); False when there is no ORG."""
    with storage.transaction(engine) as conn:
        org_id = credentials.set_org_mfa(conn, org, required_)
        if org_id is not None:
            action = "mfa-required" if required_ else "mfa-optional"
            storage.write_audit(conn, action, actor="cli", org_id=org_id)
    return org_id is not None


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, to type into an app
    uri: str  # otpauth://, for the QR code


def _context(user_id: int) -> str:
    return f"totp/{user_id}"


def start_enrolment(conn: Connection, master: MasterKey, user: User) -> Enrolment:
    """The unconfirmed secret being enrolled (made now if there is none). A confirmed
    factor is never replaced here: the CLI's ``users reset --mfa`` removes it."""
    factor = credentials.totp_factor(conn, user.id)
    if factor is not None and factor.confirmed:
        raise ValueError("already enrolled")
    if factor is None:
        secret = pyotp.random_base32()
        credentials.put_totp(conn, user.id, master.wrap(secret.encode(), _context(user.id)))
    else:
        secret = master.unwrap(bytes(factor.secret), _context(user.id)).decode()
    uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30 s step (within one either side of now) whose code is ``code``."""
    totp = pyotp.TOTP(secret, interval=STEP)
    moment = time.time() if at is None else at
    now_step = int(moment // STEP)
    found = None
    for step in (now_step - 1, now_step, now_step + 1):  # every one compared: same time
        if hmac.compare_digest(totp.at(step * STEP), code):
            found = step
    return found


def _digits(code: str) -> str | None:
    cleaned = "".join(code.split())
    return cleaned if len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit() else None


def confirm_enrolment(
    conn: Connection, master: MasterKey, user: User, code: str
) -> list[str] | None:
    """Confirm the enrolment with a first code from the app: the ten recovery codes
    (shown once, kept hashed), or None when the code is not right."""
    factor = credentials.totp_factor(conn, user.id)
    digits = _digits(code)
    if factor is None or factor.confirmed or digits is None:
        return None
    secret = master.unwrap(bytes(factor.secret), _context(user.id)).decode()
    step = _matching_step(secret, digits)
    if step is None or not credentials.use_totp_step(conn, user.id, step, confirm=True):
        return None
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    credentials.put_recovery_codes(conn, user.id, [_digest(c) for c in codes])
    storage.write_audit(conn, "totp-enrolled", actor=user.username, org_id=user.org_id)
    return codes


def verify(conn: Connection, master: MasterKey, user: User, code: str) -> str | None:
    """``"totp"`` or ``"recovery"`` when ``code`` is a right, unused code of the user's
    (it is used up now), else None."""
    factor = credentials.totp_factor(conn, user.id)
    if factor is None or not factor.confirmed or len(code) > 64:
        return None
    digits = _digits(code)
    if digits is not None:
        secret = master.unwrap(bytes(factor.secret), _context(user.id)).decode()
        step = _matching_step(secret, digits)
        ok = step is not None and credentials.use_totp_step(conn, user.id, step)
        return "totp" if ok else None
    normal = normalise(code)
    if normal and credentials.use_recovery_code(conn, user.id, _digest(normal)):
        return "recovery"
    return None


def rewrap(conn: Connection, master: MasterKey) -> int:
    """Wrap every TOTP secret under ``master``'s current key (``keys rotate``): how
    many were wrapped under an older one."""
    count = 0
    for row in credentials.all_totp(conn):
        wrapped = bytes(row.secret)
        if master.wrapped_by_current(wrapped):
            continue
        secret = master.unwrap(wrapped, _context(row.user_id))
        credentials.set_totp_secret(conn, row.user_id, master.wrap(secret, _context(row.user_id)))
        count += 1
    return count


def remove(conn: Connection, user_id: int) -> None:
    """Remove the user's second factor and recovery codes (they enrol again)."""
    credentials.drop_totp(conn, user_id)


def recovery_left(conn: Connection, user_id: int) -> int:
    return credentials.recovery_codes_left(conn, user_id)


def normalise(code: str) -> str:
    """A code as typed (any case, spaces or dashes) in the form it was made."""
    return "".join(ch for ch in code.casefold() if ch.isalnum())


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))  # about 59 bits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _digest(code: str) -> str:
    return hashlib.sha256(b"screening/recovery\0" + normalise(code).encode()).hexdigest()


def current_code(secret: str, at: float | None = None) -> str:
    """The code an app shows now (for tests and the CLI's checks)."""
    return str(pyotp.TOTP(secret, interval=STEP).at(time.time() if at is None else at))


# ---------------------------------------------------------------- by the person's own choice
#
# Where the organisation leaves the second factor optional, a worker may switch it on
# from their account page (the same enrolment: QR code, key, a first code, recovery
# codes) and off again with their current password and a current code from the app.
# Nobody switches it off where it is required (every admin; the organisation's
# workers when it asks for it). Recovery codes may be made anew (the old ones stop
# working). Each of these is audited; a refusal too, without the code or password.


@dataclass(frozen=True)
class Status:
    enrolled: bool
    required: bool
    recovery_left: int


def status(engine: Engine, user: User) -> Status:
    with storage.transaction(engine) as conn:
        return Status(enrolled(conn, user.id), required(conn, user), recovery_left(conn, user.id))


def begin_by_choice(engine: Engine, master: MasterKey, user: User) -> Enrolment | None:
    """The secret to enrol (as at sign-in), or None when the account has one already."""
    with storage.transaction(engine) as conn:
        if enrolled(conn, user.id):
            return None
        return start_enrolment(conn, master, user)


def confirm_by_choice(engine: Engine, master: MasterKey, user: User, code: str) -> list[str] | None:
    """The first code from the app: the ten recovery codes, or None (audited as
    ``totp-enrolled`` by :func:`confirm_enrolment`)."""
    with storage.transaction(engine) as conn:
        return confirm_enrolment(conn, master, user, code)


def _password_right(conn: Connection, user: User, password: str) -> bool:
    hashed = credentials.password_hash(conn, user.id)
    return hashed is not None and accounts.verify_hash(hashed, password[:1000])


def switch_off(engine: Engine, master: MasterKey, user: User, password: str, code: str) -> str:
    """Remove the user's own second factor: ``off``; ``required`` (never where it is
    required), ``not-enrolled``, or ``wrong`` (the password or the app's code is not
    right; a recovery code does not do here)."""
    with storage.transaction(engine) as conn:
        if required(conn, user):
            storage.write_audit(conn, "totp-off-refused", actor=user.username, org_id=user.org_id)
            return "required"
        if not enrolled(conn, user.id):
            return "not-enrolled"
        right = (
            _password_right(conn, user, password)
            and _digits(code) is not None
            and verify(conn, master, user, code) == "totp"
        )
        if not right:
            storage.write_audit(conn, "totp-off-failed", actor=user.username, org_id=user.org_id)
            return "wrong"
        credentials.drop_totp(conn, user.id)
        storage.write_audit(conn, "totp-switched-off", actor=user.username, org_id=user.org_id)
    return "off"


def renew_recovery_codes(engine: Engine, user: User, password: str) -> list[str] | None:
    """Ten new recovery codes (the old ones stop working; shown once, kept hashed),
    or None when the password is not right or there is no second factor."""
    with storage.transaction(engine) as conn:
        if not enrolled(conn, user.id):
            return None
        if not _password_right(conn, user, password):
            storage.write_audit(
                conn, "recovery-codes-refused", actor=user.username, org_id=user.org_id
            )
            return None
        codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
        credentials.put_recovery_codes(conn, user.id, [_digest(c) for c in codes])
        storage.write_audit(conn, "recovery-codes-renewed", actor=user.username, org_id=user.org_id)
    return codes
