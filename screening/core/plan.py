"""The service plan (pure): goals in the person's words, actions, referrals, check-in.

A plan is a frozen value; the web and CLI build one, :func:`problems` says what stops
it from being saved (above all: a referral that shares information needs the person's
consent, recorded), and :func:`to_json` / :func:`from_json` are its stored form.
Every saved version is kept by storage; nothing here knows about storage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from screening.core import interview as iv
from screening.core.matching import Match, Preferences, Service, match_all
from screening.core.route import Interview

MAX_TEXT = 500
MAX_ROWS = 30


@dataclass(frozen=True, slots=True)
class Action:
    what: str
    who: str = ""
    by: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    """The person agreed to share information with this referral's service."""

    given: bool
    on: dt.date
    recorded_by: str = ""
    what: str = ""  # what may be shared, in plain words


@dataclass(frozen=True, slots=True)
class Referral:
    service_id: str
    service_name: str
    need: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    address: str = ""
    hours: str = ""
    bring: tuple[str, ...] = ()
    shares_information: bool = False
    consent: Consent | None = None
    note: str = ""
    names: Mapping[str, str] = field(default_factory=dict)  # the name in other languages

    @property
    def consented(self) -> bool:
        return self.consent is not None and self.consent.given


@dataclass(frozen=True, slots=True)
class Plan:
    goals: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    referrals: tuple[Referral, ...] = ()
    next_check_in: dt.date | None = None
    client_language: str = "en"
    worker_language: str = "en"


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    field: str
    message: str


def problems(plan: Plan) -> list[Problem]:
    """Everything that stops ``plan`` from being saved; empty when it can be."""
    out = []
    for n, referral in enumerate(plan.referrals):
        if referral.shares_information and not referral.consented:
            out.append(
                Problem(
                    "consent-needed",
                    f"referrals[{n}].consent",
                    f"{referral.service_name}: this referral shares information, so the "
                    "person's consent must be recorded first (or choose not to share).",
                )
            )
    texts = [*plan.goals, *(a.what for a in plan.actions), *(a.who for a in plan.actions)]
    if any(len(t) > MAX_TEXT for t in texts):
        out.append(Problem("too-long", "text", f"each entry is at most {MAX_TEXT} characters"))
    if max(len(plan.goals), len(plan.actions), len(plan.referrals)) > MAX_ROWS:
        out.append(Problem("too-many", "rows", f"at most {MAX_ROWS} goals, actions or referrals"))
    return out


def referral_for(m: Match, *, shares_information: bool = False) -> Referral:
    s = m.service
    return Referral(
        service_id=s.id,
        service_name=s.name,
        need=m.need,
        phone=s.contact.phone or "",
        email=s.contact.email or "",
        url=s.contact.url or "",
        address=s.contact.address or "",
        hours=s.hours_text,
        bring=s.documents,
        shares_information=shares_information,
        names=dict(s.names),
    )


def draft(goals: Iterable[str], matches: Mapping[str, Sequence[Match]], **kw: Any) -> Plan:
    """A first plan to talk over: the person's goals and the best match for each need.
    No referral shares information until the person says it may."""
    referrals = []
    seen = set()
    for found in matches.values():
        if found and found[0].service.id not in seen:
            seen.add(found[0].service.id)
            referrals.append(referral_for(found[0]))
    return Plan(goals=tuple(g for g in goals if g.strip()), referrals=tuple(referrals), **kw)


def reorder(plan: Plan, order: Sequence[int]) -> Plan:
    """The referrals in the order ``order`` names (indexes); unnamed ones are dropped."""
    return replace(plan, referrals=tuple(plan.referrals[i] for i in order))


# ---------------------------------------------------------------- stored form


def _date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: a date is YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text")
    return value


def to_json(plan: Plan) -> dict[str, Any]:
    def day(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "goals": list(plan.goals),
        "actions": [{"what": a.what, "who": a.who, "by": day(a.by)} for a in plan.actions],
        "referrals": [
            {
                "service_id": r.service_id,
                "service_name": r.service_name,
                "need": r.need,
                "phone": r.phone,
                "email": r.email,
                "url": r.url,
                "address": r.address,
                "hours": r.hours,
                "bring": list(r.bring),
                "shares_information": r.shares_information,
                "consent": None
                if r.consent is None
                else {
                    "given": r.consent.given,
                    "on": r.consent.on.isoformat(),
                    "recorded_by": r.consent.recorded_by,
                    "what": r.consent.what,
                },
                "note": r.note,
                "names": dict(r.names),
            }
            for r in plan.referrals
        ],
        "next_check_in": day(plan.next_check_in),
        "client_language": plan.client_language,
        "worker_language": plan.worker_language,
    }


def from_json(data: Mapping[str, Any]) -> Plan:
    """A plan from its stored form; ValueError names the field that is wrong."""
    actions = []
    for n, a in enumerate(data.get("actions") or []):
        actions.append(
            Action(
                _text(a.get("what"), f"actions[{n}].what"),
                _text(a.get("who"), f"actions[{n}].who"),
                _date(a.get("by"), f"actions[{n}].by"),
            )
        )
    referrals = []
    for n, r in enumerate(data.get("referrals") or []):
        c = r.get("consent")
        consent = None
        if c is not None:
            on = _date(c.get("on"), f"referrals[{n}].consent.on")
            if on is None or not isinstance(c.get("given"), bool):
                raise ValueError(f"referrals[{n}].consent: needs given (true/false) and on")
            consent = Consent(
                c["given"],
                on,
                _text(c.get("recorded_by"), "recorded_by"),
                _text(c.get("what"), "what"),
            )
        referrals.append(
            Referral(
                service_id=_text(r.get("service_id"), f"referrals[{n}].service_id"),
                service_name=_text(r.get("service_name"), f"referrals[{n}].service_name"),
                need=_text(r.get("need"), "need"),
                phone=_text(r.get("phone"), "phone"),
                email=_text(r.get("email"), "email"),
                url=_text(r.get("url"), "url"),
                address=_text(r.get("address"), "address"),
                hours=_text(r.get("hours"), "hours"),
                bring=tuple(_text(b, "bring") for b in r.get("bring") or []),
                shares_information=bool(r.get("shares_information")),
                consent=consent,
                note=_text(r.get("note"), "note"),
                names={str(k): str(v) for k, v in (r.get("names") or {}).items()},
            )
        )
    return Plan(
        goals=tuple(_text(g, "goals") for g in data.get("goals") or []),
        actions=tuple(actions),
        referrals=tuple(referrals),
        next_check_in=_date(data.get("next_check_in"), "next_check_in"),
        client_language=_text(data.get("client_language"), "client_language") or "en",
        worker_language=_text(data.get("worker_language"), "worker_language") or "en",
    )


# ---------------------------------------------------------------- from a scored interview


def need_labels(session: Interview, *, person: bool = False) -> dict[str, str]:
    """Need domain id -> its label (the first instrument that names it wins): the
    worker's text, or with ``person`` the person's (never the worker's; an old
    instrument without one gives the domain's id in words)."""
    out: dict[str, str] = {}
    for ins in session.instruments:
        for need in ins.needs:
            text = (need.person or need.id.replace("_", " ").capitalize()) if person else need.label
            out.setdefault(need.id, text)
    return out


def suggestions(
    session: Interview,
    state: iv.State,
    services: Sequence[Service],
    prefs: Preferences,
    limit: int = 3,
    *,
    person: bool = False,
) -> dict[str, list[Match]]:
    """For each need the answers raise (urgent ones first), the best services; with
    ``person`` their reasons name needs in the person's words."""
    result = iv.result(session, state)
    raised = [n for n in result.needs.values() if n.level != "none"]
    raised.sort(key=lambda n: n.level != "urgent")
    labels = need_labels(session, person=person)
    return match_all(services, [n.id for n in raised], prefs, labels, limit)


def own_goals(session: Interview, state: iv.State) -> list[str]:
    """What the person wrote as their goals, word for word (text items named *goal*)."""
    walked = iv.route(session, state)
    return [
        str(answer)
        for item_id, answer in walked.answers.items()
        if "goal" in item_id and session.items[item_id].type == "text" and isinstance(answer, str)
    ]
