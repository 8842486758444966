"""The outcome counts page for an organisation's admins (issue 22): the period's
de-identified tables for their own organisation, each as a bar chart drawn on the
server (SVG: no script, no chart library, no third-party request) with the same
numbers as a text table beside it. Nothing is published from here: publishing for a
funder is ``screening outcomes --publish`` (kept as sent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, request

from screening import config
from screening.core import outcomes as oc
from screening.i18n import N_
from screening.services import outcomes as service
from screening.web import guards
from screening.web.extension import ext
from screening.web.guards import require_user
from screening.web.i18n import _
from screening.web.pages import page
from screening.web.security import access_marker

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


def _label(group: dict[str, Any]) -> str:
    return ", ".join(str(v).replace("_", " ") for v in group.values()) or _("all")


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
    )
