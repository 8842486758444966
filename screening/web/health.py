"""``/healthz``: whether the database takes writes, for a load balancer or a monitor.

No data, no sign-in, no session read or written: ``{"database": "ok"}`` with 200 when a
write commits, ``"read-only"`` (it answers but refuses writes) or ``"down"`` (it does
not answer) with 503.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from screening.services import health
from screening.web.extension import ext
from screening.web.security import access_marker

bp = Blueprint("health", __name__)

ACCESS: dict[str, str] = {}
access = access_marker(bp, ACCESS)


@bp.get("/healthz")
@access("public: says only whether the database takes writes")
def healthz() -> tuple[Response, int]:
    state = health.database(ext().engine)
    return jsonify({"database": state}), 200 if state == "ok" else 503
