"""What changed between two check-ins of the same person (pure, issue 22).

Each need domain asked about in the later check-in is compared with the earlier one:

- ``new``: a need now (some or urgent) where there was none, or it was not asked or
  could not be told before;
- ``better`` / ``worse``: from urgent to some or none, or the other way;
- ``same``: the same level both times (two unknowns included);
- ``now-unknown``: told before, but the answers could not tell this time.

A domain with no need now that was not known before says nothing about a change and is
left out. Strengths: those named this time (kept or new) and those named only before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RANK = {"none": 0, "some": 1, "urgent": 2}
CHANGES = ("new", "better", "same", "worse", "now-unknown")


@dataclass(frozen=True)
class Change:
    by_domain: dict[str, str]  # domain -> one of CHANGES, in the later check-in's order
    strengths_kept: tuple[str, ...]
    strengths_new: tuple[str, ...]
    strengths_before_only: tuple[str, ...]


def domain_change(before: str | None, now: str) -> str | None:
    if now == "unknown":
        return "same" if before == "unknown" else ("now-unknown" if before in RANK else None)
    if before not in RANK:  # not asked, or could not be told, before
        return "new" if RANK[now] > 0 else None
    if RANK[now] == RANK[before]:
        return "same"
    if RANK[before] == 0:
        return "new"
    return "better" if RANK[now] < RANK[before] else "worse"


def compare(
    before: Mapping[str, str],
    now: Mapping[str, str],
    strengths_before: Iterable[str] = (),
    strengths_now: Iterable[str] = (),
) -> Change:
    out = {}
    for domain, level in now.items():
        said = domain_change(before.get(domain), level)
        if said is not None:
            out[domain] = said
    earlier, later = list(strengths_before), list(strengths_now)
    return Change(
        out,
        tuple(s for s in later if s in earlier),
        tuple(s for s in later if s not in earlier),
        tuple(s for s in earlier if s not in later),
    )
