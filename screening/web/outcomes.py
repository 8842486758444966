"""The outcome counts page for an organisation's admins (issue 22): the period's
de-identified tables for their own organisation, each as a bar chart drawn on the
server (SVG: no script, no chart library, no third-party request) with the same
numbers as a text table beside it, every group in the admin's language. "Publish this
period" (a POST with the CSRF token, for a period that has ended) does what
``screening outcomes --publish`` does: it keeps the instance's tables exactly as sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, request, url_for

from screening import config
from screening.core import outcomes as oc
from screening.i18n import N_
from screening.services import outcomes as service
from screening.web import flow, guards
from screening.web.extension import ext
from screening.web.findhelp import NEED_WORDS
from screening.web.forms import BadPost
from screening.web.guards import check_csrf, require_user
from screening.web.i18n import _
from screening.web.pages import page
from screening.web.security import access_marker
from screening.web.since import CHANGE_WORDS

bp = Blueprint("outcomes", __name__)
ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)
bp.before_request(guards.page_guard)

TITLES = {
    "interviews": N_("Check-ins counted"),
    "needs": N_("Needs by domain and level"),
    "referrals": N_("Referrals made and connected"),
    "days_to_connection": N_("Median days from referral to connection"),
    "changes": N_("Change between linked check-ins"),
}
WIDTH, BAR, GAP, LABEL = 320, 18, 8, 150  # the chart's geometry, in SVG units

# Every value a group can hold, in words (the domains as on the find-help page)
WORDS: dict[str, dict[str, str]] = {
    "domain": {**NEED_WORDS, oc.ALL: N_("all needs"), oc.NO_DOMAIN: N_("no need recorded")},
    "level": {
        "urgent": N_("help now"),
        "some": N_("some need"),
        "none": N_("no need"),
        "unknown": N_("could not tell"),
        "not-asked": N_("not asked"),
    },
    "status": {oc.MADE: N_("referrals made"), oc.CONNECTED: N_("connected")},
    "change": CHANGE_WORDS,
    "statistic": {"median-days": N_("median days")},
}


def _word(name: str, value: Any) -> str:
    said = WORDS.get(name, {}).get(str(value))
    return _(said) if said is not None else str(value).replace("_", " ")


def _label(group: dict[str, Any]) -> str:
    return ", ".join(_word(n, v) for n, v in group.items()) or _("all")


def chart(name: str, cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars for the cells worth drawing (not zero), scaled to the largest count."""
    shown = [c for c in cells if c["count"] != 0][:40]
    top = max([c["count"] or 0 for c in shown] + [1])
    bars = []
    for n, cell in enumerate(shown):
        count = cell["count"]
        length = 0 if count is None else max(2, round((WIDTH - LABEL - 40) * count / top))
        bars.append(
            {
                "y": n * (BAR + GAP),
                "label": _label(cell["group"]),
                "length": length,
                "count": count,
            }
        )
    return {
        "name": name,
        "title": _(TITLES[name]),
        "bars": bars,
        "rows": [(_label(c["group"]), c["count"]) for c in cells],
        "height": max(1, len(bars)) * (BAR + GAP),
    }


@bp.get("/admin/outcomes")
@access("admin of the organisation")
def show() -> tuple[str, int]:
    user = require_user()
    if user.role != "admin":
        abort(403)
    asked = request.args.get("period") or dt.datetime.now(dt.UTC).strftime("%Y-%m")
    try:
        period = oc.parse_period(asked)
    except oc.PeriodError:
        return page(
            "outcomes.html",
            400,
            asked=asked[:20],
            error=_("A period is a month, like 2026-09, or a quarter, like 2026-Q3."),
            charts=[],
            k=None,
        )
    k = config.outcomes_k()
    tables = service.compute(ext().engine, ext().master, period, k, org_id=user.org_id)
    charts = [chart(name, cells) for name, cells in tables["tables"].items() if cells]
    return page(
        "outcomes.html",
        asked=period.label,
        error=None,
        charts=charts,
        k=k,
        geometry={"width": WIDTH, "bar": BAR, "label": LABEL},
        counts_of=tables["counts_of"],
        published=service.published(ext().engine, period) is not None,
        ended=_ended(period),
        just=request.args.get("published") == "1",
    )


def _ended(period: oc.Period) -> bool:
    return period.end <= dt.datetime.now(dt.UTC).date()


@bp.post("/admin/outcomes/publish")
@access("admin of the organisation")
def publish() -> Response:
    """Publish the period's tables for a funder, once: kept exactly as sent."""
    user = require_user()
    if user.role != "admin":
        abort(403)
    check_csrf()
    try:
        period = oc.parse_period(request.form.get("period", "")[:20])
    except oc.PeriodError:
        raise BadPost(_("A period is a month, like 2026-09, or a quarter, like 2026-Q3.")) from None
    if not _ended(period):
        raise BadPost(_("A period can be published once it has ended. Nothing was published."))
    service.publish(ext().engine, ext().master, period, config.outcomes_k(), actor=user.username)
    return flow.see(url_for("outcomes.show", period=period.label, published="1"))
