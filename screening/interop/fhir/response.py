"""A finished or in-progress interview as FHIR R4 ``QuestionnaireResponse`` resources.

Only answers with a value are sent. A skipped item is left out. "Prefer not to say" is
left out too, on purpose: FHIR would carry it only as a data-absent-reason, and a person
who chose not to tell should not have that choice passed on to another agency either,
so a receiver cannot tell a decline from a skip. Items not shown (their show-if false,
or their section skipped) have no answer and are left out, as FHIR requires.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from screening.core import interview as iv
from screening.core.answers import Answer, has_value
from screening.core.model import Instrument, Item
from screening.core.route import Interview
from screening.interop.common import CANONICAL, fhir_id
from screening.interop.fhir.items import answer_value


def responses(
    session: Interview, state: iv.State, *, interview_id: str, authored: dt.datetime | None
) -> dict[str, Any]:
    """One QuestionnaireResponse, or a ``collection`` Bundle of one per instrument when
    the interview ran several."""
    done = iv.next_step(session, state).done
    walked = iv.route(session, state)
    found = [
        _response(ins, walked.answers, done, interview_id, authored, n)
        for n, ins in enumerate(session.instruments)
    ]
    if len(found) == 1:
        return found[0]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{_uuidish(r['id'])}", "resource": r} for r in found],
    }


def _uuidish(text: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{CANONICAL}/{text}"))


def _response(
    instrument: Instrument,
    answers: dict[str, Answer],
    done: bool,
    interview_id: str,
    authored: dt.datetime | None,
    position: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": fhir_id(f"{interview_id}-{position}")[:64],
        "questionnaire": f"{CANONICAL}/Questionnaire/{instrument.id}|{instrument.version}",
        "status": "completed" if done else "in-progress",
    }
    if authored is not None:
        stamp = authored if authored.tzinfo else authored.replace(tzinfo=dt.UTC)
        out["authored"] = stamp.isoformat(timespec="seconds")
    groups = []
    for section in instrument.sections:
        items = [
            entry
            for entry in (_item(item, answers.get(item.id)) for item in section.items)
            if entry is not None
        ]
        if items:
            groups.append({"linkId": section.id, "text": section.title, "item": items})
    if groups:
        out["item"] = groups
    return out


def _item(item: Item, answer: Answer | None) -> dict[str, Any] | None:
    if answer is None or not has_value(answer) or not item.exported:  # ``export: never``
        return None
    values = list(answer) if isinstance(answer, tuple) else [answer]
    typed = [answer_value(item, v) for v in values]
    written = [{name: value} for name, value in (t for t in typed if t is not None)]
    if not written:
        return None
    return {"linkId": item.id, "text": item.text, "answer": written}
