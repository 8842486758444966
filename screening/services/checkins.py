"""A later check-in of the same person (issue 22): a worker-led interview linked to
earlier ones through a pseudonymous case reference, only with the person's own consent
to link (separate from consent to store, revocable), and what changed since. No Flask,
no SQL here.

The case reference the worker types (their own file number, never a name) is kept only
as a keyed hash under the master key, per organisation: the database alone cannot tell
whose case it is, nor turn it back into the reference. Known limit: after a master key
rotation, links made before no longer match new ones (link again).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from screening.core import checkins as pure
from screening.core import interview as iv
from screening.crypto.seal import MasterKey
from screening.errors import Code, DomainError
from screening.services import interviews as service
from screening.services.interviews import Loaded
from screening.store import checkins as store
from screening.store import db as storage

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Connection, Engine

MAX_REFERENCE = 40


def case_hash(master: MasterKey, org_id: int | None, reference: str) -> str:
    text = f"screening/case-reference\0{org_id}\0{reference.strip().casefold()}"
    return hmac.new(master.key, text.encode(), hashlib.sha256).hexdigest()


def link(
    engine: Engine,
    master: MasterKey,
    loaded: Loaded,
    reference: str,
    *,
    consent_to_link: bool,
    actor: str | None,
) -> None:
    """Link this check-in to the others of the same case reference: only with the
    person's own consent to link, given now."""
    if loaded.mode != "worker":
        raise DomainError(Code.BAD_LINK, detail="only a worker-led interview can be linked")
    if consent_to_link is not True:
        raise DomainError(
            Code.BAD_LINK, detail="the person's own consent to link their check-ins is needed"
        )
    reference = reference.strip() if isinstance(reference, str) else ""
    if not 1 <= len(reference) <= MAX_REFERENCE or not reference.isprintable():
        raise DomainError(
            Code.BAD_LINK, detail=f"a case reference is 1 to {MAX_REFERENCE} printable characters"
        )
    with storage.transaction(engine) as conn:
        store.link(conn, loaded.id, loaded.org_id, case_hash(master, loaded.org_id, reference))
        storage.write_audit(
            conn, "link-consent", actor=actor, org_id=loaded.org_id, interview_ref=loaded.id
        )


def revoke(engine: Engine, loaded: Loaded, *, actor: str | None) -> bool:
    """The person takes back their consent to link: this check-in is unlinked at once."""
    with storage.transaction(engine) as conn:
        gone = store.unlink(conn, loaded.id)
        storage.write_audit(
            conn, "link-revoke", actor=actor, org_id=loaded.org_id, interview_ref=loaded.id
        )
    return gone


def earlier(conn: Connection, master: MasterKey, loaded: Loaded) -> Loaded | None:
    """The most recent earlier check-in linked to this one (both with consent to link)."""
    found = store.case_hash_of(conn, loaded.id)
    row = storage.interview_row(conn, loaded.id)
    if found is None or row is None:
        return None
    for other in store.linked_before(conn, loaded.org_id, found, loaded.id, row.created_at):
        return service.load(conn, master, other)
    return None


def change_since(engine: Engine, master: MasterKey, loaded: Loaded) -> pure.Change | None:
    """What changed per need domain since the earlier linked check-in (None: not linked)."""
    with storage.transaction(engine) as conn:
        before = earlier(conn, master, loaded)
    if before is None:
        return None
    then = iv.result(before.session, before.state)
    now = iv.result(loaded.session, loaded.state)
    return pure.compare(
        {n.id: n.level for n in then.needs.values()},
        {n.id: n.level for n in now.needs.values()},
        [s.id for s in then.strengths],
        [s.id for s in now.strengths],
    )


def is_linked(engine: Engine, loaded: Loaded) -> bool:
    with storage.transaction(engine) as conn:
        return store.case_hash_of(conn, loaded.id) is not None


def persons(conn: Connection, interview_ids: list[str]) -> dict[str, str]:
    """The linked ones of these interviews, each with an opaque key of its person."""
    return store.persons_of(conn, interview_ids)
