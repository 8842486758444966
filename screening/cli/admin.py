"""Commands for keeping data well: ``keys``, ``purge``, ``interviews delete``,
``orgs retention`` and ``audit`` (issue 6), ``orgs follow-up`` (issue 21). The database
is the one ``DATABASE_URL`` names and the keys are the instance folder's (or the
environment's), as for ``serve``."""

from __future__ import annotations

# Commands import storage, the web app and the heavier edges inside their functions:
# `screening validate`, `score` and `interview` then start without Flask, SQLAlchemy or
# the FHIR models. (Function-local imports of ours are checked for circles too.)
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(1)


@contextmanager
def open_store() -> Iterator[tuple[Any, Any, Any]]:
    """Settings, engine and master key of the deployment (as ``serve`` opens them)."""
    with _open() as opened:
        yield opened


@contextmanager
def _open() -> Iterator[tuple[Any, Any, Any]]:
    from screening.config import ConfigError, Settings
    from screening.crypto.seal import CryptoError, load_master_key
    from screening.store import db as storage

    try:
        settings = Settings.from_env()
        engine = storage.make_engine(settings.database_url)
        storage.migrate(engine)
        master = load_master_key(settings.instance, settings.data_key, settings.previous_data_key)
    except (ConfigError, CryptoError) as exc:
        _fail(f"error: {exc}")
    try:
        yield settings, engine, master
    finally:
        engine.dispose()  # no connection is left for the garbage collector


@click.group()
def keys() -> None:
    """The master key that wraps every interview's data key."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-wrap every interview's key under a new master key (stop the servers first).

    With the key in the instance folder, the file is replaced. With SCREENING_DATA_KEY
    set, give the new key in SCREENING_NEW_DATA_KEY (or one is made and printed once);
    then set it as SCREENING_DATA_KEY, and the old one as SCREENING_PREVIOUS_DATA_KEY
    until every server has restarted."""
    from screening import config
    from screening.crypto.seal import CryptoError
    from screening.services import admin

    with _open() as (settings, engine, master):
        try:
            done = admin.rotate_master_key(
                engine,
                master,
                settings.instance,
                from_env=bool(settings.data_key),
                new=config.new_data_key(),
            )
        except CryptoError as exc:
            _fail(f"error: {exc}; nothing was changed")
        click.echo(f"re-wrapped {done.rewrapped} interview key(s) under master key {done.key_id}")
        if done.new_key:
            click.echo(
                f"set SCREENING_DATA_KEY={done.new_key}\n"
                "and keep the old key as SCREENING_PREVIOUS_DATA_KEY until every server restarted"
            )


@keys.command("status")
def keys_status() -> None:
    """How many interviews each master key wraps."""
    from screening.services import admin
    from screening.store import db as storage

    with _open() as (_, engine, master):
        with storage.transaction(engine) as conn:
            counts = admin.key_status(conn, master)
        for key_id, n in counts.items():
            mark = " (current)" if key_id == master.key_id else ""
            click.echo(f"{key_id}{mark}: {n}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
def purge(dry_run: bool) -> None:
    """Delete interviews older than their organisation's retention period, with their
    plans and keys (the audit log keeps only their opaque ids)."""
    from screening.services import admin
    from screening.store import db as storage

    with _open() as (settings, engine, _master):
        idle = dt.timedelta(minutes=settings.private_idle_minutes)
        found = admin.purge(engine, storage.now(), dry_run=dry_run, private_idle=idle)
        verb = "would delete" if dry_run else "deleted"
        for gone in found:
            click.echo(f"{verb} {gone.interview_id} (last change {gone.last_change:%Y-%m-%d})")
        click.echo(f"{verb} {len(found)} interview(s)")


@click.group()
def interviews() -> None:
    """Stored interviews."""


@interviews.command("delete")
@click.argument("interview_id")
def interviews_delete(interview_id: str) -> None:
    """Delete one interview and everything of it, on the person's request."""
    from screening.services import admin

    with _open() as (_, engine, _master):
        if not admin.delete_one(engine, interview_id):
            _fail(f"error: no interview {interview_id!r}")
        click.echo(f"deleted interview {interview_id} and its key")


@click.group()
def orgs() -> None:
    """Organisations."""


@orgs.command("retention")
@click.argument("org")
@click.argument("days", type=int)
def orgs_retention(org: str, days: int) -> None:
    """Keep ORG's interviews DAYS days after their last change (default 365)."""
    from screening.services import admin
    from screening.store import db as storage

    with _open() as (_, engine, _master):
        try:
            with storage.transaction(engine) as conn:
                admin.set_retention(conn, org, days)
        except admin.AdminError as exc:
            _fail(f"error: {exc}")
        click.echo(f"{org}: interviews are kept {days} days after their last change")


@orgs.command("follow-up")
@click.argument("org")
@click.argument("days", type=int)
def orgs_follow_up(org: str, days: int) -> None:
    """Check on ORG's open referrals DAYS days after their last change (default 7)."""
    from screening.services import referrals

    with _open() as (_, engine, _master):
        try:
            referrals.set_interval(engine, org, days)
        except referrals.FollowUpError as exc:
            _fail(f"error: {exc}")
        click.echo(f"{org}: open referrals are due for a check {days} days after their last change")


@orgs.command("mfa")
@click.argument("org")
@click.argument("choice", type=click.Choice(["required", "optional"]))
def orgs_mfa(org: str, choice: str) -> None:
    """Whether ORG's workers need a second factor (an authenticator app) to sign in;
    admins always do."""
    from screening.services import mfa

    with _open() as (_, engine, _master):
        if not mfa.set_policy(engine, org, choice == "required"):
            _fail(f"error: no organisation {org!r}")
    click.echo(f"{org}: a second factor is {choice} for its workers (always for admins)")


@click.command()
@click.option("--limit", type=click.IntRange(1, 100000), default=200, show_default=True)
def audit(limit: int) -> None:
    """The audit log, newest first: who did what to which interview (no content)."""
    from screening.services import admin
    from screening.store import db as storage

    with _open() as (_, engine, _master):
        with storage.transaction(engine) as conn:
            rows = admin.audit_rows(conn, limit=limit)
        for row in rows:
            at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
            click.echo(
                f"{at:%Y-%m-%d %H:%M:%S} {row.action:<12} {row.actor or '-':<20} "
                f"{row.interview_ref or '-'}"
            )


COMMANDS = (keys, purge, interviews, orgs, audit)
