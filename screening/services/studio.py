"""The co-design studio's use cases (issue 18; no Flask, no status codes).

People with lived experience review instruments: they preview one exactly as a person
would see it (nothing answered there is stored: the preview's state lives in its own
address), find every question through the branch explorer, and leave feedback that the
organisation's team (its admins and designers) reads and answers with a status.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from screening.codesign import reviews
from screening.codesign.diff import Change, diff
from screening.core import interview as iv
from screening.core.answers import DECLINED, SKIPPED, Answer, AnswerError, answer_to_json
from screening.core.conditions import Condition, FlagTest, ItemTest, ScoreTest
from screening.core.model import Instrument, Item
from screening.core.route import Interview, InterviewError
from screening.crypto.seal import MasterKey
from screening.errors import Code, DomainError, Problem
from screening.load import catalog, yamlmarks
from screening.load.lint import lint
from screening.load.loader import check_bytes, schema_problems
from screening.load.reach import item_constants, item_states, unreachable_items
from screening.services import accounts
from screening.services import interviews as service
from screening.store import db as storage
from screening.store import studio as studiostore
from screening.store.studio import Feedback

if TYPE_CHECKING:  # a type only: the store owns the database driver
    from sqlalchemy.engine import Connection, Engine

# The fixed choices a reviewer taps, in the order shown (their words live in the web layer).
CHOICES = (
    "clear",
    "not-clear",
    "could-upset",
    "could-risk",
    "judgmental",
    "wrong-culture",
    "missing-option",
    "good",
)
STATUSES = ("open", "changed", "kept")
# A reviewer's self-described role, optional (their words live in the web layer); the
# round file names each in these English words (the record is a data file).
ROLES = {
    "survivor": "survivor",
    "youth-advisory": "youth advisory group member",
    "frontline-worker": "frontline worker",
    "interpreter": "interpreter",
    "other": "other",
}
NO_ROLE = "role not stated"
MAX_TEXT = 4000
MAX_NAME = 60
MAX_WITNESS = 4000  # answer combinations tried to find a way to one question
MAX_UPLOAD = 200_000

__all__ = ["CHOICES", "STATUSES", "Feedback"]


# ---------------------------------------------------------------- who may do what


def is_team(user: accounts.User) -> bool:
    """The team that reads feedback: the organisation's admins and designers."""
    return user.role in ("admin", "designer")


def may_review(user: accounts.User) -> bool:
    return user.role in accounts.ROLES  # a frontline worker may review too; only the team reads


def _community_org(conn: Connection) -> int | None:
    return studiostore.org_id_named(conn, accounts.NO_ORGANISATION)


def organisation(engine: Engine, user: accounts.User) -> str | None:
    """The name of the user's organisation; None for a community reviewer."""
    with storage.transaction(engine) as conn:
        name = studiostore.org_name(conn, user.org_id)
    return None if name == accounts.NO_ORGANISATION else name


# ---------------------------------------------------------------- instruments


@dataclass(frozen=True)
class Draft:
    """An instrument the studio shows: bundled or uploaded, with its lint findings."""

    ref: str  # the bundled id, or an upload's id
    instrument: Instrument
    source: bytes
    findings: tuple[Problem, ...]
    uploaded: bool = False


def findings_of(raw: bytes, name: str) -> tuple[list[Problem], list[Problem]]:
    """(validation errors, lint findings) of an instrument's text."""
    try:
        doc = yamlmarks.load(raw)
    except yamlmarks.YamlError as exc:
        return [Problem(name, exc.line, exc.column, (), exc.code, exc.message)], []
    invalid = list(schema_problems(doc, name))
    if invalid:
        return invalid, []
    errors = [p for p in check_bytes(raw, name)[1] if not p.warning]
    return errors, ([] if errors else lint(doc, name))


def bundled() -> list[Draft]:
    found = []
    for path in sorted(catalog.instruments_dir().glob("*.yaml")):
        try:
            found.append(draft(None, path.stem))
        except DomainError:
            continue
    return found


def uploaded(engine: Engine) -> list[Draft]:
    with storage.transaction(engine) as conn:
        rows = studiostore.upload_rows(conn)
    out = []
    for row in rows:
        source = bytes(row.source)
        instrument = service.instrument_from(source, f"{row.instrument_id}.yaml")
        lint_found = findings_of(source, f"{row.instrument_id}.yaml")[1]
        out.append(Draft(row.id, instrument, source, tuple(lint_found), uploaded=True))
    return out


def draft(engine: Engine | None, ref: str) -> Draft:
    """A bundled instrument by id, or an uploaded draft by its ``upload-`` id."""
    if ref.startswith("upload-") and engine is not None:
        with storage.transaction(engine) as conn:
            source = studiostore.upload_source(conn, ref)
        if source is None:
            raise DomainError(Code.UNKNOWN_INSTRUMENT)
        instrument = service.instrument_from(source, "upload.yaml")
        return Draft(ref, instrument, source, tuple(findings_of(source, "upload.yaml")[1]), True)
    instrument, source = service.bundled_source(ref)
    return Draft(ref, instrument, source, tuple(findings_of(source, f"{ref}.yaml")[1]))


def upload(engine: Engine, user: accounts.User, raw: bytes) -> str:
    """Keep an uploaded draft for review: refused with its validation errors (code
    BAD_INSTRUMENT), accepted whatever lint finds (shown beside its items)."""
    if not raw or len(raw) > MAX_UPLOAD:
        raise DomainError(Code.BAD_INSTRUMENT, detail="an instrument file is 1 byte to 200 KB")
    errors, _ = findings_of(raw, "upload.yaml")
    if errors:
        detail = "; ".join(f"line {p.line}: {p.message}" for p in errors[:10])
        raise DomainError(Code.BAD_INSTRUMENT, detail=detail)
    instrument = service.instrument_from(raw, "upload.yaml")
    with storage.transaction(engine) as conn:
        return studiostore.add_upload(
            conn,
            instrument_id=instrument.id,
            version=instrument.version,
            source=raw,
            org_id=user.org_id,
            user_id=user.id,
        )


def findings_by_item(source: bytes, found: Iterable[Problem]) -> dict[str, list[Problem]]:
    """Lint findings keyed 'item:<id>' or 'section:<id>' (the part their path runs
    through in the file), or 'instrument'."""
    try:
        data = yamlmarks.load(source).data
    except yamlmarks.YamlError:
        data = {}
    out: dict[str, list[Problem]] = {}
    for problem in found:
        out.setdefault(_owner(data, problem.path), []).append(problem)
    return out


def _owner(data: Any, path: Sequence[object]) -> str:
    try:
        if len(path) >= 2 and path[0] == "sections":
            section = data["sections"][path[1]]
            if len(path) >= 4 and path[2] == "items":
                return f"item:{section['items'][path[3]]['id']}"
            return f"section:{section['id']}"
    except (KeyError, IndexError, TypeError):
        pass
    return "instrument"


# ---------------------------------------------------------------- the branch explorer


@dataclass(frozen=True)
class Branch:
    """One item as the explorer shows it."""

    item: Item
    section_title: str
    conditional: bool  # shown only after certain answers
    reachable: bool
    way: tuple[tuple[Item, Answer], ...]  # answers that lead to it (one way found)
    leads_to: tuple[Item, ...]  # items whose showing depends on this one's answer
    state: str | None  # the preview address's state that reaches it, None when none
    findings: tuple[Problem, ...] = ()


def _named(condition: Condition | None, instrument: Instrument) -> set[str]:
    if condition is None:
        return set()
    found: set[str] = set()
    flags = {f.id: f for f in instrument.flags}
    scores = {s.id: s for s in instrument.scores}
    for node in condition.walk():
        if isinstance(node, ItemTest):
            found.add(node.item)
        elif isinstance(node, FlagTest) and node.flag in flags:
            found |= _named(flags[node.flag].when, instrument)
        elif isinstance(node, ScoreTest) and node.score in scores:
            found |= {t.item for t in scores[node.score].terms if t.item}
    return found


def _conditions(item: Item, instrument: Instrument) -> list[Condition]:
    section = next(s for s in instrument.sections if s.id == item.section_id)
    return [c for c in (section.show_if, item.show_if) if c is not None]


def explore(drafted: Draft, mode: str) -> list[Branch]:
    """Every item of the instrument (as ``mode`` asks it): the answers that lead to it,
    what it leads to, and a preview state that reaches it; unreachable ones marked."""
    instrument = service.for_mode([drafted.instrument], mode)[0]
    session = Interview([instrument])
    sections = {s.id: s for s in instrument.sections}
    dead = set(unreachable_items(instrument.sections))
    items = list(instrument.iter_items())
    conds = {i.id: _conditions(i, instrument) for i in items}
    direct = {i.id: set().union(*(_named(c, instrument) for c in conds[i.id])) for i in items}
    lint_found = findings_by_item(drafted.source, drafted.findings)
    out = []
    for item in items:
        way: tuple[tuple[Item, Answer], ...] = ()
        state = None
        if item.id not in dead:
            found = _witness(session, instrument, item, direct)
            if found is not None:
                way = tuple((session.items[k], v) for k, v in found.items() if k in direct[item.id])
                state = encode_state(_witness_entries(session, found))
        leads = tuple(i for i in items if item.id in direct[i.id])
        out.append(
            Branch(
                item,
                sections[item.section_id].title,
                bool(conds[item.id]),
                item.id not in dead and state is not None,
                way,
                leads,
                state,
                tuple(lint_found.get(f"item:{item.id}", ())),
            )
        )
    return out


def _witness(
    session: Interview, instrument: Instrument, item: Item, direct: Mapping[str, set[str]]
) -> dict[str, Answer] | None:
    """Answers (to the items its showing depends on, and theirs in turn) that put
    ``item`` on the route; None when none is found within MAX_WITNESS tries."""
    need: list[str] = []
    todo = list(direct[item.id])
    while todo:
        name = todo.pop()
        if name in need or name not in direct:
            continue
        need.append(name)
        todo.extend(direct[name])
    order = [i.id for i in instrument.iter_items() if i.id in need]
    constants = item_constants(
        c for i in instrument.iter_items() for c in _conditions(i, instrument)
    )
    states = [
        [s for s in item_states(session.items[n], constants.get(n, set())) if s is not None]
        for n in order
    ]
    sections = {k: "enter" for k in service.section_keys(session)}
    for combo in itertools.islice(itertools.product(*states), MAX_WITNESS):
        answers = dict(zip(order, combo, strict=True))
        if item.id in iv.steps(session, iv.State(answers=answers, sections=sections)):
            return answers
    return None


def _witness_entries(session: Interview, answers: Mapping[str, Answer]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {"kind": "section", "section": k, "choice": "enter"} for k in service.section_keys(session)
    ]
    for item_id, value in answers.items():
        if value is SKIPPED:
            entries.append({"kind": "answer", "item": item_id, "value": None})
        elif value is DECLINED:
            entries.append({"kind": "answer", "item": item_id, "declined": True})
        else:
            entries.append({"kind": "answer", "item": item_id, "value": answer_to_json(value)})
    return entries


# ---------------------------------------------------------------- the preview


MAX_STATE = 3000  # characters of a preview's state in its address (zlib, base64)
MAX_UNPACKED = 200_000  # bytes it may unpack to (no zip bomb)


def encode_state(entries: Sequence[Mapping[str, Any]]) -> str:
    raw = zlib.compress(json.dumps(list(entries), separators=(",", ":")).encode(), 9)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_state(text: str) -> list[dict[str, Any]]:
    """A preview's entries from its address; BAD_STATE when it is not ours."""
    if not text:
        return []
    if len(text) > MAX_STATE:
        raise DomainError(Code.BAD_STATE, detail="this preview went too far; start it again")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj()
        data = json.loads(unpacker.decompress(packed, MAX_UNPACKED))
        if unpacker.unconsumed_tail:
            raise ValueError("too large")
    except (binascii.Error, ValueError, zlib.error):
        raise DomainError(Code.BAD_STATE, detail="this preview's address is broken") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise DomainError(Code.BAD_STATE, detail="this preview's address is broken")
    return data


def preview(instrument: Instrument, mode: str, locale: str, state: str) -> service.Loaded:
    """An interview held only in memory (never stored): the instrument as ``mode`` asks
    it, with the entries the preview's address carries replayed."""
    asked = "private" if mode == "private" else "worker"
    session = Interview(service.for_mode([instrument], asked), today=dt.date.today())
    replayed = iv.State()
    seen: set[str] = set()
    for entry in decode_state(state):
        try:
            replayed = service.apply_entry(session, replayed, entry)
        except (AnswerError, InterviewError, KeyError, TypeError, ValueError):
            raise DomainError(Code.BAD_STATE, detail="this preview's address is broken") from None
        if entry.get("kind") == "help-seen":
            seen.update(str(f) for f in entry.get("flags", ()))
    return service.Loaded(
        key=b"",
        id="preview",
        mode="private" if mode == "private" else "worker",
        locale=locale,
        org_id=None,
        status="open",
        session=session,
        state=replayed,
        consent=None,
        help_seen=frozenset(seen),
    )


def add_entry(loaded: service.Loaded, state: str, entry: Mapping[str, Any]) -> str:
    """The preview's next state with one more entry (checked against the instrument)."""
    try:
        service.apply_entry(loaded.session, loaded.state, entry)
    except (AnswerError, InterviewError) as exc:
        raise DomainError(Code.BAD_ANSWER, detail=str(exc)) from None
    return encode_state([*decode_state(state), dict(entry)])


# ---------------------------------------------------------------- reviewers' feedback


@dataclass(frozen=True)
class Reviewer:
    accepted: bool
    name: str | None  # None: anonymous to the team
    role: str | None = None  # a ROLES code; None: not said


def reviewer(engine: Engine, master: MasterKey, user: accounts.User) -> Reviewer:
    with storage.transaction(engine) as conn:
        accepted, name = studiostore.reviewer_choice(conn, master, user.id)
        role = studiostore.reviewer_roles_of(conn, master, {user.id}).get(user.id)
    return Reviewer(accepted, name, role)


def choose_name(
    engine: Engine,
    master: MasterKey,
    user: accounts.User,
    name: str | None,
    role: str | None = None,
) -> None:
    """The reviewer read the first screen; shown to the team by ``name`` or anonymously,
    and counted in review rounds by ``role`` (a ROLES code) if they gave one."""
    name = (name or "").strip() or None
    if name is not None and (len(name) > MAX_NAME or not name.isprintable()):
        raise DomainError(Code.BAD_FEEDBACK, detail=f"a name is 1 to {MAX_NAME} characters")
    if role is not None and role not in ROLES:
        raise DomainError(Code.BAD_FEEDBACK, detail="that role is not one of ours")
    with storage.transaction(engine) as conn:
        studiostore.set_reviewer_choice(conn, master, user.id, name)
        studiostore.set_reviewer_role(conn, master, user.id, role)


def fields_of(instrument: Instrument) -> dict[str, str]:
    """What feedback may be about: 'item:<id>', 'section:<id>', 'result:<id>' (a flag,
    need, strength or score band's words), each with its text shown to people."""
    out: dict[str, str] = {}
    for section in instrument.sections:
        out[f"section:{section.id}"] = section.title
        for item in section.items:
            out[f"item:{item.id}"] = item.text
    for flag in instrument.flags:
        out[f"result:{flag.id}"] = flag.person or flag.label
    for need in instrument.needs:
        out[f"result:{need.id}"] = need.person or need.label
    for strength in instrument.strengths:
        out[f"result:{strength.id}"] = strength.person or strength.label
    for score in instrument.scores:
        for band in score.bands:
            out[f"result:{score.id}.{band.id}"] = band.person or band.label
    return out


@dataclass(frozen=True)
class FeedbackIn:
    field: str
    language: str
    choices: tuple[str, ...]
    text: str = ""
    suggestion: str = ""


def give_feedback(
    engine: Engine,
    master: MasterKey,
    user: accounts.User,
    drafted: Draft,
    given: FeedbackIn,
    retention_days: int,
) -> str:
    if not may_review(user):
        raise DomainError(Code.FORBIDDEN)
    if given.field not in fields_of(drafted.instrument):
        raise DomainError(Code.BAD_FEEDBACK, detail="that part is not in this instrument")
    if any(c not in CHOICES for c in given.choices) or len(set(given.choices)) != len(
        given.choices
    ):
        raise DomainError(Code.BAD_FEEDBACK, detail="that choice is not one of ours")
    text, suggestion = given.text.strip(), given.suggestion.strip()
    if not (given.choices or text or suggestion):
        raise DomainError(Code.BAD_FEEDBACK, detail="choose at least one answer or write something")
    if len(text) > MAX_TEXT or len(suggestion) > MAX_TEXT:
        raise DomainError(Code.BAD_FEEDBACK, detail=f"at most {MAX_TEXT} characters")
    with storage.transaction(engine) as conn:
        studiostore.purge_feedback(conn, storage.now() - dt.timedelta(days=retention_days))
        community = _community_org(conn)
        org_id = None if user.org_id == community else user.org_id
        return studiostore.add_feedback(
            conn,
            master,
            reviewer_id=user.id,
            org_id=org_id,
            instrument_id=drafted.instrument.id,
            version=drafted.instrument.version,
            language=given.language,
            field=given.field,
            choices=given.choices,
            text=text,
            suggestion=suggestion,
        )


def own_feedback(
    engine: Engine, master: MasterKey, user: accounts.User, instrument_id: str | None = None
) -> list[Feedback]:
    with storage.transaction(engine) as conn:
        return studiostore.list_feedback(
            conn, master, reviewer_id=user.id, instrument_id=instrument_id
        )


def delete_own(engine: Engine, user: accounts.User, feedback_id: str) -> None:
    with storage.transaction(engine) as conn:
        if not studiostore.delete_feedback(conn, feedback_id, user.id):
            raise DomainError(Code.NOT_FOUND, what="feedback")


def team_feedback(
    engine: Engine, master: MasterKey, user: accounts.User, instrument_id: str | None = None
) -> list[Feedback]:
    """What the team reads: its organisation's reviewers' feedback and community
    reviewers' (who belong to no organisation). Anyone else: FORBIDDEN."""
    if not is_team(user):
        raise DomainError(Code.FORBIDDEN)
    with storage.transaction(engine) as conn:
        return studiostore.list_feedback(
            conn,
            master,
            instrument_id=instrument_id,
            team_org=user.org_id,
        )


def set_status(
    engine: Engine,
    master: MasterKey,
    user: accounts.User,
    feedback_id: str,
    *,
    status: str,
    version: str = "",
    reason: str = "",
) -> None:
    if not is_team(user):
        raise DomainError(Code.FORBIDDEN)
    version, reason = version.strip(), reason.strip()
    if status not in STATUSES:
        raise DomainError(Code.BAD_FEEDBACK, detail="status is open, changed or kept")
    if status == "changed" and not (0 < len(version) <= 40 and version.isprintable()):
        raise DomainError(Code.BAD_FEEDBACK, detail="say in which version it changed")
    if status == "kept" and not reason:
        raise DomainError(Code.BAD_FEEDBACK, detail="say why it was kept: the reviewer reads it")
    if len(reason) > MAX_TEXT:
        raise DomainError(Code.BAD_FEEDBACK, detail=f"at most {MAX_TEXT} characters")
    with storage.transaction(engine) as conn:
        row = studiostore.feedback_row(conn, feedback_id)
        community = _community_org(conn)
        if row is None or row.org_id not in (user.org_id, None, community):
            raise DomainError(Code.NOT_FOUND, what="feedback")
        studiostore.set_status(
            conn,
            master,
            feedback_id,
            status=status,
            version=version if status == "changed" else None,
            reason=reason if status == "kept" else "",
        )


@dataclass(frozen=True)
class Tally:
    """The team's view of one part of an instrument."""

    field: str
    counts: Mapping[str, int]
    entries: tuple[Feedback, ...]


def tally(found: Iterable[Feedback]) -> list[Tally]:
    by_field: dict[str, list[Feedback]] = {}
    for f in found:
        by_field.setdefault(f.field, []).append(f)
    out = []
    for name, entries in by_field.items():
        counts = {c: sum(c in e.choices for e in entries) for c in CHOICES}
        out.append(Tally(name, {c: n for c, n in counts.items() if n}, tuple(entries)))
    return out


def feedback_json(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.id,
        "instrument": f.instrument_id,
        "version": f.version,
        "language": f.language,
        "field": f.field,
        "choices": list(f.choices),
        "text": f.text,
        "suggestion": f.suggestion,
        "reviewer": f.reviewer,
        "status": f.status,
        "status_version": f.status_version,
        "reason": f.reason or None,
        "created_at": f.created_at.isoformat(),
    }


def export_all(conn: Connection, master: MasterKey) -> list[dict[str, Any]]:
    """Every feedback of this deployment, for the team's own records (CLI)."""
    return [feedback_json(f) for f in studiostore.list_feedback(conn, master)]


# ---------------------------------------------------------------- review rounds


@dataclass(frozen=True)
class ReviewRound:
    """A review round of one instrument version, computed from the stored feedback:
    what ``screening reviews sign`` takes (:func:`round_yaml`)."""

    instrument: str
    version: str
    start: dt.date | None  # None: no feedback on this version yet
    end: dt.date | None
    reviewers: Mapping[str, int]  # self-described role (English words) -> how many
    feedback: int
    resolved: int


def review_round(
    engine: Engine,
    master: MasterKey,
    user: accounts.User,
    drafted: Draft,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> ReviewRound:
    """The round of ``drafted``'s current version the team reads: its feedback given
    from ``start`` to ``end`` (both days included; default: the first and last day
    feedback was given), each reviewer counted once, by the role they gave."""
    if start is not None and end is not None and end < start:
        raise DomainError(Code.BAD_FEEDBACK, detail="the round cannot end before it starts")
    ins = drafted.instrument
    found = [f for f in team_feedback(engine, master, user, ins.id) if f.version == ins.version]
    days = [f.created_at.date() for f in found]
    start = start or (min(days) if days else None)
    end = end or (max(days) if days else None)
    if start is not None and end is not None:
        found = [f for f in found if start <= f.created_at.date() <= end]
    with storage.transaction(engine) as conn:
        roles = studiostore.reviewer_roles_of(conn, master, {f.reviewer_id for f in found})
    counted: dict[str, int] = {}
    for reviewer_id in sorted({f.reviewer_id for f in found}):
        role = ROLES.get(roles.get(reviewer_id, ""), NO_ROLE)
        counted[role] = counted.get(role, 0) + 1
    resolved = sum(f.status != "open" for f in found)
    return ReviewRound(ins.id, ins.version, start, end, counted, len(found), resolved)


def round_yaml(found: ReviewRound) -> str:
    """The round file ``screening reviews sign`` takes, checked by its own parser;
    BAD_FEEDBACK when the round has no feedback to sign."""
    if found.start is None or found.end is None or not found.reviewers:
        raise DomainError(Code.BAD_FEEDBACK, detail="no feedback on this version in those dates")
    data = {
        "instrument": found.instrument,
        "version": found.version,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "reviewers": dict(found.reviewers),
        "feedback": found.feedback,
        "resolved": found.resolved,
    }
    try:
        reviews.parse_round(data)  # the same check `reviews sign` makes
    except reviews.ReviewError as exc:
        raise DomainError(Code.BAD_FEEDBACK, detail=str(exc)) from None
    head = "# A review round from the co-design studio: sign it with\n"
    head += "#   screening reviews sign THIS_FILE\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- what changed


def compare(old: Draft, new: Draft) -> list[Change]:
    """What ``screening diff`` says changed from ``old`` to ``new`` (bundled or uploaded;
    both were validated when they were read or kept)."""
    before, after = yamlmarks.load(old.source).data, yamlmarks.load(new.source).data
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    return diff(before, after)


_MARKS = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)


def marked_parts(detail: str) -> list[tuple[str, str]]:
    """A change's words split at diff's marks: ("", words kept), ("del", words taken
    out) and ("ins", words put in), for the studio to mark up."""
    out: list[tuple[str, str]] = []
    at = 0
    for m in _MARKS.finditer(detail):
        if m.start() > at:
            out.append(("", detail[at : m.start()]))
        out.append(("del", m.group(1)) if m.group(1) is not None else ("ins", m.group(2)))
        at = m.end()
    if at < len(detail):
        out.append(("", detail[at:]))
    return out
