"""Worker-led needs-assessment interviews made through the services, for the tests of
what is counted and linked across interviews (outcomes, linked check-ins)."""

from __future__ import annotations

from flask import Flask

from screening.services import interviews as service
from screening.store import db as storage


def consented(app: Flask, n: int, *, statistics: bool, safe: str | None = None) -> service.Loaded:
    """Start one, give consent to store (to anonymous statistics as ``statistics`` says),
    answer "Do you feel safe right now?" with ``safe`` when given; ``n`` keeps the
    idempotency keys of each interview apart."""
    ext = app.extensions["screening"]
    iid, _, _ = service.start(
        ext.engine,
        ext.master,
        instrument_ids=["needs-assessment"],
        mode="worker",
        locale="en",
        org_id=None,
        user_id=None,
    )
    entry = service.consent_entry(store=True, share=False, service=None, statistics=statistics)
    service.record(ext.engine, ext.master, iid, entry, f"consent-{n:04d}")
    if safe is not None:
        answer = service.answer_entry({"item": "safe_right_now", "value": safe})
        service.record(ext.engine, ext.master, iid, answer, f"answer-{n:04d}")
    with storage.transaction(ext.engine) as conn:
        return service.load(conn, ext.master, iid)
