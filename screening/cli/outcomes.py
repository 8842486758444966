"""``screening outcomes``: a period's de-identified outcome tables for a funder (issue 22).

The database is the one ``DATABASE_URL`` names and the keys are the instance folder's
(or the environment's), as for ``serve``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import click


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(1)


def _period(_ctx: click.Context, _param: click.Parameter, value: str) -> object:
    from screening.core.outcomes import PeriodError, parse_period

    try:
        return parse_period(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("outcomes")
@click.option(
    "--period",
    required=True,
    callback=_period,
    help="A calendar month (2026-09) or a quarter (2026-Q3).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON (the default).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV: one row per cell.")
@click.option(
    "--publish", is_flag=True, help="Keep the tables as sent; later asks get the same copy."
)
@click.option(
    "--dry-run", is_flag=True, help="Show exactly what a funder would receive; keep nothing."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the tables here and the methods note beside it (OUTPUT.methods.txt).",
)
def outcomes_command(
    period: object, as_json: bool, as_csv: bool, publish: bool, dry_run: bool, output: Path | None
) -> None:
    """De-identified outcome tables for PERIOD: counted only from interviews whose person
    consented to anonymous statistics, no count from 1 to k-1 (SCREENING_OUTCOMES_K,
    default 10), and nothing withheld that the rest would give away. A published period
    is given as it was sent; otherwise what publishing now would send is shown."""
    from screening.config import ConfigError, Settings, outcomes_k
    from screening.core.outcomes import Period
    from screening.crypto.seal import CryptoError, load_master_key
    from screening.services import outcomes
    from screening.store import db as storage

    assert isinstance(period, Period)
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    try:
        settings = Settings.from_env()
        k = outcomes_k()
        engine = storage.make_engine(settings.database_url)
        storage.migrate(engine)
        master = load_master_key(settings.instance, settings.data_key, settings.previous_data_key)
    except (ConfigError, CryptoError) as exc:
        _fail(f"error: {exc}")
    try:
        kept = outcomes.published(engine, period)
        if kept is not None:
            body, said = kept, f"{period.label}: published before; this is the copy as sent"
        elif publish and not dry_run:
            body, _ = outcomes.publish(engine, master, period, k, actor="cli")
            said = f"{period.label}: published; asking again gives this same copy"
        else:
            body = outcomes.encode(outcomes.compute(engine, master, period, k))
            said = f"{period.label}: not published (nothing kept); publish with --publish"
    finally:
        engine.dispose()
    tables = json.loads(body)
    data = outcomes.as_csv(tables) if as_csv else body.decode()
    note = outcomes.methods_note(tables)
    if output is None:
        click.echo(data, nl=False)
        click.echo(note, err=True)
    else:
        output.write_text(data, encoding="utf-8")
        beside = output.with_name(output.name + ".methods.txt")
        beside.write_text(note, encoding="utf-8")
        click.echo(f"tables written to {output}; methods note: {beside}", err=True)
    click.echo(said, err=True)
