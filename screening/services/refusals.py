"""Refused access, audited (issue 16): every refusal to open an interview, a plan or an
export (401, 403, 404, whether the id exists or not), with the organisations it
concerns, so their admins see it on the audit page. No Flask here: the web layer
decides what was refused and calls :func:`record` after the response has gone.

An interview's owning organisation gets a row (actor named only when the worker is of
that organisation: another organisation's usernames are not shown to it); the refused
worker's own organisation gets a row with their username. A refusal that concerns no
organisation (no sign-in, an id that does not exist) is still written, with none.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from screening.store import db as storage

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

_REF = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Refusal:
    status: int
    interview_ref: str | None  # as requested; kept only when it looks like an id
    actor: str | None  # the signed-in worker's username, if any
    actor_org: int | None


def action(status: int) -> str:
    return f"refused-{status}"


def record(engine: Engine, refusal: Refusal) -> None:
    """Write the refusal's audit rows; a failure to write is a warning, never an error
    for anyone (the response has gone already)."""
    ref = refusal.interview_ref
    ref = ref if ref is not None and _REF.fullmatch(ref) else None
    try:
        with storage.transaction(engine) as conn:
            row = storage.interview_row(conn, ref) if ref is not None else None
            owner: int | None = int(row.org_id) if row is not None and row.org_id else None
            concerned = sorted({o for o in (owner, refusal.actor_org) if o is not None})
            targets: list[int | None] = [*concerned] or [None]
            for org in targets:
                storage.write_audit(
                    conn,
                    action(refusal.status),
                    actor=refusal.actor if org == refusal.actor_org else None,
                    org_id=org,
                    interview_ref=ref,
                )
    except Exception as exc:
        log.warning("a refused access could not be audited (%s)", type(exc).__name__)
