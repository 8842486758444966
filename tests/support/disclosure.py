"""An attacker on published outcome tables (issue 22), written apart from the code it
attacks: it knows every sum the tables imply (each need domain's levels add up to the
interviews; made = connected + the never-published not connected; the ``all`` row is the
sum of the domains) and works out what it can, by repeated subtraction and by exact
linear algebra over all the sums at once."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

LEVELS = ("urgent", "some", "none", "unknown", "not-asked")
CHANGES = ("new", "better", "same", "worse", "now-unknown")


def sums(published: dict[str, Any]) -> list[tuple[tuple, tuple]]:
    """Every sum the published tables imply, named by group: what an attacker knows."""
    tables = published["tables"]
    domains = sorted({c["group"]["domain"] for c in tables["needs"]})
    sums = []
    for d in domains:  # each domain's levels add up to the interviews
        sums.append((("interviews",), tuple(("needs", d, lv) for lv in LEVELS)))
    refs = sorted({c["group"]["domain"] for c in tables["referrals"]} - {"all"})
    for d in [*refs, "all"]:  # made = connected + not connected (never published)
        sums.append((("referrals", d, "made"), (("referrals", d, "connected"), ("hidden", d))))
    if refs:
        for status in ("made", "connected"):
            sums.append(
                (("referrals", "all", status), tuple(("referrals", d, status) for d in refs))
            )
        sums.append((("hidden", "all"), tuple(("hidden", d) for d in refs)))
    for d in sorted({c["group"]["domain"] for c in tables.get("changes", [])}):
        sums.append((("linked", d), tuple(("changes", d, ch) for ch in CHANGES)))
    return sums


def known(published: dict[str, Any]) -> dict[tuple, int | None]:
    t = published["tables"]
    out: dict[tuple, int | None] = {("interviews",): t["interviews"][0]["count"]}
    for c in t["needs"]:
        out[("needs", c["group"]["domain"], c["group"]["level"])] = c["count"]
    for c in t["referrals"]:
        out[("referrals", c["group"]["domain"], c["group"]["status"])] = c["count"]
    for c in t.get("changes", []):
        out[("changes", c["group"]["domain"], c["group"]["change"])] = c["count"]
    return out


def substitution(known: dict[tuple, int | None], sums: list) -> dict[tuple, int]:
    """Subtract along every sum with one unknown left, again and again."""
    values = {c: v for c, v in known.items() if v is not None}
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            cells = (total, *parts)
            missing = [c for c in cells if c not in values]
            if len(missing) != 1:
                continue
            (m,) = missing
            rest = sum(values[p] for p in parts if p != m)
            values[m] = values[total] - rest if m != total else rest
            changed = True
    return values


def algebra(known: dict[tuple, int | None], sums: list) -> set[tuple]:
    """The unknown cells fixed by all the sums together (row reduction)."""
    unknown = sorted({c for t, ps in sums for c in (t, *ps) if known.get(c) is None})
    col = {c: i for i, c in enumerate(unknown)}
    rows = []
    for total, parts in sums:
        row = [Fraction(0)] * len(unknown)
        for c, sign in ((total, 1), *((p, -1) for p in parts)):
            if c in col:
                row[col[c]] += sign
        rows.append(row)
    fixed = set()
    for i, c in enumerate(unknown):  # c is fixed iff e_c lies in the row space
        target = [Fraction(int(j == i)) for j in range(len(unknown))]
        if _in_span(rows, target):
            fixed.add(c)
    return fixed


def _in_span(rows: list[list[Fraction]], target: list[Fraction]) -> bool:
    def rank(m: list[list[Fraction]]) -> int:
        m = [r[:] for r in m]
        r = 0
        for c in range(len(target)):
            p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
            if p is None:
                continue
            m[r], m[p] = m[p], m[r]
            for i in range(len(m)):
                if i != r and m[i][c] != 0:
                    f = m[i][c] / m[r][c]
                    m[i] = [a - f * b for a, b in zip(m[i], m[r], strict=True)]
            r += 1
        return r

    return rank(rows) == rank([*rows, target])


def assert_safe(published: dict[str, Any]) -> None:
    """No published count from 1 to k-1; no withheld count worked out, by subtraction or
    by algebra; nothing never published worked out to be from 1 to k-1."""
    k = published["k"]
    cells = known(published)
    for cell, count in cells.items():
        assert count is None or count == 0 or count >= k, (cell, count)
    implied = sums(published)
    withheld = {c for c, v in cells.items() if v is None}
    worked_out = substitution(cells, implied)
    assert not withheld & set(worked_out), "a withheld count recovered by subtraction"
    assert not withheld & algebra(cells, implied), "a withheld count recovered by algebra"
    for cell, value in worked_out.items():
        assert value == 0 or value >= k, ("a small unpublished count worked out", cell, value)
