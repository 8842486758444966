"""Stored interviews for export: worker-led ones only, opened with the master key.

A private self-assessment is never exported: its key lives only with the person, and
its answers are not ours to pass on. The caller names the organisation whose interviews
it may see (the web: the signed-in worker's; the command line: all, by whoever holds
the instance's master key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from screening.crypto.seal import MasterKey
from screening.errors import Code, DomainError
from screening.interop.fhir.response import responses
from screening.services import interviews as service
from screening.services.interviews import Loaded
from screening.store import db as storage


@dataclass(frozen=True)
class Stored:
    loaded: Loaded
    created_at: dt.datetime
    updated_at: dt.datetime


def open_one(
    conn: Connection, master: MasterKey, interview_id: str, org_id: int | None = None
) -> Stored:
    """One worker-led interview; 404 for a private one or one of another organisation
    (the same answer as for an id that does not exist)."""
    row = storage.interview_row(conn, interview_id)
    if row is None or row.mode != "worker" or (org_id is not None and row.org_id != org_id):
        raise DomainError(Code.NOT_FOUND)
    return Stored(service.load(conn, master, interview_id), row.created_at, row.updated_at)


def fhir_resource(
    conn: Connection, master: MasterKey, interview_id: str, org_id: int | None = None
) -> dict[str, Any]:
    stored = open_one(conn, master, interview_id, org_id)
    return responses(
        stored.loaded.session,
        stored.loaded.state,
        interview_id=stored.loaded.id,
        authored=stored.updated_at,
    )


def consented(conn: Connection, master: MasterKey, org_id: int | None = None) -> Iterator[Stored]:
    """Worker-led interviews whose person consented to storing their answers, oldest
    first. (Consent to store is recorded before the first question; withdrawing it
    deletes the interview, so an interview without it holds no consent entry.)"""
    table = storage.interviews
    query = select(table.c.id).where(table.c.mode == "worker")
    if org_id is not None:
        query = query.where(table.c.org_id == org_id)
    ids = [row.id for row in conn.execute(query.order_by(table.c.created_at, table.c.id))]
    for interview_id in ids:
        stored = open_one(conn, master, interview_id, org_id)
        consent = stored.loaded.consent
        if consent is not None and consent.get("store") is True:
            yield stored
