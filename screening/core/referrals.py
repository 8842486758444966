"""What happens to a referral after it is made (pure): its statuses, the changes allowed
between them, and when a worker should check on it.

A referral in a plan starts with no status. It is first ``offered`` to the person, then
``accepted`` by them, then ``contacted`` (by the worker, by the person, or in a warm
hand-off), then ``connected`` or ``not-connected`` (with a reason from a short list),
and at last ``closed``. :data:`TRANSITIONS` is the whole machine: a change not in it is
refused with the field that is wrong. Each change is an :class:`Event`; the history of
events, oldest first, is the referral: its status is the last event's.

While a referral is open (not connected and not closed), it should be checked on
``interval`` days after its last change (:func:`due_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

OFFERED = "offered"
ACCEPTED = "accepted"
CONTACTED = "contacted"
CONNECTED = "connected"
NOT_CONNECTED = "not-connected"
CLOSED = "closed"
STATUSES = (OFFERED, ACCEPTED, CONTACTED, CONNECTED, NOT_CONNECTED, CLOSED)

#: Who made contact with the service (``contacted`` only).
CONTACT_BY = ("worker", "person", "warm-hand-off")
#: Why a referral did not connect (``not-connected`` only).
REASONS = ("waitlist", "not-eligible", "could-not-reach", "changed-mind", "other")

#: From each status (None: not offered yet) to the statuses that may follow it. A person
#: may decline or change their mind at any point before connection; a referral that did
#: not connect (a waitlist) may be contacted again; only ``closed`` ends it.
TRANSITIONS: Mapping[str | None, frozenset[str]] = {
    None: frozenset({OFFERED}),
    OFFERED: frozenset({ACCEPTED, NOT_CONNECTED, CLOSED}),
    ACCEPTED: frozenset({CONTACTED, NOT_CONNECTED, CLOSED}),
    CONTACTED: frozenset({CONNECTED, NOT_CONNECTED, CLOSED}),
    CONNECTED: frozenset({CLOSED}),
    NOT_CONNECTED: frozenset({CONTACTED, CLOSED}),
    CLOSED: frozenset(),
}
#: The statuses that still need a worker to check on them.
OPEN = frozenset({OFFERED, ACCEPTED, CONTACTED, NOT_CONNECTED})
DEFAULT_INTERVAL = 7  # days between follow-ups unless the organisation sets its own
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class Change:
    """A change asked for: the new status, who made contact, why it did not connect."""

    status: str
    by: str = ""
    reason: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """A change as recorded: when, by which account (opaque id), and what."""

    number: int
    at: dt.datetime
    user_id: int | None
    change: Change


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a change cannot be made: the field that is wrong and plain words."""

    field: str
    message: str


def status_of(history: Sequence[Event]) -> str | None:
    return history[-1].change.status if history else None


def is_open(status: str | None) -> bool:
    return status in OPEN


def allowed(current: str | None) -> frozenset[str]:
    return TRANSITIONS.get(current, frozenset())


def refusal(current: str | None, change: Change) -> Refusal | None:
    """Why ``change`` cannot follow ``current``; None when it can."""
    if change.status not in STATUSES:
        return Refusal("status", f"unknown status; one of: {', '.join(STATUSES)}")
    if change.status not in allowed(current):
        after = ", ".join(sorted(allowed(current))) or "nothing (it is closed)"
        if current is None:
            return Refusal("status", "a referral is first offered; it may only become: offered")
        return Refusal("status", f"a {current} referral may only become: {after}")
    if change.status == CONTACTED and change.by not in CONTACT_BY:
        return Refusal("by", f"who made contact; one of: {', '.join(CONTACT_BY)}")
    if change.status != CONTACTED and change.by:
        return Refusal("by", "only a contacted referral says who made contact")
    if change.status == NOT_CONNECTED and change.reason not in REASONS:
        return Refusal("reason", f"why it did not connect; one of: {', '.join(REASONS)}")
    if change.status != NOT_CONNECTED and change.reason:
        return Refusal("reason", "only a not-connected referral gives a reason")
    if len(change.note) > MAX_NOTE:
        return Refusal("note", f"a note is at most {MAX_NOTE} characters")
    return None


def replay(changes: Sequence[Change]) -> str | None:
    """The status after ``changes`` in order; ValueError at the first refused one."""
    current: str | None = None
    for change in changes:
        refused = refusal(current, change)
        if refused is not None:
            raise ValueError(f"{refused.field}: {refused.message}")
        current = change.status
    return current


def due_on(last_change: dt.date, interval: int) -> dt.date:
    """When an open referral last changed on ``last_change`` should be checked on."""
    return last_change + dt.timedelta(days=interval)


def to_check(due: dt.date, today: dt.date) -> bool:
    """Whether a follow-up due on ``due`` belongs in this week's list: past due, or due
    within the coming seven days (today included)."""
    return due <= today + dt.timedelta(days=6)


def connected_after(history: Sequence[Event]) -> dt.timedelta | None:
    """Time from the referral being offered to its connection (None if not connected):
    what an outcome count measures."""
    offered = next((e.at for e in history if e.change.status == OFFERED), None)
    connected = next((e.at for e in history if e.change.status == CONNECTED), None)
    if offered is None or connected is None:
        return None
    return connected - offered
