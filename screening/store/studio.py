"""The co-design studio's storage (issue 18): reviewers' choices, feedback on
instruments, and draft instruments uploaded for review.

Feedback may hold a reviewer's own story, so its words (free text, suggested wording,
the team's reason for keeping an item) are sealed like answers: under a data key of
the feedback's own, wrapped by the master key. Deleting the row deletes the wrapped key,
so no copy of the ciphertext can be read again. The fixed choices ("clear", "could
upset someone"...) are kept in clear so the team's counts are a query.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection

from screening.crypto.seal import MasterKey, new_key, seal, unseal
from screening.store.db import metadata, now, organisations

studio_reviewers = Table(
    "studio_reviewers",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("display_name", LargeBinary, nullable=True),  # sealed; None: anonymous
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
)
feedback = Table(
    "studio_feedback",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("reviewer_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("org_id", ForeignKey("organisations.id"), nullable=True),
    Column("instrument_id", String(100), nullable=False, index=True),
    Column("version", String(40), nullable=False),
    Column("language", String(20), nullable=False),
    Column("field", String(300), nullable=False),
    Column("choices", String(300), nullable=False),  # comma-separated fixed choice codes
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("body", LargeBinary, nullable=False),  # sealed JSON {"text", "suggestion"}
    Column("status", String(20), nullable=False),  # open | changed | kept
    Column("status_version", String(40), nullable=True),  # "changed in version X"
    Column("reason", LargeBinary, nullable=True),  # sealed: the team's reason, for "kept"
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
# A reviewer's self-described role (issue 18, review rounds): a new table, so old
# databases need no migration. Sealed under a key of its own: "survivor" is personal.
reviewer_roles = Table(
    "studio_reviewer_roles",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("role", LargeBinary, nullable=False),  # sealed: a fixed role code
)
uploads = Table(
    "studio_uploads",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("instrument_id", String(100), nullable=False),
    Column("version", String(40), nullable=False),
    Column("source", LargeBinary, nullable=False),  # an instrument's YAML: no personal data
    Column("org_id", ForeignKey("organisations.id"), nullable=True),
    Column("uploaded_by", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _context(what: str, row_id: str) -> bytes:
    return f"screening/studio/{what}/{row_id}".encode()


@dataclass(frozen=True)
class Feedback:
    id: str
    reviewer_id: int
    reviewer: str | None  # the reviewer's chosen name, None when anonymous
    org_id: int | None
    instrument_id: str
    version: str
    language: str
    field: str
    choices: tuple[str, ...]
    text: str
    suggestion: str
    status: str
    status_version: str | None
    reason: str
    created_at: dt.datetime


# ---------------------------------------------------------------- reviewers


def reviewer_choice(conn: Connection, master: MasterKey, user_id: int) -> tuple[bool, str | None]:
    """Whether this reviewer has read the first screen, and the name they chose to be
    shown by (None: anonymous)."""
    row = conn.execute(
        select(studio_reviewers).where(studio_reviewers.c.user_id == user_id)
    ).first()
    if row is None:
        return False, None
    return row.accepted_at is not None, _name(master, row)


def _name(master: MasterKey, row: Any) -> str | None:
    if row.display_name is None:
        return None
    key = master.unwrap(bytes(row.wrapped_key), f"reviewer-{row.user_id}")
    return unseal(key, bytes(row.display_name), _context("name", str(row.user_id))).decode()


def set_reviewer_choice(
    conn: Connection, master: MasterKey, user_id: int, display_name: str | None
) -> None:
    key = new_key()
    sealed = (
        seal(key, display_name.encode(), _context("name", str(user_id))) if display_name else None
    )
    values = {
        "display_name": sealed,
        "wrapped_key": master.wrap(key, f"reviewer-{user_id}"),
        "accepted_at": now(),
    }
    done = conn.execute(
        update(studio_reviewers).where(studio_reviewers.c.user_id == user_id).values(**values)
    )
    if not done.rowcount:
        conn.execute(insert(studio_reviewers).values(user_id=user_id, **values))


def set_reviewer_role(conn: Connection, master: MasterKey, user_id: int, role: str | None) -> None:
    """Keep the reviewer's self-described role (a fixed code); None forgets it."""
    conn.execute(delete(reviewer_roles).where(reviewer_roles.c.user_id == user_id))
    if role is None:
        return
    key = new_key()
    conn.execute(
        insert(reviewer_roles).values(
            user_id=user_id,
            wrapped_key=master.wrap(key, f"role-{user_id}"),
            role=seal(key, role.encode(), _context("role", str(user_id))),
        )
    )


def reviewer_roles_of(conn: Connection, master: MasterKey, user_ids: set[int]) -> dict[int, str]:
    """The role code each of these reviewers gave (absent: none given)."""
    if not user_ids:
        return {}
    rows = conn.execute(
        select(reviewer_roles).where(reviewer_roles.c.user_id.in_(sorted(user_ids)))
    )
    out = {}
    for row in rows:
        key = master.unwrap(bytes(row.wrapped_key), f"role-{row.user_id}")
        out[row.user_id] = unseal(key, bytes(row.role), _context("role", str(row.user_id))).decode()
    return out


# ---------------------------------------------------------------- feedback


def add_feedback(
    conn: Connection,
    master: MasterKey,
    *,
    reviewer_id: int,
    org_id: int | None,
    instrument_id: str,
    version: str,
    language: str,
    field: str,
    choices: Sequence[str],
    text: str,
    suggestion: str,
) -> str:
    feedback_id = secrets.token_hex(16)
    key = new_key()
    body = json.dumps({"text": text, "suggestion": suggestion}).encode()
    stamp = now()
    conn.execute(
        insert(feedback).values(
            id=feedback_id,
            reviewer_id=reviewer_id,
            org_id=org_id,
            instrument_id=instrument_id,
            version=version,
            language=language,
            field=field,
            choices=",".join(choices),
            wrapped_key=master.wrap(key, f"feedback-{feedback_id}"),
            body=seal(key, body, _context("feedback", feedback_id)),
            status="open",
            created_at=stamp,
            updated_at=stamp,
        )
    )
    return feedback_id


def _open(master: MasterKey, row: Any, names: dict[int, str | None]) -> Feedback:
    key = master.unwrap(bytes(row.wrapped_key), f"feedback-{row.id}")
    body = json.loads(unseal(key, bytes(row.body), _context("feedback", row.id)))
    reason = (
        unseal(key, bytes(row.reason), _context("reason", row.id)).decode() if row.reason else ""
    )
    return Feedback(
        id=row.id,
        reviewer_id=row.reviewer_id,
        reviewer=names.get(row.reviewer_id),
        org_id=row.org_id,
        instrument_id=row.instrument_id,
        version=row.version,
        language=row.language,
        field=row.field,
        choices=tuple(c for c in row.choices.split(",") if c),
        text=str(body.get("text", "")),
        suggestion=str(body.get("suggestion", "")),
        status=row.status,
        status_version=row.status_version,
        reason=reason,
        created_at=row.created_at,
    )


def _names(conn: Connection, master: MasterKey, reviewer_ids: set[int]) -> dict[int, str | None]:
    if not reviewer_ids:
        return {}
    rows = conn.execute(
        select(studio_reviewers).where(studio_reviewers.c.user_id.in_(sorted(reviewer_ids)))
    )
    return {row.user_id: _name(master, row) for row in rows}


def list_feedback(
    conn: Connection,
    master: MasterKey,
    *,
    reviewer_id: int | None = None,
    instrument_id: str | None = None,
    team_org: int | None = None,
) -> list[Feedback]:
    """Feedback, oldest first: one reviewer's own, or what one organisation's team reads
    (its own reviewers' and community reviewers', who belong to no organisation)."""
    query = select(feedback).order_by(feedback.c.created_at, feedback.c.id)
    if reviewer_id is not None:
        query = query.where(feedback.c.reviewer_id == reviewer_id)
    if instrument_id is not None:
        query = query.where(feedback.c.instrument_id == instrument_id)
    if team_org is not None:
        query = query.where(or_(feedback.c.org_id == team_org, feedback.c.org_id.is_(None)))
    rows = list(conn.execute(query))
    names = _names(conn, master, {r.reviewer_id for r in rows})
    return [_open(master, r, names) for r in rows]


def feedback_row(conn: Connection, feedback_id: str) -> Any:
    return conn.execute(select(feedback).where(feedback.c.id == feedback_id)).first()


def delete_feedback(conn: Connection, feedback_id: str, reviewer_id: int) -> bool:
    done = conn.execute(
        delete(feedback).where(feedback.c.id == feedback_id, feedback.c.reviewer_id == reviewer_id)
    )
    return bool(done.rowcount)


def set_status(
    conn: Connection,
    master: MasterKey,
    feedback_id: str,
    *,
    status: str,
    version: str | None,
    reason: str,
) -> None:
    row = feedback_row(conn, feedback_id)
    key = master.unwrap(bytes(row.wrapped_key), f"feedback-{feedback_id}")
    sealed = seal(key, reason.encode(), _context("reason", feedback_id)) if reason else None
    conn.execute(
        update(feedback)
        .where(feedback.c.id == feedback_id)
        .values(status=status, status_version=version, reason=sealed, updated_at=now())
    )


def purge_feedback(conn: Connection, cutoff: dt.datetime) -> int:
    """Delete feedback older than the retention period (with its wrapped key)."""
    return int(conn.execute(delete(feedback).where(feedback.c.created_at < cutoff)).rowcount or 0)


# ---------------------------------------------------------------- uploaded drafts


def add_upload(
    conn: Connection,
    *,
    instrument_id: str,
    version: str,
    source: bytes,
    org_id: int | None,
    user_id: int,
) -> str:
    upload_id = "upload-" + secrets.token_hex(8)
    conn.execute(
        insert(uploads).values(
            id=upload_id,
            instrument_id=instrument_id,
            version=version,
            source=source,
            org_id=org_id,
            uploaded_by=user_id,
            created_at=now(),
        )
    )
    return upload_id


def upload_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(uploads).order_by(uploads.c.created_at)))


def upload_source(conn: Connection, upload_id: str) -> bytes | None:
    row = conn.execute(select(uploads.c.source).where(uploads.c.id == upload_id)).first()
    return bytes(row.source) if row else None


def org_id_named(conn: Connection, name: str) -> int | None:
    found = conn.execute(select(organisations.c.id).where(organisations.c.name == name)).scalar()
    return int(found) if found is not None else None


def org_name(conn: Connection, org_id: int) -> str | None:
    found = conn.execute(select(organisations.c.name).where(organisations.c.id == org_id)).scalar()
    return str(found) if found is not None else None


def rewrap_keys(conn: Connection, target: MasterKey) -> int:
    """Re-wrap every feedback's and reviewer's data key under ``target``'s current key
    (``screening keys rotate``); how many were re-wrapped."""
    done = 0
    for table, key_of in (
        (feedback, "feedback-{}"),
        (studio_reviewers, "reviewer-{}"),
        (reviewer_roles, "role-{}"),
    ):
        ident = table.c.id if table is feedback else table.c.user_id
        for row_id, wrapped in conn.execute(select(ident, table.c.wrapped_key)).all():
            old = bytes(wrapped)
            if target.wrapped_by_current(old):
                continue
            name = key_of.format(row_id)
            data_key = target.unwrap(old, name)
            conn.execute(
                update(table).where(ident == row_id).values(wrapped_key=target.wrap(data_key, name))
            )
            done += 1
    return done
