"""Interviews as CSV: wide (one row per interview, one column per item, then scores,
flags and needs) or long (one row per answer or result), with a data dictionary.

Only worker-led interviews whose person consented to storing their answers are
written (see :mod:`screening.services.exports`). An item that was skipped, declined
("prefer not to say"), not shown or not reached has an empty cell (wide) or no row
(long): a decline is not told apart from a skip. An incomplete score has an empty
value. Text that a spreadsheet would read as a formula (starting with = + - @, a tab,
a carriage return or a line feed, also after leading whitespace, NBSP, zero-width
characters or a BOM, and in fullwidth forms such as ``＝``) is written with a leading
apostrophe (OWASP: CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from screening.core import interview as iv
from screening.core.answers import has_value
from screening.core.model import Instrument, Item
from screening.core.route import Interview


class Opened(Protocol):
    """An interview's id, its pinned instruments and its replayed state."""

    @property
    def id(self) -> str: ...
    @property
    def session(self) -> Interview: ...
    @property
    def state(self) -> iv.State: ...


class Stored(Protocol):
    """What an export needs of a stored interview (``services.exports.Stored`` is one):
    the interview, and when it started and last changed."""

    @property
    def loaded(self) -> Opened: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def updated_at(self) -> dt.datetime: ...


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a spreadsheet may skip before it reads a formula: whitespace (a space, a line
# break, NBSP...), zero-width characters and the byte order mark.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e"
MULTIPLE_SEPARATOR = " "  # like ODK: option values of a multiple choice, space-separated


def safe(cell: object) -> str:
    """A cell as text; text that starts like a formula gets a leading apostrophe.
    Numbers are written as numbers (a negative number is not a formula)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, int | float):
        return repr(cell) if isinstance(cell, float) else str(cell)
    text = str(cell)
    return "'" + text if looks_like_formula(text) else text


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula: after leading whitespace
    (NBSP included), zero-width characters and a BOM, it starts with = + - @ (or a
    tab, CR or LF), also in their fullwidth or other compatibility forms (NFKC: ``＝``)."""
    if text.startswith(_FORMULA_START):
        return True
    start = 0
    while start < len(text) and (text[start] in _INVISIBLE or text[start].isspace()):
        start += 1
    head = unicodedata.normalize("NFKC", text[start : start + 4])
    return head.startswith(_FORMULA_START)


@dataclass
class Columns:
    """Every column the export needs, in a stable order, with what it means."""

    items: dict[str, tuple[Instrument, Item]] = field(default_factory=dict)
    scores: dict[str, tuple[Instrument, str]] = field(default_factory=dict)
    flags: dict[str, tuple[Instrument, str]] = field(default_factory=dict)
    needs: dict[str, tuple[Instrument, str]] = field(default_factory=dict)

    def add(self, instrument: Instrument) -> None:
        for item in instrument.iter_items():
            if item.exported:  # ``export: never`` (a name to use, pronouns): no column
                self.items.setdefault(item.id, (instrument, item))
        for score in instrument.scores:
            self.scores.setdefault(score.id, (instrument, score.label or score.id))
        for flag in instrument.flags:
            self.flags.setdefault(flag.id, (instrument, flag.label))
        for need in instrument.needs:
            self.needs.setdefault(need.id, (instrument, need.label))

    def header(self) -> list[str]:
        out = ["interview_id", "created_at", "updated_at", "status", "instruments"]
        out.extend(self.items)
        for score in self.scores:
            out.extend([f"score.{score}", f"score.{score}.band"])
        out.extend(f"flag.{f}" for f in self.flags)
        out.extend(f"need.{n}" for n in self.needs)
        return out


def _cell(item: Item, answer: object) -> object:
    if isinstance(answer, tuple):
        return MULTIPLE_SEPARATOR.join(str(v) for v in answer)
    return answer


def _rows(stored: Sequence[Stored]) -> tuple[Columns, list[dict[str, object]]]:
    columns = Columns()
    rows = []
    for one in stored:
        session, state = one.loaded.session, one.loaded.state
        for instrument in session.instruments:
            columns.add(instrument)
        walked = iv.route(session, state)
        result = iv.result(session, state)
        done = iv.next_step(session, state).done
        row: dict[str, object] = {
            "interview_id": one.loaded.id,
            "created_at": one.created_at.isoformat(timespec="seconds"),
            "updated_at": one.updated_at.isoformat(timespec="seconds"),
            "status": "completed" if done else "in-progress",
            "instruments": " ".join(f"{i.id}@{i.version}" for i in session.instruments),
        }
        for item_id, answer in walked.answers.items():
            if has_value(answer) and session.items[item_id].exported:
                row[item_id] = _cell(session.items[item_id], answer)
        for score in result.scores.values():
            if score.complete:
                row[f"score.{score.id}"] = score.value
                row[f"score.{score.id}.band"] = score.band
        raised = {f.id for f in result.flags}
        for instrument in session.instruments:
            for flag in instrument.flags:
                row[f"flag.{flag.id}"] = flag.id in raised
        for need in result.needs.values():
            row[f"need.{need.id}"] = need.level
        rows.append(row)
    return columns, rows


def wide(stored: Iterable[Stored]) -> tuple[str, str]:
    """(data CSV, data dictionary CSV) in wide form."""
    columns, rows = _rows(list(stored))
    header = columns.header()
    data = _write([header, *([safe(row.get(name)) for name in header] for row in rows)])
    return data, dictionary(columns, long=False)


def long(stored: Iterable[Stored]) -> tuple[str, str]:
    """(data CSV, data dictionary CSV) in long form: one row per answer (per chosen
    option of a multiple choice), complete score, raised flag and need level."""
    columns = Columns()
    out: list[list[str]] = [["interview_id", "instrument", "kind", "id", "value", "band"]]
    for one in stored:
        session, state = one.loaded.session, one.loaded.state
        ident = safe(one.loaded.id)  # a random id may begin with "-": escaped as in wide
        for instrument in session.instruments:
            columns.add(instrument)
        walked = iv.route(session, state)
        result = iv.result(session, state)
        for item_id, answer in walked.answers.items():
            if not has_value(answer) or not session.items[item_id].exported:
                continue
            owner = session.instrument_of[item_id].id
            values = answer if isinstance(answer, tuple) else (answer,)
            out.extend([ident, owner, "answer", item_id, safe(v), ""] for v in values)
        owners = _owners(session.instruments)
        for score in result.scores.values():
            if score.complete:
                out.append(
                    [
                        ident,
                        owners[score.id],
                        "score",
                        score.id,
                        safe(score.value),
                        safe(score.band),
                    ]
                )
        out.extend([ident, owners[f.id], "flag", f.id, "1", ""] for f in result.flags)
        out.extend(
            [ident, owners[f"need:{n.id}"], "need", n.id, safe(n.level), ""]
            for n in result.needs.values()
        )
    return _write(out), dictionary(columns, long=True)


def _owners(instruments: Iterable[Instrument]) -> dict[str, str]:
    out = {}
    for ins in instruments:
        out.update({s.id: ins.id for s in ins.scores})
        out.update({f.id: ins.id for f in ins.flags})
        out.update({f"need:{n.id}": ins.id for n in ins.needs})
    return out


NEED_LEVELS = "none; unknown; some; urgent"
NEED_MEANING = (
    "urgent or some: a rule of the need holds; unknown: no rule holds, but one reads an "
    "answer that was skipped, declined or not given, or an incomplete score, so the "
    "answers cannot tell (never read it as none); none: the answers tell there is none."
)
ESCAPED = (
    "Any text cell that starts with = + - @, a tab, a carriage return or a line feed (also "
    "after leading spaces, no-break or zero-width spaces or a byte order mark, and in "
    "fullwidth forms such as \uff1d) has an apostrophe added in front (so no spreadsheet "
    "runs it as a formula), interview ids too: remove that one apostrophe to get the value."
)
_FIXED = [
    ("interview_id", "", "text", "", "The interview's random id (no name, no contact). " + ESCAPED),
    ("created_at", "", "date-time", "", "When the interview started (UTC)."),
    ("updated_at", "", "date-time", "", "When it last changed (UTC)."),
    ("status", "", "code", "completed; in-progress", "Whether every question was reached."),
    ("instruments", "", "text", "", "Instrument id@version of each, space-separated."),
]
_LONG = [
    ("interview_id", "", "text", "", "The interview's random id (no name, no contact). " + ESCAPED),
    ("instrument", "", "text", "", "The instrument the row belongs to."),
    ("kind", "", "code", "answer; score; flag; need", "What the row holds."),
    ("id", "", "text", "", "The item, score, flag or need id (see the rows below)."),
    (
        "value",
        "",
        "text",
        "",
        "The answer value (one row per chosen option), score value, "
        "1 for a raised flag, or the need level.",
    ),
    ("band", "", "text", "", "A score's band id."),
]
EMPTY_MEANS = (
    "Empty: not answered, skipped, 'prefer not to say', or not shown. These are never "
    "told apart here, and never filled in."
)


def dictionary(columns: Columns, *, long: bool) -> str:
    """The data dictionary: column (or id), instrument, type, allowed values, meaning."""
    rows: list[list[str]] = [["column", "instrument", "type", "values", "description"]]
    rows.extend(list(r) for r in (_LONG if long else _FIXED))
    for item_id, (ins, item) in columns.items.items():
        values = "; ".join(f"{o.value}={o.label or o.value}" for o in item.options)
        if item.type == "multiple":
            values += f" (several, separated by {MULTIPLE_SEPARATOR!r})"
        rows.append(
            [
                item_id,
                f"{ins.id}@{ins.version}",
                item.type,
                values,
                f"{item.text} {EMPTY_MEANS if not long else ''}".strip(),
            ]
        )
    for score_id, (ins, label) in columns.scores.items():
        name = score_id if long else f"score.{score_id}"
        score = ins.score(score_id)
        bands = "; ".join(f"{b.id}={b.label}" for b in score.bands) if score else ""
        rows.append([name, ins.id, "number", "", f"{label}. Empty when incomplete."])
        if not long:
            rows.append([f"{name}.band", ins.id, "code", bands, f"Band of {label}."])
    for flag_id, (ins, label) in columns.flags.items():
        name = flag_id if long else f"flag.{flag_id}"
        rows.append([name, ins.id, "boolean", "1=raised; 0=not raised", label])
    for need_id, (ins, label) in columns.needs.items():
        name = need_id if long else f"need.{need_id}"
        rows.append([name, ins.id, "code", NEED_LEVELS, f"{label}. {NEED_MEANING}"])
    return _write([[safe(c) for c in row] for row in rows])


def _write(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


# ---------------------------------------------------------------- referrals (issue 21)


class ReferralChange(Protocol):
    """One status change of one referral (``services.referrals.ExportRow`` is one)."""

    @property
    def interview_id(self) -> str: ...
    @property
    def referral_id(self) -> str: ...
    @property
    def service_id(self) -> str: ...
    @property
    def need(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def by(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...


REFERRAL_COLUMNS = [
    ("interview_id", "", "text", "", "The interview's random id, as in the interviews file. "),
    ("referral_id", "", "text", "", "The referral's opaque id (the same in every row of it)."),
    (
        "service_id",
        "",
        "text",
        "",
        "The service's id in the HSDS directory (an HSDS 3.0 service reference).",
    ),
    ("need", "", "text", "", "The need domain the referral answers (a need id)."),
    ("number", "", "number", "", "1 for the referral's first change, then 2, 3..."),
    (
        "status",
        "",
        "code",
        "offered; accepted; contacted; connected; not-connected; closed",
        "The referral's status from this change on.",
    ),
    (
        "by",
        "",
        "code",
        "worker; person; warm-hand-off",
        "Who made contact with the service (contacted only; else empty).",
    ),
    (
        "reason",
        "",
        "code",
        "waitlist; not-eligible; could-not-reach; changed-mind; other",
        "Why it did not connect (not-connected only; else empty).",
    ),
    ("at", "", "date-time", "", "When the change was recorded (UTC)."),
]


def referrals(changes: Iterable[ReferralChange]) -> tuple[str, str]:
    """(data CSV, data dictionary CSV) of referral status changes: one row per change,
    oldest first per referral, so the time from offered to connected can be counted.
    Notes are never written."""
    out: list[list[str]] = [[name for name, *_ in REFERRAL_COLUMNS]]
    for c in changes:
        at = c.at if c.at.tzinfo else c.at.replace(tzinfo=dt.UTC)
        out.append(
            [
                safe(c.interview_id),
                safe(c.referral_id),
                safe(c.service_id),
                safe(c.need),
                safe(c.number),
                safe(c.status),
                safe(c.by),
                safe(c.reason),
                at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            ]
        )
    rows: list[list[str]] = [["column", "instrument", "type", "values", "description"]]
    rows.extend(list(r) for r in REFERRAL_COLUMNS)
    rows[1][4] += ESCAPED
    return _write(out), _write([[safe(c) for c in row] for row in rows])
