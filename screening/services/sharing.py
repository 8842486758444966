"""Sharing a private check-in with a worker by a one-time code the person chooses to give.

The person asks for a code at the end of a private check-in. A copy of their check-in
(its entries and the exact instrument texts) is sealed under a fresh key, which is
wrapped by the deployment's master key: organisations have no keys of their own yet, so
the copy is as protected as a worker-led interview, not more. The database keeps only a
hash of the code. A worker who is told the code within ``LIFETIME`` opens it once: the
copy becomes a worker-led interview of their organisation (with the person's consent to
store recorded, nothing shared further) and the shared copy is deleted. An unused copy
is deleted when it expires. The person's own check-in is not touched; its quick exit
cancels every code it made (:func:`cancel`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from screening.core import interview as iv
from screening.core.route import Interview
from screening.core.text import readable
from screening.crypto.seal import MasterKey, new_key, seal, unseal
from screening.errors import Code, DomainError
from screening.services import interviews as service
from screening.store import db as storage

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud without doubt
LENGTH = 8  # 31^8 ≈ 8.5e11 codes; redemption is rate-limited and codes die in 30 minutes
LIFETIME = dt.timedelta(minutes=30)
_CONTEXT = b"screening/share/v1/"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise(code: str) -> str:
    """What a worker types, in any case, with or without spaces and dashes."""
    return "".join(c for c in code.upper() if c.isalnum())[: 2 * LENGTH]


def _digest(code: str) -> str:
    return hashlib.sha256(b"share\0" + normalise(code).encode()).hexdigest()


def offer(engine: Engine, master: MasterKey, loaded: service.Loaded) -> str:
    """Make a one-time code for a copy of this (private) check-in; returns the code."""
    code = new_code()
    digest = _digest(code)
    with storage.transaction(engine) as conn:
        entries = [
            readable(
                json.loads(unseal(loaded.key, e.payload, b"screening/entry/" + loaded.id.encode()))
            )
            for e in storage.log_entries(conn, loaded.id)
        ]
        digests = storage.pinned_digests(conn, [loaded.id]).get(loaded.id, [])
        payload = {"locale": loaded.locale, "instruments": digests, "entries": entries}
        key = new_key()
        conn.execute(
            insert(storage.shares).values(
                code_hash=digest,
                wrapped_key=master.wrap(key, "share-" + digest),
                payload=seal(key, json.dumps(payload).encode(), _CONTEXT + digest.encode()),
                expires_at=storage.now() + LIFETIME,
            )
        )
        conn.execute(insert(storage.share_origins).values(code_hash=digest, interview_id=loaded.id))
    return code


def cancel(conn: Connection, interview_id: str) -> int:
    """Delete every unused share code this check-in made (at its quick exit); how many."""
    made = select(storage.share_origins.c.code_hash).where(
        storage.share_origins.c.interview_id == interview_id
    )
    gone = conn.execute(delete(storage.shares).where(storage.shares.c.code_hash.in_(made)))
    conn.execute(
        delete(storage.share_origins).where(storage.share_origins.c.interview_id == interview_id)
    )
    return int(gone.rowcount or 0)


def redeem(engine: Engine, master: MasterKey, code: str, *, org_id: int, user_id: int) -> str:
    """Open a shared check-in once, as a worker-led interview of this organisation;
    returns its id. An unknown, used or expired code is a 404, telling nothing more."""
    digest = _digest(code)
    with storage.transaction(engine) as conn:
        row = conn.execute(
            select(storage.shares).where(
                storage.shares.c.code_hash == digest, storage.shares.c.expires_at > storage.now()
            )
        ).first()
        if row is None:
            raise DomainError(Code.NO_SHARE)
        gone = conn.execute(delete(storage.shares).where(storage.shares.c.code_hash == digest))
        if gone.rowcount != 1:  # opened by someone else a moment ago
            raise DomainError(Code.NO_SHARE)
        key = master.unwrap(bytes(row.wrapped_key), "share-" + digest)
        payload = readable(json.loads(unseal(key, bytes(row.payload), _CONTEXT + digest.encode())))
        return _copy(conn, master, payload, org_id=org_id, user_id=user_id)


def _copy(
    conn: Connection, master: MasterKey, payload: dict[str, Any], *, org_id: int, user_id: int
) -> str:
    sources = [storage.instrument_source(conn, d) for d in payload["instruments"]]
    instruments = [service.instrument_from(src, f"shared-{n}") for n, src in enumerate(sources)]
    session = Interview(service.for_mode(instruments, "private"))  # as the person was asked
    pinned = [
        storage.pin_instrument(conn, ins.id, ins.version, src)
        for ins, src in zip(instruments, sources, strict=True)
    ]
    interview_id = secrets.token_urlsafe(18)
    data_key = new_key()
    storage.create_interview(
        conn,
        interview_id=interview_id,
        mode="worker",
        locale=str(payload.get("locale") or "en"),
        org_id=org_id,
        user_id=user_id,
        wrapped_key=master.wrap(data_key, interview_id),
        pinned=pinned,
    )
    consent = service.consent_entry(store=True, share=False, service=None, statistics=False)
    state = iv.State()
    context = b"screening/entry/" + interview_id.encode()
    marker = {"kind": service.SHARED_FROM_PRIVATE}  # load() keeps the private questions
    for n, entry in enumerate([marker, consent, *payload["entries"]]):
        state = service.apply_entry(session, state, entry)
        body = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
        storage.append_entry(
            conn,
            interview_id,
            f"shared-{n:06d}",
            hashlib.sha256(body).hexdigest(),
            seal(data_key, body, context),
            None,
            "in_progress",
        )
    done = service.step_json(session, state)["done"]
    conn.execute(
        update(storage.interviews)
        .where(storage.interviews.c.id == interview_id)
        .values(status="done" if done else "in_progress")
    )
    return interview_id
