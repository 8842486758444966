"""Interviews started on a device that may be offline (issue 19).

A worker's tablet starts an interview with no signal: it makes the interview's id
itself, a UUID, and sends the start when it can (``POST /api/v1/interviews {"id", ...}``),
perhaps several times. The same start again is the same interview: nothing new is
made, and the answer is the first one's. Another start with that id is refused
(:attr:`Code.ID_TAKEN`), as an idempotency key used for another answer is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from screening.core import interview as iv
from screening.errors import Code, DomainError
from screening.services import interviews
from screening.store import db as storage

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from screening.crypto.seal import MasterKey

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def client_id(raw: object, mode: str) -> str:
    """The id a device made, checked: a UUID written 8-4-4-4-12 in hex (any case; kept
    in lower case), for a worker-led interview only."""
    if not isinstance(raw, str) or not _UUID.fullmatch(raw.lower()):
        raise DomainError(Code.BAD_ID)
    if mode != "worker":
        raise DomainError(
            Code.BAD_ID, detail="an id made on a device is for worker-led interviews only"
        )
    return raw.lower()


def request_digest(body: Mapping[str, Any], interview_id: str) -> str:
    """The hash of a start request: its JSON with sorted keys, so that the same request
    written in another order, or with the id in capitals, is the same start."""
    canonical = json.dumps(
        {**body, "id": interview_id}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def started(
    engine: Engine, master: MasterKey, interview_id: str, digest: str, org_id: int | None
) -> dict[str, Any] | None:
    """The first step of the interview this same start made before, or None when the id
    has not been used. Another request with the id, or one from another organisation,
    is :attr:`Code.ID_TAKEN`."""
    with storage.transaction(engine) as conn:
        found = storage.client_start(conn, interview_id)
        if found is None:
            return None
        if found.request_sha256 != digest or found.org_id != org_id:
            raise DomainError(Code.ID_TAKEN)
        loaded = interviews.load(conn, master, interview_id)
    return interviews.step_json(loaded.session, iv.State())  # what the first start said


def start(
    engine: Engine,
    master: MasterKey,
    interview_id: str,
    digest: str,
    **fields: Any,
) -> tuple[dict[str, Any], bool]:
    """Start the interview under the device's id: its first step, and whether it was
    made now (False: the same start came before, or at the same moment)."""
    org_id = fields.get("org_id")
    before = started(engine, master, interview_id, digest, org_id)
    if before is not None:
        return before, False
    try:
        _, _, step = interviews.start(
            engine, master, client_id=(interview_id, digest), mode="worker", **fields
        )
    except DomainError as exc:
        if exc.code is not Code.ID_TAKEN:
            raise
        again = started(engine, master, interview_id, digest, org_id)  # a concurrent twin
        if again is None:
            raise
        return again, False
    return step, True
