"""What the summary of a worker-led check-in says of its link to the person's earlier
check-ins (issue 22): whether it is linked, and what changed per need domain."""

from __future__ import annotations

from typing import Any

from screening.i18n import N_
from screening.services import checkins as service
from screening.services.interviews import Loaded
from screening.web.extension import ext
from screening.web.i18n import _

CHANGE_WORDS = {
    "new": N_("New since last time"),
    "better": N_("Better than last time"),
    "same": N_("The same as last time"),
    "worse": N_("Harder than last time"),
    "now-unknown": N_("Known last time, not this time"),
}


def since(loaded: Loaded) -> dict[str, Any]:
    """What the summary shows of the link: whether it is linked, and the change."""
    if loaded.mode != "worker":
        return {}
    linked = service.is_linked(ext().engine, loaded)
    change = service.change_since(ext().engine, ext().master, loaded) if linked else None
    labels: dict[str, str] = {}
    strengths: dict[str, str] = {}
    for ins in loaded.session.instruments:
        for need in ins.needs:
            labels.setdefault(need.id, need.label)
        for strength in ins.strengths:
            strengths.setdefault(strength.id, strength.label)
    if change is None:
        return {"linked": linked, "change": None}
    return {
        "linked": linked,
        "change": [(labels.get(d, d), _(CHANGE_WORDS[c])) for d, c in change.by_domain.items()],
        "kept": [strengths.get(s, s) for s in change.strengths_kept],
        "new": [strengths.get(s, s) for s in change.strengths_new],
        "before_only": [strengths.get(s, s) for s in change.strengths_before_only],
    }
