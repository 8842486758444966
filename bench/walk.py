"""Walking an interview through the JSON API, the same way in every benchmark: answers
chosen deterministically, content warnings entered. Plain Python, no imports of the app,
so a load generator stays light."""

from __future__ import annotations

from typing import Any


def value_for(item: dict[str, Any], n: int) -> Any:
    """A deterministic answer: options in turn (never an urgent-looking first pick)."""
    if item["options"]:
        value = item["options"][n % len(item["options"])]["value"]
        return [value] if item["type"] == "multiple" else value
    return {"number": 3, "date": "2026-11-01"}.get(item["type"], "a few words")


def step_request(
    interview_id: str, step: dict[str, Any], n: int, key: str
) -> tuple[str, dict[str, Any]]:
    """The path and body that answer ``step``: enter its content warning, or answer its
    item with :func:`value_for` (``n``), under the idempotency ``key``."""
    if step.get("content_warning"):
        path = f"/api/v1/interviews/{interview_id}/sections"
        body: dict[str, Any] = {"section": step["section"], "choice": "enter"}
    else:
        path = f"/api/v1/interviews/{interview_id}/answers"
        body = {"item": step["item"]["id"], "value": value_for(step["item"], n)}
    body["key"] = key
    return path, body
