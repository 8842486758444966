"""Following up referrals (issue 21): the plan's referrals with their status history,
recording a change, the follow-up list of a worker's organisation, the follow-up
interval, and the rows the CSV export writes. No Flask, no SQL here.

A referral is one of the latest plan's (named by service), or one that had a status
and was later taken out of the plan (its history stays). Every change is checked
against the status machine (:mod:`screening.core.referrals`) with the interview row
locked, then sealed, dated, attributed and audited in one transaction: the audit row
says only that a referral of this interview changed, never to what.

Anything that shares information about the person with the service needs their
consent recorded for that service in the plan, as before: the worker making contact
for them, or a warm hand-off, is refused without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from screening.core import referrals as machine
from screening.core.plan import Referral
from screening.crypto.seal import MasterKey
from screening.errors import Code, DomainError
from screening.services import interviews as service
from screening.services.interviews import Loaded
from screening.store import db as storage
from screening.store import plans as planstore
from screening.store import referrals as store

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Engine

MAX_DAYS = 365
SHARES = frozenset({"worker", "warm-hand-off"})  # contact that tells the service about them


@dataclass(frozen=True)
class Tracked:
    """One referral: what the plan says of it (None once taken out) and its history."""

    id: str
    service_id: str
    service_name: str
    need: str
    referral: Referral | None
    history: tuple[machine.Event, ...]

    @property
    def status(self) -> str | None:
        return machine.status_of(self.history)

    @property
    def next(self) -> list[str]:
        """The statuses it may take next, in the machine's order."""
        return [s for s in machine.STATUSES if s in machine.allowed(self.status)]

    @property
    def consented(self) -> bool:
        return self.referral is not None and self.referral.consented


@dataclass(frozen=True)
class Due:
    """A referral to check on: which interview, its status, since when, due when."""

    interview_id: str
    referral_id: str
    status: str
    since: dt.datetime
    due: dt.date

    @property
    def reference(self) -> str:
        return service.reference(self.interview_id)


def _tracked(conn: Any, master: MasterKey, loaded: Loaded) -> list[Tracked]:
    found = planstore.versions(conn, master, loaded.id)
    plan = found[-1].plan if found else None
    recorded = store.history(conn, loaded.key, loaded.id)
    out = []
    for referral in plan.referrals if plan else ():
        rid = store.referral_id(loaded.key, referral.service_id)
        events = recorded.pop(rid, [])
        out.append(
            Tracked(
                rid,
                referral.service_id,
                referral.service_name,
                referral.need,
                referral,
                tuple(r.event for r in events),
            )
        )
    for rid, events in sorted(recorded.items(), key=lambda kv: kv[1][0].event.at):
        first = events[-1]  # taken out of the plan since: as it was last recorded
        out.append(
            Tracked(
                rid,
                first.service_id,
                first.service_name,
                first.need,
                None,
                tuple(r.event for r in events),
            )
        )
    return out


def tracked(conn: Any, master: MasterKey, loaded: Loaded) -> list[Tracked]:
    """The interview's referrals within a transaction already open (outcome counts)."""
    return _tracked(conn, master, loaded)


def listing(engine: Engine, master: MasterKey, loaded: Loaded) -> list[Tracked]:
    """The interview's referrals: the plan's in its order, then those taken out."""
    with storage.transaction(engine) as conn:
        return _tracked(conn, master, loaded)


def one(engine: Engine, master: MasterKey, loaded: Loaded, referral_id: str) -> Tracked:
    """One referral of this interview; NOT_FOUND for any other id."""
    for tracked in listing(engine, master, loaded):
        if tracked.id == referral_id:
            return tracked
    raise DomainError(Code.NOT_FOUND, what="referral")


def change(
    engine: Engine,
    master: MasterKey,
    loaded: Loaded,
    referral_id: str,
    asked: machine.Change,
    *,
    user_id: int | None,
    actor: str | None,
) -> Tracked:
    """Record ``asked`` as the referral's next status; BAD_REFERRAL naming the field
    when the machine (or the person's consent) does not allow it."""
    with storage.transaction(engine) as conn:
        storage.interview_row(conn, loaded.id, lock=True)  # one change at a time
        found = next((t for t in _tracked(conn, master, loaded) if t.id == referral_id), None)
        if found is None:
            raise DomainError(Code.NOT_FOUND, what="referral")
        if found.history and found.history[-1].change == asked:
            return found  # a retry of the change just made: recorded once
        refused = machine.refusal(found.status, asked)
        shares = asked.status == machine.CONTACTED and asked.by in SHARES
        if refused is None and shares and not found.consented:
            refused = machine.Refusal(
                "by",
                "contact by the worker or a warm hand-off tells the service about the "
                "person: record their consent for this service in the plan first",
            )
        if refused is not None:
            raise DomainError(Code.BAD_REFERRAL, field=refused.field, detail=refused.message)
        event = store.append(
            conn,
            loaded.key,
            loaded.id,
            referral_id,
            asked,
            service_id=found.service_id,
            service_name=found.service_name,
            need=found.need,
            user_id=user_id,
        )
        storage.write_audit(
            conn, "referral-change", actor=actor, org_id=loaded.org_id, interview_ref=loaded.id
        )
    return Tracked(
        found.id,
        found.service_id,
        found.service_name,
        found.need,
        found.referral,
        (*found.history, event),
    )


def follow_ups(
    engine: Engine, master: MasterKey, org_id: int, today: dt.date | None = None
) -> list[Due]:
    """This organisation's open referrals due for a check this week (past due or due
    in the coming seven days), the longest waiting first."""
    today = today or dt.datetime.now(dt.UTC).date()
    with storage.transaction(engine) as conn:
        days = store.interval(conn, org_id)
        due = []
        for last in store.latest_of_org(conn, org_id):
            when = machine.due_on(last.at.date(), days)
            if last.open and machine.to_check(when, today):
                due.append((when, last))
        keys: dict[str, bytes] = {}
        out = []
        for when, last in sorted(due, key=lambda d: (d[0], d[1].at, d[1].referral_id)):
            if last.interview_id not in keys:
                keys[last.interview_id] = store.data_key(conn, master, last.interview_id)
            events = store.history(conn, keys[last.interview_id], last.interview_id)
            status = events[last.referral_id][-1].event.change.status
            out.append(Due(last.interview_id, last.referral_id, status, last.at, when))
    return out


def interval(engine: Engine, org_id: int) -> int:
    with storage.transaction(engine) as conn:
        return store.interval(conn, org_id)


class FollowUpError(ValueError):
    pass


def set_interval(engine: Engine, org: str, days: int) -> None:
    """Check on ORG's open referrals every ``days`` days (1 to 365)."""
    if not 1 <= days <= MAX_DAYS:
        raise FollowUpError(f"a follow-up interval is 1 to {MAX_DAYS} days")
    with storage.transaction(engine) as conn:
        org_id = store.org_id_named(conn, org)
        if org_id is None:
            raise FollowUpError(f"no organisation {org!r}")
        store.set_interval(conn, org_id, days)
        storage.write_audit(conn, "follow-up-interval", actor="cli", org_id=org_id)


# ---------------------------------------------------------------- for others to read


def hsds_service(engine: Engine, service_id: str) -> dict[str, Any]:
    """An HSDS 3.0 ``service`` reference another agency's system can resolve: the id
    in the directory, and the directory's public record of it when it has one."""
    with storage.transaction(engine) as conn:
        tables = planstore.load_directory(conn)
    record = next((r for r in tables.get("service", []) if r.get("id") == service_id), None)
    out: dict[str, Any] = {"id": service_id}
    if record is not None:
        for name in ("name", "organization_id", "url", "email", "status"):
            if record.get(name) is not None:
                out[name] = record[name]
    return out


def as_json(tracked: Tracked, service_record: dict[str, Any]) -> dict[str, Any]:
    """A referral as the API gives it: its status, what may follow, its dated history."""
    return {
        "id": tracked.id,
        "service": service_record,
        "need": tracked.need,
        "status": tracked.status,
        "open": machine.is_open(tracked.status),
        "in_plan": tracked.referral is not None,
        "consent_to_share": tracked.consented,
        "next": tracked.next,
        "history": [
            {
                "number": e.number,
                "at": e.at.isoformat(timespec="seconds"),
                "status": e.change.status,
                "by": e.change.by or None,
                "reason": e.change.reason or None,
            }
            for e in tracked.history
        ],
    }


@dataclass(frozen=True)
class ExportRow:
    """One status change of one referral, as the CSV export writes it."""

    interview_id: str
    referral_id: str
    service_id: str
    need: str
    number: int
    status: str
    by: str
    reason: str
    at: dt.datetime


def export_rows(engine: Engine, master: MasterKey, stored: Iterable[Loaded]) -> list[ExportRow]:
    """The referral history of each interview given (the caller passes only those
    whose person consented to storing their answers), oldest change first. Notes are
    not exported."""
    out: list[ExportRow] = []
    with storage.transaction(engine) as conn:
        for loaded in stored:
            for tracked in _tracked(conn, master, loaded):
                out.extend(
                    ExportRow(
                        loaded.id,
                        tracked.id,
                        tracked.service_id,
                        tracked.need,
                        e.number,
                        e.change.status,
                        e.change.by,
                        e.change.reason,
                        e.at,
                    )
                    for e in tracked.history
                )
    return out


def parse_change(
    body: dict[str, Any], allowed: Sequence[str] = ("status", "by", "reason")
) -> machine.Change:
    """A change from a JSON body or form; BAD_REFERRAL naming the field that is wrong."""
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise DomainError(Code.BAD_FIELD, unknown=", ".join(unknown), allowed=", ".join(allowed))
    values = {}
    for name in allowed:
        value = body.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > machine.MAX_NOTE:
            raise DomainError(Code.BAD_REFERRAL, field=name, detail="give text")
        values[name] = value.strip()
    if values["status"] not in machine.STATUSES:
        raise DomainError(
            Code.BAD_REFERRAL,
            field="status",
            detail=f"unknown status; one of: {', '.join(machine.STATUSES)}",
        )
    return machine.Change(values["status"], values.get("by", ""), values.get("reason", ""))
