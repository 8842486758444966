"""What an account signs in with besides its password hash (SQL only, no rules): the
TOTP second factor, recovery codes, one-time reset codes, each organisation's choice of
a second factor for its workers, and a sign-in that is half done (password right, the
code or a new password still to come).

New tables only (``metadata.create_all`` adds them to an older database). Every code
and token is kept as its SHA-256 alone; the TOTP secret, which the server must read to
check a code, is wrapped with the master key like an interview's data key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from screening.store.db import metadata, now, organisations, users

totp_factors = Table(
    "totp_factors",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("secret", LargeBinary, nullable=False),  # wrapped with the master key
    Column("confirmed", Boolean, nullable=False),  # False until a first code was right
    Column("last_step", Integer, nullable=False),  # the last 30 s step used: never again
    Column("created_at", DateTime(timezone=True), nullable=False),
)
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("used_at", DateTime(timezone=True), nullable=True),
)
reset_codes = Table(
    "reset_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)
org_mfa = Table(
    "org_mfa",
    metadata,
    Column("org_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("required", Boolean, nullable=False),  # a second factor for its workers too
)
signin_steps = Table(
    "signin_steps",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("steps", String(60), nullable=False),  # what is still to do, comma-separated
    Column("expires_at", DateTime(timezone=True), nullable=False),
)


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- passwords


def password_hash(conn: Connection, user_id: int) -> str | None:
    found = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()
    return str(found) if found is not None else None


def set_password_hash(conn: Connection, user_id: int, hashed: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=hashed))


def user_row(conn: Connection, username: str) -> Any:
    return conn.execute(select(users).where(users.c.username == username)).first()


def user_by_id(conn: Connection, user_id: int) -> Any:
    return conn.execute(select(users).where(users.c.id == user_id)).first()


def org_users(conn: Connection, org_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(users.c.id, users.c.username, users.c.role, users.c.disabled)
            .where(users.c.org_id == org_id)
            .order_by(users.c.username)
        )
    )


# ---------------------------------------------------------------- TOTP


def totp_factor(conn: Connection, user_id: int) -> Any:
    return conn.execute(select(totp_factors).where(totp_factors.c.user_id == user_id)).first()


def put_totp(conn: Connection, user_id: int, wrapped: bytes) -> None:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one)."""
    conn.execute(delete(totp_factors).where(totp_factors.c.user_id == user_id))
    conn.execute(
        insert(totp_factors).values(
            user_id=user_id, secret=wrapped, confirmed=False, last_step=0, created_at=now()
        )
    )


def all_totp(conn: Connection) -> list[Any]:
    return list(conn.execute(select(totp_factors.c.user_id, totp_factors.c.secret)))


def set_totp_secret(conn: Connection, user_id: int, wrapped: bytes) -> None:
    conn.execute(
        update(totp_factors).where(totp_factors.c.user_id == user_id).values(secret=wrapped)
    )


def use_totp_step(conn: Connection, user_id: int, step: int, *, confirm: bool = False) -> bool:
    """Record ``step`` as used, atomically: False when it or a later one was used."""
    values: dict[str, Any] = {"last_step": step}
    if confirm:
        values["confirmed"] = True
    done = conn.execute(
        update(totp_factors)
        .where(totp_factors.c.user_id == user_id, totp_factors.c.last_step < step)
        .values(**values)
    ).rowcount
    return bool(done)


def drop_totp(conn: Connection, user_id: int) -> None:
    conn.execute(delete(totp_factors).where(totp_factors.c.user_id == user_id))
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))


def put_recovery_codes(conn: Connection, user_id: int, hashes: list[str]) -> None:
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    for digest in hashes:
        conn.execute(insert(recovery_codes).values(code_hash=digest, user_id=user_id))


def use_recovery_code(conn: Connection, user_id: int, digest: str) -> bool:
    done = conn.execute(
        update(recovery_codes)
        .where(
            recovery_codes.c.code_hash == digest,
            recovery_codes.c.user_id == user_id,
            recovery_codes.c.used_at.is_(None),
        )
        .values(used_at=now())
    ).rowcount
    return bool(done)


def recovery_codes_left(conn: Connection, user_id: int) -> int:
    rows = conn.execute(
        select(recovery_codes.c.code_hash).where(
            recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None)
        )
    ).all()
    return len(rows)


# ---------------------------------------------------------------- organisations


def org_requires_mfa(conn: Connection, org_id: int) -> bool:
    found = conn.execute(select(org_mfa.c.required).where(org_mfa.c.org_id == org_id)).scalar()
    return bool(found)


def set_org_mfa(conn: Connection, org: str, required: bool) -> int | None:
    """Set ORG's choice; its id, or None when there is no such organisation."""
    org_id = conn.execute(select(organisations.c.id).where(organisations.c.name == org)).scalar()
    if org_id is None:
        return None
    conn.execute(delete(org_mfa).where(org_mfa.c.org_id == org_id))
    conn.execute(insert(org_mfa).values(org_id=org_id, required=required))
    return int(org_id)


# ---------------------------------------------------------------- reset codes


def put_reset_code(conn: Connection, user_id: int, digest: str, expires_at: dt.datetime) -> None:
    """A new reset code for the user; an older unused one stops working."""
    conn.execute(delete(reset_codes).where(reset_codes.c.user_id == user_id))
    conn.execute(
        insert(reset_codes).values(code_hash=digest, user_id=user_id, expires_at=expires_at)
    )


def take_reset_code(conn: Connection, user_id: int, digest: str) -> bool:
    """Use the code once, atomically: False when unknown, another's, used or expired."""
    done = conn.execute(
        update(reset_codes)
        .where(
            reset_codes.c.code_hash == digest,
            reset_codes.c.user_id == user_id,
            reset_codes.c.used_at.is_(None),
            reset_codes.c.expires_at > now(),
        )
        .values(used_at=now())
    ).rowcount
    return bool(done)


# ---------------------------------------------------------------- half-done sign-ins


def put_steps(
    conn: Connection, digest: str, user_id: int, steps: list[str], expires_at: dt.datetime
) -> None:
    conn.execute(delete(signin_steps).where(signin_steps.c.token_hash == digest))
    conn.execute(
        insert(signin_steps).values(
            token_hash=digest, user_id=user_id, steps=",".join(steps), expires_at=expires_at
        )
    )


def steps_of(conn: Connection, digest: str) -> tuple[int, list[str]] | None:
    row = conn.execute(select(signin_steps).where(signin_steps.c.token_hash == digest)).first()
    if row is None:
        return None
    if _aware(row.expires_at) <= now():
        conn.execute(delete(signin_steps).where(signin_steps.c.token_hash == digest))
        return None
    return int(row.user_id), [s for s in str(row.steps).split(",") if s]


def set_steps(conn: Connection, digest: str, steps: list[str]) -> None:
    conn.execute(
        update(signin_steps)
        .where(signin_steps.c.token_hash == digest)
        .values(steps=",".join(steps))
    )


def drop_steps(conn: Connection, digest: str) -> None:
    conn.execute(delete(signin_steps).where(signin_steps.c.token_hash == digest))


def drop_user_steps(conn: Connection, user_id: int) -> None:
    conn.execute(delete(signin_steps).where(signin_steps.c.user_id == user_id))
