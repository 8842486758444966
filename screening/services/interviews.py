"""Interviews over storage: start, answer, replay, score. No Flask here.

The web layer (HTML and JSON) calls these functions; they pin instrument versions,
seal every entry under the interview's data key, and rebuild state by replaying the
append-only log through the pure engine, so the stored log and the live interview can
never disagree. Beside the log, a sealed snapshot of the replayed state is written with
each entry (:func:`record_in`), so a step replays only the entries after it; without a
usable snapshot the whole log is replayed (:func:`load`, :func:`snapshot_matches`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screening.core import interview as iv
from screening.core.answers import AnswerError, answer_to_json
from screening.core.model import Instrument
from screening.core.route import Interview, InterviewError, Walk, section_key
from screening.core.text import readable
from screening.crypto.seal import CryptoError, MasterKey, new_key, seal, unseal
from screening.errors import Code, DomainError, InstrumentError
from screening.load.catalog import instruments_dir
from screening.load.loader import load_bytes
from screening.load.reviews import reviews_folder
from screening.store import db as storage

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Connection, Engine

MODES = ("worker", "private")
# The audiences an interview of each mode asks for (an item's own ``audiences``, issue
# 13): a worker-led interview, with or without an interpreter, or a private check-in.
MODE_AUDIENCES = {
    "worker": frozenset({"worker", "interpreter"}),
    "private": frozenset({"private"}),
}


# The first entry of a worker's copy of a shared private check-in (sharing.redeem).
SHARED_FROM_PRIVATE = "shared-from-private"


def for_mode(instruments: Sequence[Instrument], mode: str) -> list[Instrument]:
    """The instruments as an interview of this mode asks them: without the items meant
    for other audiences (in a private check-in, never one asked only with a worker)."""
    audiences = MODE_AUDIENCES.get(mode, MODE_AUDIENCES["private"])
    return [instrument.for_audiences(audiences) for instrument in instruments]


MAX_INTERPRETATION = 4000
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """An interview as stored: its row, its pinned instruments and replayed state."""

    key: bytes
    id: str
    mode: str
    locale: str
    org_id: int | None
    status: str
    session: Interview
    state: iv.State
    consent: Mapping[str, Any] | None = None  # the latest consent entry, if any
    help_seen: frozenset[str] = frozenset()  # urgent flags whose help screen a page showed
    # Interpreter mode: a free-text answer's interpretation in the worker's language,
    # kept beside the words as said (the answer itself); the latest per item.
    interpretations: Mapping[str, str] = field(default_factory=dict)
    entry_id: int = 0  # the last entry of the log this state includes (0: none)
    asked_as: str = ""  # the mode whose questions it asks (a shared check-in: private)


@lru_cache(maxsize=64)
def _instrument_from(
    source: bytes, name: str, stored: bool = False, reviews: Path | None = None
) -> Instrument:
    return load_bytes(source, name, stored=stored, reviews=reviews)


def instrument_from(source: bytes, name: str) -> Instrument:
    """An instrument from its exact stored text (parsed once per text, then cached).
    Checks added after the text was pinned only warn (``loader.STORED_RELAXED``)."""
    return _instrument_from(source, name, True)


def bundled_source(instrument_id: str, folder: Path | None = None) -> tuple[Instrument, bytes]:
    folder = folder or instruments_dir()
    if not instrument_id or not all(c.isalnum() or c in "-_" for c in instrument_id):
        raise DomainError(Code.UNKNOWN_INSTRUMENT)
    path = folder / f"{instrument_id}.yaml"
    try:
        source = path.read_bytes()
    except OSError:
        raise DomainError(Code.UNKNOWN_INSTRUMENT) from None
    try:
        # a file claiming a review that no signed record backs is refused (not offered)
        return _instrument_from(source, path.name, False, reviews_folder(folder)), source
    except InstrumentError:
        raise DomainError(Code.INVALID_INSTRUMENT) from None


def _context(interview_id: str) -> bytes:
    return b"screening/entry/" + interview_id.encode()


def _key(row: Any, master: MasterKey, personal_key: bytes | None) -> bytes:
    if row.wrapped_key is None:
        if personal_key is None:
            raise DomainError(Code.NOT_FOUND)
        return personal_key
    try:
        return master.unwrap(bytes(row.wrapped_key), row.id)
    except CryptoError:
        raise DomainError(Code.KEY) from None


def start(
    engine: Engine,
    master: MasterKey,
    *,
    instrument_ids: Sequence[str],
    mode: str,
    locale: str,
    org_id: int | None,
    user_id: int | None,
    folder: Path | None = None,
    data_key: bytes | None = None,
    client_id: tuple[str, str] | None = None,
) -> tuple[str, bytes | None, dict[str, Any]]:
    """Create an interview. Returns its id, the personal key of a private one (to keep
    in the person's session only) and its first step. A private one's ``data_key`` may
    be given (derived from two halves, :mod:`screening.crypto.halves`). ``client_id``:
    the id a device made and the hash of its start request (:mod:`.offline`)."""
    if mode not in MODES:
        raise DomainError(Code.BAD_MODE)
    if not instrument_ids or len(instrument_ids) > 10:
        raise DomainError(Code.BAD_INSTRUMENT)
    loaded = [bundled_source(i, folder) for i in instrument_ids]
    try:
        session = Interview(for_mode([ins for ins, _ in loaded], mode))
    except InterviewError as exc:
        raise DomainError(Code(exc.code), detail=exc.message) from None
    if mode == "private" and any("private" not in ins.audiences for ins, _ in loaded):
        raise DomainError(Code.NOT_PRIVATE)
    interview_id = client_id[0] if client_id else secrets.token_urlsafe(18)
    data_key = data_key if data_key is not None and mode == "private" else new_key()
    wrapped = master.wrap(data_key, interview_id) if mode == "worker" else None
    with storage.transaction(engine) as conn:
        pinned = [storage.pin_instrument(conn, ins.id, ins.version, src) for ins, src in loaded]
        row: dict[str, Any] = {"interview_id": interview_id, "mode": mode, "locale": locale}
        row |= {"org_id": org_id, "user_id": user_id, "wrapped_key": wrapped, "pinned": pinned}
        if client_id is None:
            storage.create_interview(conn, **row)
        else:
            try:
                storage.create_client_interview(conn, request_sha256=client_id[1], **row)
            except storage.Conflict:
                raise DomainError(Code.ID_TAKEN) from None
    step = step_json(session, iv.State())
    return interview_id, (data_key if mode == "private" else None), step


# The format of a sealed snapshot (store: interview_snapshots). A release that changes
# what replaying an entry does, or what a snapshot holds, raises it: every snapshot of
# another version is then rebuilt from its log when next read.
SNAPSHOT_VERSION = 1


def _snapshot_context(interview_id: str) -> bytes:
    return b"screening/snapshot/" + interview_id.encode()


def load(
    conn: Connection,
    master: MasterKey,
    interview_id: str,
    personal_key: bytes | None = None,
    *,
    lock: bool = False,
) -> Loaded:
    """The interview as stored: its sealed snapshot and the entries after it (a step
    reads one row and the entries since, not the whole log), or, without a usable
    snapshot, the whole log replayed."""
    row = storage.interview_row(conn, interview_id, lock=lock)
    if row is None:
        raise DomainError(Code.NOT_FOUND)
    key = _key(row, master, personal_key)
    sources = storage.pinned_sources(conn, interview_id)
    base = _from_snapshot(row, key, sources, storage.read_snapshot(conn, interview_id))
    opened = _opened(
        row, key, storage.log_entries(conn, interview_id, base.entry_id if base else 0)
    )
    if base is not None and base.asked_as != "private" and _shared(opened):
        base = None  # a copy of a shared check-in asks another set of questions: replay
        opened = _opened(row, key, storage.log_entries(conn, interview_id))
    return _replayed(row, key, sources, opened, base)


def replay(
    conn: Connection, master: MasterKey, interview_id: str, personal_key: bytes | None = None
) -> Loaded:
    """The interview rebuilt from its whole log, its snapshot unread (to check one)."""
    row = storage.interview_row(conn, interview_id)
    if row is None:
        raise DomainError(Code.NOT_FOUND)
    key = _key(row, master, personal_key)
    sources = storage.pinned_sources(conn, interview_id)
    return _replayed(
        row, key, sources, _opened(row, key, storage.log_entries(conn, interview_id)), None
    )


def snapshot_matches(
    conn: Connection, master: MasterKey, interview_id: str, personal_key: bytes | None = None
) -> bool:
    """Whether the interview as its snapshot (and the entries after it) has it equals the
    interview rebuilt from the whole log."""
    return _comparable(load(conn, master, interview_id, personal_key)) == _comparable(
        replay(conn, master, interview_id, personal_key)
    )


def _comparable(loaded: Loaded) -> tuple[Any, ...]:
    return (
        loaded.id,
        loaded.mode,
        loaded.status,
        loaded.state,
        dict(loaded.consent) if loaded.consent is not None else None,
        loaded.help_seen,
        dict(loaded.interpretations),
        loaded.entry_id,
        loaded.asked_as,
    )


def _shared(opened: Sequence[tuple[storage.Entry, Mapping[str, Any]]]) -> bool:
    return any(d.get("kind") == SHARED_FROM_PRIVATE for _, d in opened)


def _opened(
    row: Any, key: bytes, entries: Sequence[storage.Entry]
) -> list[tuple[storage.Entry, Mapping[str, Any]]]:
    opened = []
    for entry in entries:
        try:
            opened.append(
                (entry, readable(json.loads(unseal(key, entry.payload, _context(row.id)))))
            )
        except CryptoError:
            if row.wrapped_key is None:  # a private check-in asked with a key not its own
                raise DomainError(Code.NOT_FOUND) from None
            raise DomainError(Code.KEY, what="entries") from None
    return opened


def _session(row: Any, sources: Sequence[bytes], asked_as: str) -> Interview:
    return _session_of(tuple(sources), asked_as, row.created_at.date())


@lru_cache(maxsize=64)  # as many as _instrument_from keeps
def _session_of(sources: tuple[bytes, ...], asked_as: str, today: dt.date) -> Interview:
    """The interview's instruments as asked, built once per pinned texts, mode and day
    (an Interview is never changed once made): a step no longer pays for building it."""
    return Interview(
        for_mode(
            [_instrument_from(src, f"pinned-{n}", True) for n, src in enumerate(sources)],
            asked_as,
        ),
        today=today,  # derived values count from the day it began
    )


def _from_snapshot(
    row: Any, key: bytes, sources: Sequence[bytes], snapshot: storage.Snapshot | None
) -> Loaded | None:
    """The interview as its snapshot holds it; None when there is none or it cannot be
    used (another format version, unreadable, or not fitting the instruments): the log
    is replayed instead."""
    if snapshot is None or snapshot.version != SNAPSHOT_VERSION:
        return None
    try:
        data = readable(json.loads(unseal(key, snapshot.payload, _snapshot_context(row.id))))
        asked_as = str(data["asked_as"])
        session = _session(row, sources, asked_as)
        state = iv.state_from_json(session, data["state"])
        consent = data["consent"]
        return Loaded(
            key,
            row.id,
            row.mode,
            row.locale,
            row.org_id,
            row.status,
            session,
            state,
            readable(consent) if consent is not None else None,
            frozenset(str(f) for f in data["help_seen"]),
            {str(k): str(v) for k, v in data["interpretations"].items()},
            entry_id=snapshot.entry_id,
            asked_as=asked_as,
        )
    except (CryptoError, ValueError, KeyError, TypeError, AttributeError, InterviewError):
        # AnswerError is a ValueError. Never trusted past this point: the log decides.
        log.warning("interview %s: its snapshot is not usable; replaying its log", row.id)
        return None


def _replayed(
    row: Any,
    key: bytes,
    sources: Sequence[bytes],
    opened: Sequence[tuple[storage.Entry, Mapping[str, Any]]],
    base: Loaded | None,
) -> Loaded:
    """``base`` (or a new interview) with the opened entries applied in order."""
    if base is None:
        # A private check-in shared with a worker keeps the questions it was asked (issue
        # 13: never one meant only for a worker-led interview, which the person was never
        # asked).
        asked_as = "private" if _shared(opened) else row.mode
        base = Loaded(
            key,
            row.id,
            row.mode,
            row.locale,
            row.org_id,
            row.status,
            _session(row, sources, asked_as),
            iv.State(),
            asked_as=asked_as,
        )
    current = base
    for entry, data in opened:
        current = _advance(current, entry.id, data)
    return current


def _advance(current: Loaded, entry_id: int, data: Mapping[str, Any]) -> Loaded:
    """One entry of the log applied, as replaying does it: an entry that no longer
    applies is passed over (checked when written; never brick a log)."""
    state = current.state
    try:
        state = _apply(current.session, state, data)
    except (AnswerError, InterviewError):
        log.error("interview %s: entry %s no longer applies; passed over", current.id, entry_id)
    return _noted(current, entry_id, data, state)


def _noted(current: Loaded, entry_id: int, data: Mapping[str, Any], state: iv.State) -> Loaded:
    kind = data.get("kind")
    changes: dict[str, Any] = {"state": state, "entry_id": entry_id}
    if kind == "consent":
        changes["consent"] = data
    elif kind == "help-seen":
        changes["help_seen"] = current.help_seen | frozenset(data.get("flags", ()))
    elif kind == "interpretation":
        changes["interpretations"] = {
            **current.interpretations,
            str(data.get("item")): str(data.get("text", "")),
        }
    return replace(current, **changes)


def _write_snapshot(conn: Connection, loaded: Loaded) -> None:
    data = {
        "asked_as": loaded.asked_as,
        "state": iv.state_to_json(loaded.state),
        "consent": dict(loaded.consent) if loaded.consent is not None else None,
        "help_seen": sorted(loaded.help_seen),
        "interpretations": dict(loaded.interpretations),
    }
    payload = seal(loaded.key, json.dumps(data).encode(), _snapshot_context(loaded.id))
    storage.write_snapshot(conn, loaded.id, SNAPSHOT_VERSION, loaded.entry_id, payload)


def _apply(session: Interview, state: iv.State, entry: Mapping[str, Any]) -> iv.State:
    return _apply_walked(session, state, entry)[0]


def _apply_walked(
    session: Interview, state: iv.State, entry: Mapping[str, Any]
) -> tuple[iv.State, Walk | None]:
    """:func:`_apply`, with the new state's route when it was walked on the way (an
    answer: the step that follows reads it instead of walking it again)."""
    kind = entry["kind"]
    if kind == "answer":
        value = {"declined": True} if entry.get("declined") else entry["value"]
        state, walked = iv.answer_walked(session, state, entry["item"], value)
        kept = iv.set_aside(session, state, walked)
        return kept, walked if kept is state else None
    return _apply_other(session, state, entry), None


def _apply_other(session: Interview, state: iv.State, entry: Mapping[str, Any]) -> iv.State:
    kind = entry["kind"]
    if kind == "section":
        return iv.choose_section(state, entry["section"], enter=entry["choice"] == "enter")
    if kind in ("help-shown", "help-seen"):
        return iv.acknowledge(state, tuple(entry["flags"]))
    if kind == "education-seen":
        return iv.see(session, state, str(entry["screen"]))
    if kind == "note-seen":  # a note screen was passed: no answer, only that it was seen
        return iv.see_note(session, state, str(entry["item"]))
    if kind == "consent":
        _check_consent(entry)
        return state
    if kind == "interpretation":
        text = entry.get("text")
        if not isinstance(text, str) or len(text) > MAX_INTERPRETATION:
            raise InterviewError("bad-interpretation", "an interpretation is text")
        session.item(str(entry.get("item")))  # an item of this interview, or an error
        return state  # consent is kept in the log; it changes no answer or route
    return state


def apply_entry(session: Interview, state: iv.State, entry: Mapping[str, Any]) -> iv.State:
    """One stored entry applied to the state, as replaying the log does (AnswerError or
    InterviewError when it does not fit)."""
    return _apply(session, state, entry)


_HELP_PREFIX = "help:"  # the key of the help-shown entry that follows an urgent answer


@contextmanager
def step_transaction(engine: Engine) -> Iterator[Connection]:
    """The one transaction of an answer step (the session, the audit row, the entry and
    its snapshot): one durable commit (store: ``request_transaction``)."""
    with storage.request_transaction(engine) as conn:
        yield conn


@dataclass(frozen=True)
class Recorded:
    """What recording an entry gives back: the next step (as the API answers it) and
    the interview as it now stands, to render from without loading it again."""

    step: dict[str, Any]
    loaded: Loaded


def record(
    engine: Engine,
    master: MasterKey,
    interview_id: str,
    entry: dict[str, Any],
    idem_key: str,
    personal_key: bytes | None = None,
    *,
    help_shown: bool = True,
) -> dict[str, Any]:
    """Check an entry against the interview, store it durably, return the next step
    (:func:`record_in` in a transaction of its own)."""
    with storage.transaction(engine) as conn:
        return record_in(
            conn, master, interview_id, entry, idem_key, personal_key, help_shown=help_shown
        ).step


def record_in(
    conn: Connection,
    master: MasterKey,
    interview_id: str,
    entry: dict[str, Any],
    idem_key: str,
    personal_key: bytes | None = None,
    *,
    help_shown: bool = True,
) -> Recorded:
    """Check an entry against the interview and store it in the caller's transaction,
    with the interview's new snapshot; the next step and the new state come back.

    A retry with the same key returns the first response and stores nothing; the same
    key with another entry is a 409. The entry and the step it produced are committed
    together, before the caller answers. With ``help_shown`` (the API, whose response
    carries the urgent flags) the help is recorded as shown; pages show it on a screen of
    its own and record it when the person goes on (``help_seen_entry``)."""
    if not isinstance(idem_key, str) or not 8 <= len(idem_key) <= 100:
        raise DomainError(Code.BAD_KEY)
    if idem_key.startswith(_HELP_PREFIX):
        raise DomainError(Code.BAD_KEY, detail=f"keys starting with {_HELP_PREFIX!r} are reserved")
    body = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(body).hexdigest()
    current = load(conn, master, interview_id, personal_key, lock=True)
    key = current.key
    try:
        earlier = storage.find_entry(conn, interview_id, idem_key, digest)
    except storage.Conflict:
        raise DomainError(Code.CONFLICT) from None
    if earlier is not None and earlier.response is not None:
        first = readable(json.loads(unseal(key, earlier.response, _context(interview_id))))
        return Recorded(dict(first), current)
    # As the log will be read back (text that cannot be shown made readable), so the
    # snapshot written now is what replaying the log gives.
    stored = readable(json.loads(body))
    state, walked = _checked(current, stored)
    step = step_json(current.session, state, walked)
    status = "done" if step["done"] else "in_progress"
    context = _context(interview_id)
    entry_id = storage.append_entry(
        conn,
        interview_id,
        idem_key,
        digest,
        seal(key, body, context),
        seal(key, json.dumps(step).encode(), context),
        status,
    )
    after = replace(_noted(current, entry_id, stored, state), status=status)
    if help_shown and step.get("urgent"):
        shown_entry = {"kind": "help-shown", "flags": step["urgent"]}
        shown = json.dumps(shown_entry).encode()
        shown_id = storage.append_entry(
            conn,
            interview_id,
            _HELP_PREFIX + hashlib.sha256(idem_key.encode()).hexdigest(),
            hashlib.sha256(shown).hexdigest(),
            seal(key, shown, context),
            None,
            status,
        )
        after = _advance(after, shown_id, shown_entry)
    _write_snapshot(conn, after)
    return Recorded(step, after)


def section_keys(session: Interview) -> frozenset[str]:
    """Every section of the interview, as a section entry names it."""
    return frozenset(
        section_key(instrument, section)
        for instrument in session.instruments
        for section in instrument.sections
    )


def _checked(current: Loaded, entry: Mapping[str, Any]) -> tuple[iv.State, Walk | None]:
    if entry.get("kind") == "section":  # a section of this interview (old logs still replay)
        named = entry.get("section")
        if not isinstance(named, str) or named not in section_keys(current.session):
            raise DomainError(Code.UNKNOWN_SECTION)
    try:
        return _apply_walked(current.session, current.state, entry)
    except InterviewError as exc:  # the engine's own code (a Code: a test checks them all)
        raise DomainError(Code(exc.code), detail=exc.message) from None
    except AnswerError as exc:
        raise DomainError(Code.BAD_ANSWER, detail=exc.message) from None
    except (KeyError, TypeError) as exc:  # an entry missing a field, or of the wrong shape
        raise DomainError(Code.BAD_ANSWER, detail=str(exc)) from None


def answer_entry(body: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of an API answer body: {"item", "value"}, {"item", "declined"},
    or {"item", "seen": true} for a note screen (a note takes no answer)."""
    item = body.get("item")
    if not isinstance(item, str) or not item:
        raise DomainError(Code.BAD_ITEM)
    if "seen" in body:
        if body["seen"] is not True or "value" in body or "declined" in body:
            raise DomainError(
                Code.BAD_ANSWER, detail='a note is passed with "seen": true and nothing else'
            )
        return note_seen_entry(item)
    if body.get("declined") is True:
        if "value" in body and body["value"] is not None:
            raise DomainError(Code.BAD_ANSWER, detail="a declined answer has no value")
        return {"kind": "answer", "item": item, "declined": True}
    if "value" not in body:
        raise DomainError(Code.BAD_ANSWER)
    return {"kind": "answer", "item": item, "value": body["value"]}


MAX_SERVICE_NAME = 200


def consent_entry(
    *, store: bool, share: bool, service: str | None, statistics: bool
) -> dict[str, Any]:
    """The stored form of the person's consent: three separate choices. ``service`` is
    the service they agree to share with (kept only when ``share`` is true)."""
    name = (service or "").strip() if share else ""
    entry = {
        "kind": "consent",
        "store": store,
        "share": share,
        "service": name or None,
        "statistics": statistics,
    }
    _check_consent(entry)
    return entry


def _check_consent(entry: Mapping[str, Any]) -> None:
    for choice in ("store", "share", "statistics"):
        if not isinstance(entry.get(choice), bool):
            raise InterviewError("bad-consent", f"consent needs {choice!r}: true or false")
    name = entry.get("service")
    if name is not None and (
        not isinstance(name, str)
        or not name
        or len(name) > MAX_SERVICE_NAME
        or not name.isprintable()
    ):
        raise InterviewError(
            "bad-consent", f"a service name is 1 to {MAX_SERVICE_NAME} printable characters"
        )
    if not entry["store"]:
        raise InterviewError("bad-consent", "without consent to store, nothing is kept")


def help_seen_entry(flags: Sequence[str]) -> dict[str, Any]:
    """A page showed the help screen for these urgent flags and the person went on."""
    return {"kind": "help-seen", "flags": list(flags)}


def education_seen_entry(screen: str) -> dict[str, Any]:
    """A page showed this education screen (its ``education_key``) and the person went on."""
    return {"kind": "education-seen", "screen": screen}


def note_seen_entry(note_id: str) -> dict[str, Any]:
    """A note screen was shown and the person went on (a note has no answer value)."""
    return {"kind": "note-seen", "item": note_id}


def discard(engine: Engine, interview_id: str) -> None:
    """Delete an interview and everything stored for it (consent to store withdrawn)."""
    with storage.transaction(engine) as conn:
        storage.delete_interview(conn, interview_id)


def end_private(engine: Engine, interview_id: str) -> None:
    """A private check-in ends (quick exit, finish, sign-out): its rows go at once."""
    with storage.transaction(engine) as conn:
        row = storage.interview_row(conn, interview_id)
        if row is not None and row.mode == "private":
            storage.delete_interview(conn, interview_id)


def sweep_private(engine: Engine, idle: dt.timedelta) -> int:
    """Delete private check-ins left idle longer than ``idle``; how many went."""
    with storage.transaction(engine) as conn:
        return storage.sweep_private(conn, storage.now() - idle)


@dataclass(frozen=True)
class Open:
    """An interview as a worker's list shows it (open or finished): no answers, no names."""

    id: str
    created_at: Any
    updated_at: Any
    titles: tuple[str, ...]
    started: bool  # anything recorded yet (consent first)
    finished: bool = False
    locale: str = "en"

    @property
    def reference(self) -> str:
        return reference(self.id)


#: Crockford's base 32: no I, L, O or U, so a reference read aloud is not misheard.
_SAYABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference(interview_id: str) -> str:
    """A short reference a worker can say aloud ("K7-M3P"), derived from the id: five
    letters and digits, one in 33 million, enough to tell apart the interviews one
    list shows (the id itself stays in the address)."""
    number = int.from_bytes(hashlib.sha256(interview_id.encode()).digest()[:4], "big")
    chars = "".join(_SAYABLE[(number >> (5 * n)) & 31] for n in range(5))
    return f"{chars[:2]}-{chars[2:]}"


_titles: dict[str, str] = {}


def open_interviews(conn: Connection, org_id: int, limit: int = 100) -> list[Open]:
    out = []
    rows = storage.open_interviews(conn, org_id, limit)
    pins = storage.pinned_digests(conn, [r.id for r in rows])
    for row in rows:
        titles = []
        for digest in pins.get(row.id, []):
            if digest not in _titles:
                source = storage.instrument_source(conn, digest)
                _titles[digest] = _instrument_from(source, "pinned", True).title
            titles.append(_titles[digest])
        out.append(
            Open(
                row.id,
                row.created_at,
                row.updated_at,
                tuple(titles),
                row.entries > 0,
                finished=row.status == "done",
                locale=row.locale,
            )
        )
    return out


def instruments_for(audience: str, folder: Path | None = None) -> list[Instrument]:
    """The bundled instruments meant for an audience, in file-name order."""
    folder = folder or instruments_dir()
    found = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            instrument, _ = bundled_source(path.stem, folder)
        except DomainError:  # an invalid file is left out; `screening validate` says why
            log.error("%s is not a valid instrument; it is not offered", path.name)
            continue
        if audience in instrument.audiences:
            found.append(instrument)
    return found


def step_json(session: Interview, state: iv.State, walked: Walk | None = None) -> dict[str, Any]:
    """The next step as the API answers it (``walked``: the state's route, if known)."""
    step = iv.next_step(session, state, walked)
    not_asked = not_asked_json(step)
    education = (
        {}
        if step.education is None
        else {
            "education": {
                "screen": step.education_key,
                "title": step.education.title,
                "text": step.education.text,
            }
        }
    )
    progress = {"answered": step.progress.answered, "remaining": step.progress.remaining}
    if step.note is not None:  # a note screen: passed with {"item", "seen": true}
        note = step.note
        return {
            "done": False,
            "screen": step.screen,
            **education,
            "item": {"id": note.id, "type": "note", "text": note.text, "why": note.why},
            "progress": progress,  # questions only: a note is never counted
            "urgent": list(step.urgent),
            "section": None
            if step.instrument is None or step.section is None
            else section_key(step.instrument, step.section),
            "not_asked": not_asked,
        }
    if step.done or step.item is None:
        out: dict[str, Any] = {"done": True, "screen": step.screen, **education}
        if step.urgent:
            out["urgent"] = list(step.urgent)
        if not_asked:
            out["not_asked"] = not_asked
        return out
    item = step.item
    return {
        "done": False,
        "screen": step.screen,
        **education,
        "item": {
            "id": item.id,
            "type": item.type,
            "text": item.text,
            "why": item.why,
            "options": [{"value": o.value, "label": o.label} for o in item.options],
            "skippable": item.skippable,
        },
        "notes": [n.text for n in step.notes],
        "progress": progress,
        "content_warning": step.content_warning,
        "urgent": list(step.urgent),
        "section": step.section_key,
        "not_asked": not_asked,
    }


def not_asked_json(step: iv.Step) -> list[dict[str, Any]]:
    """Items on the route that are not asked (ask once): reused or derived, and from what."""
    return [
        {"item": v.item.id, "status": v.kind.value, "from": v.reused_from}
        for v in step.answered_elsewhere
    ]


def answers_json(state: iv.State) -> dict[str, Any]:
    return {k: answer_to_json(v) for k, v in state.answers.items()}
