"""De-identified outcome tables for funders (issue 22): counted, suppressed, published
and kept as sent. No Flask, no SQL here.

Only worker-led interviews whose person chose "anonymous statistics" at consent are
counted (a private check-in is never opened). A period counts the interviews begun in
it (as people where they are linked: a person's linked interviews count once, by the
latest) and the referrals offered in it, connected by its end. Suppression is the pure
:mod:`screening.core.outcomes`. Publishing keeps the JSON exactly as sent; asking for a
published period again gives that copy, whatever was purged or deleted since.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from screening.core import checkins as checkins_core
from screening.core import interview as iv
from screening.core import outcomes as oc
from screening.core import referrals as machine
from screening.crypto.seal import MasterKey
from screening.services import checkins, referrals
from screening.services import interviews as service
from screening.store import db as storage
from screening.store import outcomes as store

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Connection, Engine


def _counts(loaded: service.Loaded) -> bool:
    consent = loaded.consent or {}
    return consent.get("store") is True and consent.get("statistics") is True


def facts(
    conn: Connection, master: MasterKey, period: oc.Period, org_id: int | None = None
) -> list[oc.Fact]:
    """One fact per interview of the period whose person consented to statistics, and
    one (without needs) for each earlier such interview with a referral offered in it."""
    begun = store.begun_between(conn, period.start, period.end, org_id)
    later = store.with_changes_between(conn, period.start, period.end, org_id)
    person = checkins.persons(conn, begun)  # begun oldest first: by_person keeps the latest
    out = []
    for interview_id in dict.fromkeys([*begun, *later]):
        loaded = service.load(conn, master, interview_id)
        if loaded.mode != "worker" or not _counts(loaded):
            continue
        needs: dict[str, str] = {}
        changes: dict[str, str] = {}
        if interview_id in begun:
            result = iv.result(loaded.session, loaded.state)
            needs = {n.id: n.level for n in result.needs.values()}
            before = checkins.earlier(conn, master, loaded)  # linked with consent to link
            if before is not None and _counts(before):  # both consented to statistics
                then = iv.result(before.session, before.state)
                changes = checkins_core.compare(
                    {n.id: n.level for n in then.needs.values()}, needs
                ).by_domain
        made = []
        for tracked in referrals.tracked(conn, master, loaded):
            offered = next(
                (e.at for e in tracked.history if e.change.status == machine.OFFERED), None
            )
            if offered is None or not period.holds(offered):
                continue
            took = machine.connected_after(tracked.history)
            connected_by_end = took is not None and period.holds(offered + took)
            days = took.total_seconds() / 86400 if took is not None and connected_by_end else None
            made.append(oc.Made(tracked.need or oc.NO_DOMAIN, days))
        if interview_id in begun or made:
            out.append(
                oc.Fact(
                    needs,
                    made,
                    counted=interview_id in begun,
                    changes=changes,
                    person=person.get(interview_id),
                )
            )
    return out


def compute(
    engine: Engine, master: MasterKey, period: oc.Period, k: int, org_id: int | None = None
) -> dict[str, Any]:
    """The period's tables now (nothing kept): the instance's, or one organisation's."""
    with storage.transaction(engine) as conn:
        return oc.tables(period, k, facts(conn, master, period, org_id))


def encode(tables: dict[str, Any]) -> bytes:
    return json.dumps(tables, ensure_ascii=False, indent=2).encode() + b"\n"


def published(engine: Engine, period: oc.Period) -> bytes | None:
    """The period's tables as they were sent, or None if it was never published."""
    with storage.transaction(engine) as conn:
        return store.published(conn, period.label)


def publish(
    engine: Engine, master: MasterKey, period: oc.Period, k: int, *, actor: str | None
) -> tuple[bytes, bool]:
    """Publish the period (once): its JSON as kept, and whether it was kept just now."""
    with storage.transaction(engine) as conn:
        kept = store.published(conn, period.label)
        if kept is not None:
            return kept, False
        body = encode(oc.tables(period, k, facts(conn, master, period)))
        kept = store.publish(conn, period.label, body, actor)
        storage.write_audit(conn, "outcomes-publish", actor=actor)
    return kept, kept == body


def periods(engine: Engine) -> list[str]:
    with storage.transaction(engine) as conn:
        return [p for p, _ in store.periods(conn)]


def as_csv(tables: dict[str, Any]) -> str:
    """The same tables as CSV: period, table, group (name=value; ...), count (empty:
    withheld)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "k", "counts_of", "table", "group", "count"])
    for name, cells in tables["tables"].items():
        for cell in cells:
            group = "; ".join(f"{k}={v}" for k, v in cell["group"].items())
            count = "" if cell["count"] is None else cell["count"]
            writer.writerow(
                [tables["period"], tables["k"], tables["counts_of"], name, group, count]
            )
    return out.getvalue()


def methods_note(tables: dict[str, Any]) -> str:
    """What a funder reads with every export: what is counted, k, what consent covers."""
    k = tables["k"]
    if tables["counts_of"] == "people":
        unit = """counted as people (counts_of "people": some interviews of the period are
linked, with the person's consent to link, to the same person's other check-ins; a
person's linked interviews of the period count once, by the latest of them, and an
interview not linked counts as one person)"""
    else:
        unit = """counted as interviews (counts_of "interviews": no interview of the period
is linked, so one person seen twice in the period would count twice)"""
    return f"""Methods note: outcome tables for {tables["period"]}

What is counted: worker-led interviews begun in the period, {unit}; their need levels
by domain (urgent, some, none, unknown = could not be told, not-asked = no instrument
used asks about it); referrals offered in the period by need domain (counted as
referrals, whoever they were for), made and connected by the period's end; the median
whole days from offer to connection; and, for each person's latest check-in of the
period linked to their earlier one, the change per need domain (new, better, same, worse,
now-unknown). Private check-ins are never counted. No free text, no answer, nothing
about any one service is published.

Consent: only interviews whose person chose "anonymous statistics" at the start, a
choice separate from consent to store their answers, are counted. Without it, nothing
from their interview is in any table. A change between check-ins is counted only when
the person also gave their own consent to link them, and chose statistics both times.

Small counts: k = {k}. No count from 1 to {k - 1} is published, and further counts are
withheld (null, or an empty cell in CSV) so that no withheld count can be worked out
by adding or subtracting published ones: within a table (each domain's levels add up
to the interviews; made = connected + not connected) or across the period's tables. A
median is withheld when fewer than {k} referrals connected.

Periods are calendar months or quarters only. A period once published is kept exactly
as sent: a later purge or deletion of interviews does not change it.
"""
