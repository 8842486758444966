"""Storage: SQLAlchemy Core tables and queries. SQLite (WAL) by default, PostgreSQL by URL.

An interview is an append-only log of entries (answers, section choices, acknowledged
help screens, consent). Nothing is updated in place: a changed answer is a new entry,
and the current state is the log replayed (a sealed snapshot of it, kept beside the
log in ``interview_snapshots``, spares replaying it all at every step). Every entry is
committed before the caller answers the request, carries the client's idempotency key
(a retry with the same key changes nothing and gets the first response back), and is
sealed under the interview's own data key: the database alone holds no readable answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DDL,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError, InternalError, OperationalError, SQLAlchemyError

from screening.crypto import keyfiles
from screening.errors import Code, DomainError

log = logging.getLogger(__name__)
# What a database says when it cannot be reached or refuses to write (read-only file or
# transaction, disk full, locked too long): the request may be tried again, nothing is lost.
REFUSED = (OperationalError, InternalError)

SCHEMA_VERSION = 1
metadata = MetaData()

schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)
organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("org_id", ForeignKey("organisations.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=True),
    Column("interview_id", String(40), nullable=True),  # a private session's one interview
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)
# ---- issue 16: a private check-in's server half of its data key (crypto/halves.py), kept
# only while its session lives: deleting the session row deletes it (ON DELETE CASCADE)
checkin_keys = Table(
    "checkin_keys",
    metadata,
    Column(
        "token_hash",
        ForeignKey("sessions.token_hash", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("half", LargeBinary, nullable=False),
)
instrument_versions = Table(
    "instrument_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("instrument_id", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source", LargeBinary, nullable=False),
    UniqueConstraint("sha256", name="uq_instrument_source"),
)
interviews = Table(
    "interviews",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("mode", String(20), nullable=False),
    Column("locale", String(20), nullable=False),
    Column("org_id", ForeignKey("organisations.id"), nullable=True),
    Column("created_by", ForeignKey("users.id"), nullable=True),
    Column("wrapped_key", LargeBinary, nullable=True),  # null: the key lives with the person
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
interview_instruments = Table(
    "interview_instruments",
    metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("instrument_version_id", ForeignKey("instrument_versions.id"), nullable=False),
)
entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    Column("idem_key", String(100), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: the entry itself
    Column("response", LargeBinary, nullable=True),  # sealed JSON: what the client was told
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("interview_id", "idem_key", name="uq_entry_key"),
)

# ---- issue 11: the interview's state as of one entry of its log, sealed under the
# interview's data key like the entries. The log stays the truth: a snapshot that is
# missing, of another format version or unreadable is rebuilt from the log, and one that
# is behind is brought forward with the entries after it. Written in the transaction that
# appends the entry, so a step reads one row and the entries since, not the whole log.
interview_snapshots = Table(
    "interview_snapshots",
    metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),  # the snapshot's format (services' SNAPSHOT)
    Column("entry_id", Integer, nullable=False),  # the last entry of the log it includes
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: the replayed state
)

# ---- accounts hardening, audit and retention (issue 6)
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", String(64), primary_key=True),  # SHA-256 of the lower-cased username
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("org_id", Integer, nullable=True),  # no foreign key: the log outlives purges
    Column("actor", String(100), nullable=True),  # a worker's username, or "cli"/"system"
    Column("action", String(40), nullable=False),
    Column("interview_ref", String(40), nullable=True),  # opaque: never an answer or name
)
retention = Table(
    "retention",
    metadata,
    Column("org_id", ForeignKey("organisations.id"), primary_key=True),
    Column("days", Integer, nullable=False),
)
shares = Table(  # a private check-in offered to a worker by a one-time code (sharing.py)
    "shares",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed: never readable without the key
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
share_origins = Table(  # which check-in made a share code: its quick exit cancels the code
    "share_origins",
    metadata,
    Column("code_hash", ForeignKey("shares.code_hash", ondelete="CASCADE"), primary_key=True),
    Column("interview_id", String(40), nullable=False, index=True),
)
# The audit log is append-only in the database itself, not only in our code.
for _kind in ("UPDATE", "DELETE"):
    event.listen(
        audit,
        "after_create",
        DDL(  # type: ignore[no-untyped-call]
            f"CREATE TRIGGER audit_no_{_kind.lower()} BEFORE {_kind} ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    audit,
    "after_create",
    DDL(  # type: ignore[no-untyped-call]
        "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$; "
        "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
    ).execute_if(dialect="postgresql"),
)
# ---- issue 5: the service directory (HSDS records, not personal data) and service plans
directory_records = Table(
    "directory_records",
    metadata,
    Column("entity", String(40), primary_key=True),  # HSDS entity name: service, phone, ...
    Column("id", String(300), primary_key=True),
    Column("data", LargeBinary, nullable=False),  # the flat HSDS record as UTF-8 JSON
)
directory_info = Table(
    "directory_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(300), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)
plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: the whole plan
    Column("author_role", String(20), nullable=False),  # worker | client (with the worker)
    Column("created_by", ForeignKey("users.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("interview_id", "version", name="uq_plan_version"),
)
# -- issue 4: the languages of an interview ------------------------------------------
# The current language is interviews.locale; this row adds the worker's second language
# (interpreter mode), whether an interpreter was present and who (sealed with the
# interview's data key), and every language the interview was shown in, in order.
interview_languages = Table(
    "interview_languages",
    metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("second_locale", String(20), nullable=True),
    Column("interpreter", Boolean, nullable=False),
    Column("interpreter_who", LargeBinary, nullable=True),
    Column("used", String(200), nullable=False),
)

# -- issue 21: what happened to each referral ------------------------------------------
# A referral of a plan is named by an opaque id (a keyed hash of its service id under the
# interview's data key). Each change of its status is a new row, never updated: sealed
# with the interview's data key (status, who made contact, the reason, the service and
# its need domain), dated and attributed in clear. ``open`` (whether it still needs a
# follow-up after this change) is in clear so the worker's home finds what is due
# without opening every interview.
referral_events = Table(
    "referral_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False),
    Column("referral_id", String(40), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, ... per referral
    Column("payload", LargeBinary, nullable=False),  # sealed JSON: the change itself
    Column("open", Boolean, nullable=False),
    Column("created_by", ForeignKey("users.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("interview_id", "referral_id", "number", name="uq_referral_event"),
)
follow_up = Table(  # an organisation's days between referral follow-ups (default 7)
    "follow_up",
    metadata,
    Column("org_id", ForeignKey("organisations.id"), primary_key=True),
    Column("days", Integer, nullable=False),
)


# -- issue 19: an interview started on a device with an id it made (offline start) ---------
# The sha256 of the start request (canonical JSON), so that a repeat of the same start
# is the same interview and another start with the id is refused. No personal data.
client_starts = Table(
    "client_starts",
    metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("org_id", ForeignKey("organisations.id"), nullable=True),
)

# -- issue 22: outcome tables as they were sent to a funder -----------------------------
# De-identified counts only (no answer, no free text, nothing per person): kept exactly
# as published so that a later purge or deletion never changes a period already given.
# No foreign key to anything: a published period outlives every interview it counted.
published_outcomes = Table(
    "published_outcomes",
    metadata,
    Column("period", String(10), primary_key=True),
    Column("body", LargeBinary, nullable=False),  # the JSON exactly as sent (UTF-8)
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=True),
)

# -- issue 22: a later check-in linked to earlier ones, with the person's own consent
# to link (separate from consent to store): a row means that consent is given for that
# interview; revoking it deletes the row, deleting the interview deletes it too. The
# case reference is kept only as a keyed hash (pseudonymous), per organisation.
case_links = Table(
    "case_links",
    metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, nullable=True),
    Column("case_hash", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def max_connections(engine: Engine) -> int | None:
    """How many connections the database server takes (PostgreSQL), or None where the
    database is a file."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW max_connections")).scalar_one())


def make_engine(url: str) -> Engine:
    """An engine whose errors never quote bound parameters (usernames, keys, sealed
    payloads): ``hide_parameters`` keeps them out of exception messages and logs."""
    url = database_url(url)
    if url.startswith("sqlite"):
        _private_sqlite(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # Every transaction takes the write lock at once, so two requests for one
        # interview are applied one after the other, never interleaved.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _private_sqlite(url: str) -> None:
    """The database file (and so its -wal and -shm, which SQLite makes with the same
    mode) readable by its owner alone, 0600 (the instance folder is made 0700)."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    if not Path(path).parent.is_dir():  # no folder: SQLite's own error says so, as before
        return
    with contextlib.suppress(OSError):  # an unwritable place: `serve` says so plainly
        keyfiles.private_file(Path(path))
        for extra in ("-wal", "-shm"):
            if Path(path + extra).exists():
                os.chmod(path + extra, 0o600)


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    connection.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cursor = connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",
        "secure_delete=ON",
        "foreign_keys=ON",
        "busy_timeout=30000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Create the schema, or bring an older one up to date. Each step runs once."""
    with engine.begin() as conn:
        metadata.create_all(conn)
        version = conn.execute(select(schema_info.c.version)).scalar()
        if version is None:
            conn.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
        elif version > SCHEMA_VERSION:
            raise RuntimeError(f"the database is from a newer release (schema {version})")
        # Later releases add steps here: `if version < 2: ...; version = 2`.


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction, committed at the end. A database that cannot be reached or does
    not take writes is :data:`Code.UNAVAILABLE` (a 503: nothing was lost, try again)."""
    try:
        with engine.begin() as conn:
            yield conn
    except REFUSED as exc:
        log.warning("the database refused a request: %s", _said(exc))
        raise DomainError(Code.UNAVAILABLE) from None


@contextmanager
def request_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole request (one answer step: the session's touch, the
    audit row, the entry and its snapshot), so the step costs one durable commit.

    Committed at the end, and also when the request ends in a refusal raised after some
    writes (a 4xx, a redirect), as those writes stood when each had its own transaction:
    only a failure of the database itself rolls back. A database that cannot be reached
    or does not take writes is :data:`Code.UNAVAILABLE`, as in :func:`transaction`."""
    try:
        with engine.connect() as conn:
            started = conn.begin()
            try:
                yield conn
            except SQLAlchemyError:
                started.rollback()
                raise
            except BaseException:
                if started.is_active:
                    started.commit()
                raise
            started.commit()
    except REFUSED as exc:
        log.warning("the database refused a request: %s", _said(exc))
        raise DomainError(Code.UNAVAILABLE) from None


@contextmanager
def savepoint(conn: Connection) -> Iterator[None]:
    """A part of a transaction that is undone alone when it raises."""
    with conn.begin_nested():
        yield


@contextmanager
def best_effort(conn: Connection, what: str) -> Iterator[None]:
    """A write that a read can do without (touching a session, an audit row): inside a
    savepoint, and skipped with a warning when the database refuses writes, so reading
    what is stored still works on a read-only or full database."""
    try:
        with conn.begin_nested():
            yield
    except REFUSED as exc:
        log.warning("the database refused a write; %s skipped: %s", what, _said(exc))


def _said(exc: Exception) -> str:
    """The driver's first line (never the statement or its parameters)."""
    orig = getattr(exc, "orig", exc)
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else ''}"[:200]


def health(engine: Engine) -> str:
    """``ok`` when a write commits, ``read-only`` when the database answers but refuses
    to write, ``down`` when it does not answer. The write changes nothing (the schema
    version, set to itself) but is committed, so a full disk shows too."""
    try:
        with engine.connect() as conn:
            conn.execute(select(1)).scalar()
    except REFUSED:
        return "down"
    try:
        with engine.begin() as conn:
            conn.execute(update(schema_info).values(version=schema_info.c.version))
    except REFUSED:
        return "read-only"
    return "ok"


def writable(url: str) -> str | None:
    """Before a server starts: None when the database at ``url`` opens and takes writes,
    else one plain line saying what is wrong. Nothing is changed (the probe's write is
    rolled back); an SQLite file that does not exist yet is made, as on a first start."""
    engine = make_engine(url)
    try:
        try:
            with engine.connect() as conn:
                conn.execute(select(1)).scalar()
        except REFUSED as exc:
            return f"cannot open the database (DATABASE_URL): {_said(exc)}"
        try:
            with engine.connect() as conn, conn.begin() as started:
                if inspect(conn).has_table(schema_info.name):  # an account may lack CREATE
                    conn.execute(update(schema_info).values(version=schema_info.c.version))
                else:  # a first start: migrate will create the tables
                    conn.execute(text("CREATE TABLE screening_write_probe (x INTEGER)"))
                started.rollback()
        except REFUSED as exc:
            return (
                "the database does not take writes (read-only, or its disk is full): "
                f"{_said(exc)}. serve needs to write (sessions, the audit log)"
            )
        return None
    finally:
        engine.dispose()


class Conflict(Exception):
    """The idempotency key was used before with a different request."""


@dataclass(frozen=True)
class Entry:
    id: int
    idem_key: str
    payload: bytes
    response: bytes | None


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def pin_instrument(conn: Connection, instrument_id: str, version: str, source: bytes) -> int:
    """Keep the exact text an interview starts with; the same text is stored once.

    Two interviews may start with a text not yet stored at the same moment (PostgreSQL
    runs them side by side): the second insert then meets the first one's row, and uses
    it."""
    digest = hashlib.sha256(source).hexdigest()
    query = select(instrument_versions.c.id).where(instrument_versions.c.sha256 == digest)
    found = conn.execute(query).scalar()
    if found is not None:
        return int(found)
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(instrument_versions)
                .values(instrument_id=instrument_id, version=version, sha256=digest, source=source)
                .returning(instrument_versions.c.id)
            )
            return int(result.scalar_one())
    except IntegrityError:  # pinned by a concurrent transaction that has committed since
        return int(conn.execute(query).scalar_one())


def create_interview(
    conn: Connection,
    *,
    interview_id: str,
    mode: str,
    locale: str,
    org_id: int | None,
    user_id: int | None,
    wrapped_key: bytes | None,
    pinned: list[int],
) -> None:
    stamp = now()
    conn.execute(
        insert(interviews).values(
            id=interview_id,
            mode=mode,
            locale=locale,
            org_id=org_id,
            created_by=user_id,
            wrapped_key=wrapped_key,
            status="in_progress",
            created_at=stamp,
            updated_at=stamp,
        )
    )
    for position, version_id in enumerate(pinned):
        conn.execute(
            insert(interview_instruments).values(
                interview_id=interview_id, position=position, instrument_version_id=version_id
            )
        )


def interview_row(conn: Connection, interview_id: str, *, lock: bool = False) -> Any:
    """The interview's row; ``lock`` holds it (PostgreSQL) until the transaction ends."""
    query = select(interviews).where(interviews.c.id == interview_id)
    return conn.execute(query.with_for_update() if lock else query).first()


def pinned_sources(conn: Connection, interview_id: str) -> list[bytes]:
    rows = conn.execute(
        select(instrument_versions.c.source)
        .join(
            interview_instruments,
            interview_instruments.c.instrument_version_id == instrument_versions.c.id,
        )
        .where(interview_instruments.c.interview_id == interview_id)
        .order_by(interview_instruments.c.position)
    )
    return [bytes(row.source) for row in rows]


def log_entries(conn: Connection, interview_id: str, after: int = 0) -> list[Entry]:
    """The interview's log in order; only the entries after entry ``after`` when given."""
    query = select(entries.c.id, entries.c.idem_key, entries.c.payload, entries.c.response)
    query = query.where(entries.c.interview_id == interview_id)
    if after:
        query = query.where(entries.c.id > after)
    rows = conn.execute(query.order_by(entries.c.id))
    return [
        Entry(
            r.id,
            r.idem_key,
            bytes(r.payload),
            bytes(r.response) if r.response is not None else None,
        )
        for r in rows
    ]


def find_entry(conn: Connection, interview_id: str, idem_key: str, digest: str) -> Entry | None:
    """The entry made with this key before, or None; Conflict if the request differs."""
    row = conn.execute(
        select(entries).where(
            entries.c.interview_id == interview_id, entries.c.idem_key == idem_key
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise Conflict(idem_key)
    return Entry(
        row.id,
        row.idem_key,
        bytes(row.payload),
        bytes(row.response) if row.response is not None else None,
    )


def append_entry(
    conn: Connection,
    interview_id: str,
    idem_key: str,
    digest: str,
    payload: bytes,
    response: bytes | None,
    status: str,
) -> int:
    """Append one entry; the caller's transaction commits it before anyone is answered.
    Returns the new entry's id."""
    try:
        with conn.begin_nested():
            result = conn.execute(
                insert(entries).values(
                    interview_id=interview_id,
                    idem_key=idem_key,
                    request_hash=digest,
                    payload=payload,
                    response=response,
                    created_at=now(),
                )
            )
    except IntegrityError:
        raise Conflict(idem_key) from None
    conn.execute(
        update(interviews)
        .where(interviews.c.id == interview_id)
        .values(updated_at=now(), status=status)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


@dataclass(frozen=True)
class Snapshot:
    version: int
    entry_id: int
    payload: bytes


def read_snapshot(conn: Connection, interview_id: str) -> Snapshot | None:
    table = interview_snapshots
    row = conn.execute(
        select(table.c.version, table.c.entry_id, table.c.payload).where(
            table.c.interview_id == interview_id
        )
    ).first()
    return None if row is None else Snapshot(row.version, row.entry_id, bytes(row.payload))


def write_snapshot(
    conn: Connection, interview_id: str, version: int, entry_id: int, payload: bytes
) -> None:
    """Keep the interview's snapshot (the caller holds the interview's row or the
    database's write lock, so no other writer races it)."""
    table = interview_snapshots
    values = {"version": version, "entry_id": entry_id, "payload": payload}
    done = conn.execute(update(table).where(table.c.interview_id == interview_id).values(values))
    if done.rowcount == 0:
        conn.execute(insert(table).values(interview_id=interview_id, **values))


def snapshot_ids(conn: Connection) -> list[str]:
    """Every interview that has a snapshot (to check them against their logs)."""
    table = interview_snapshots
    return [
        str(r[0]) for r in conn.execute(select(table.c.interview_id).order_by(table.c.interview_id))
    ]


def delete_interview(conn: Connection, interview_id: str) -> None:
    """Remove an interview and every row of any table that names it in an
    ``interview_id`` column (entries, pins, sessions, plans...), so a table added later
    is covered too. Its wrapped key goes with its row: every copy of its ciphertext is
    unreadable from then on. SQLite overwrites deleted rows (secure_delete)."""
    for table in reversed(metadata.sorted_tables):
        if table is not interviews and "interview_id" in table.c:
            conn.execute(delete(table).where(table.c.interview_id == interview_id))
    conn.execute(delete(interviews).where(interviews.c.id == interview_id))


def write_audit(
    conn: Connection,
    action: str,
    *,
    actor: str | None = None,
    org_id: int | None = None,
    interview_ref: str | None = None,
) -> None:
    """Append to the audit log: who did what to which interview, never any content.
    On a database that refuses writes the row is skipped with a warning (nothing else
    can change then either), so a read is not turned into an error."""
    with best_effort(conn, "audit row"):
        conn.execute(
            insert(audit).values(
                at=now(), org_id=org_id, actor=actor, action=action, interview_ref=interview_ref
            )
        )


def sweep_private(conn: Connection, cutoff: dt.datetime) -> int:
    """Delete private interviews idle since before ``cutoff``: their sessions first, then
    every interview of mode private that no live session holds and that nothing touched
    since ``cutoff`` (a just-created one, whose session is not written yet, is spared).
    Their keys lived only in the person's cookie, so the rows were unreadable already;
    this removes them. Returns how many interviews were deleted."""
    conn.execute(
        delete(sessions).where(sessions.c.interview_id.is_not(None), sessions.c.last_seen < cutoff)
    )
    held = select(sessions.c.interview_id).where(sessions.c.interview_id.is_not(None))
    gone = _delete_untouched(conn, "private", cutoff, spared=held)
    conn.execute(delete(shares).where(shares.c.expires_at <= now()))  # codes nobody used
    return gone


def _delete_untouched(conn: Connection, mode: str, cutoff: dt.datetime, spared: Any) -> int:
    """Delete the interviews of ``mode`` that nothing touched since ``cutoff``, except
    those whose id the subquery ``spared`` selects; how many went."""
    stale = [
        row.id
        for row in conn.execute(
            select(interviews.c.id).where(
                interviews.c.mode == mode,
                interviews.c.updated_at < cutoff,
                interviews.c.id.not_in(spared),
            )
        )
    ]
    for interview_id in stale:
        delete_interview(conn, interview_id)
    return len(stale)


def open_interviews(conn: Connection, org_id: int, limit: int = 100) -> list[Any]:
    """An organisation's worker-led interviews, open and finished (as long as retention
    keeps them), latest activity first, with the number of entries each holds (no entry
    is read). One with nothing recorded (not even consent: "Not now") is left out; the
    idle sweep deletes it (:func:`sweep_unstarted`)."""
    counted = (
        select(entries.c.interview_id, func.count().label("n"))
        .group_by(entries.c.interview_id)
        .subquery()
    )
    query = (
        select(
            interviews.c.id,
            interviews.c.created_at,
            interviews.c.updated_at,
            interviews.c.status,
            interviews.c.locale,
            counted.c.n.label("entries"),
        )
        .join(counted, counted.c.interview_id == interviews.c.id)
        .where(
            interviews.c.org_id == org_id,
            interviews.c.mode == "worker",
            interviews.c.status.in_(("in_progress", "done")),
        )
        .order_by(interviews.c.updated_at.desc(), interviews.c.id)
        .limit(limit)
    )
    return list(conn.execute(query))


def sweep_unstarted(conn: Connection, cutoff: dt.datetime) -> int:
    """Delete worker-led interviews with nothing recorded (left at consent, "Not now")
    that nothing touched since ``cutoff``; how many went."""
    return _delete_untouched(conn, "worker", cutoff, spared=select(entries.c.interview_id))


def pinned_digests(conn: Connection, interview_ids: list[str]) -> dict[str, list[str]]:
    """For each interview, the SHA-256 of each instrument text it pinned, in order."""
    if not interview_ids:
        return {}
    rows = conn.execute(
        select(interview_instruments.c.interview_id, instrument_versions.c.sha256)
        .join(
            instrument_versions,
            interview_instruments.c.instrument_version_id == instrument_versions.c.id,
        )
        .where(interview_instruments.c.interview_id.in_(interview_ids))
        .order_by(interview_instruments.c.interview_id, interview_instruments.c.position)
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row.interview_id, []).append(row.sha256)
    return out


def instrument_source(conn: Connection, digest: str) -> bytes:
    source = conn.execute(
        select(instrument_versions.c.source).where(instrument_versions.c.sha256 == digest)
    ).scalar_one()
    return bytes(source)


def count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


@dataclass(frozen=True)
class ClientStart:
    interview_id: str
    request_sha256: str
    org_id: int | None


def client_start(conn: Connection, interview_id: str) -> ClientStart | None:
    """How an interview with a device-made id was started, or None (no such start)."""
    row = conn.execute(
        select(client_starts).where(client_starts.c.interview_id == interview_id)
    ).first()
    if row is None:
        return None
    return ClientStart(row.interview_id, row.request_sha256, row.org_id)


def create_client_interview(conn: Connection, *, request_sha256: str, **fields: Any) -> None:
    """:func:`create_interview` under an id a device made, with the hash of the request
    that started it. Conflict when the id is taken, by a start that has committed since
    (PostgreSQL makes the second of two concurrent starts wait for the first)."""
    try:
        with conn.begin_nested():
            create_interview(conn, **fields)
            conn.execute(
                insert(client_starts).values(
                    interview_id=fields["interview_id"],
                    request_sha256=request_sha256,
                    org_id=fields.get("org_id"),
                )
            )
    except IntegrityError:
        raise Conflict(fields["interview_id"]) from None
