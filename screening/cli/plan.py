"""``screening plan`` and ``screening directory``: thin wrappers around the plan, the
directory and the PDF edge. Registered in cli.py."""

from __future__ import annotations

# Commands import storage, the web app and the heavier edges inside their functions:
# `screening validate`, `score` and `interview` then start without Flask, SQLAlchemy or
# the FHIR models. (Function-local imports of ours are checked for circles too.)
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from screening.core import interview as iv
from screening.core.matching import Preferences
from screening.core.route import Interview, InterviewError
from screening.directory import hsds as directory
from screening.directory.hsds import DirectoryError
from screening.errors import InstrumentError
from screening.load import catalog
from screening.render.pdf import LOCALES

if TYPE_CHECKING:  # a type only: the store alone speaks SQL
    from sqlalchemy.engine import Engine


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _directory(path: Path | None) -> directory.Tables:
    try:
        return directory.read(path) if path is not None else directory.demo()
    except DirectoryError as exc:
        _fail(str(exc))


@click.command("plan")
@click.argument("instrument")
@click.argument("answers")
@click.option("--locale", default="en", show_default=True, type=click.Choice(LOCALES))
@click.option("--second-locale", type=click.Choice(LOCALES), help="Print bilingual.")
@click.option(
    "--directory",
    "directory_file",
    type=click.Path(path_type=Path),
    help="HSDS JSON, CSV package folder or datapackage.json (default: the demo directory).",
)
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--safe",
    is_flag=True,
    help="Safe to carry: services, steps and contacts only, a neutral title, "
    "no need or flag named.",
)
def plan_command(
    instrument: str,
    answers: str,
    locale: str,
    second_locale: str | None,
    directory_file: Path | None,
    paper: str,
    pdf_out: Path | None,
    html_out: Path | None,
    safe: bool,
) -> None:
    """Write the needs summary and a draft service plan for ANSWERS as PDF or HTML.

    Urgent safety first, then strengths, then each need with what the person said and
    the services that could help; goals in the person's words; referrals with contact
    details and what to bring. Nothing declined or skipped is printed, nor anything an
    instrument marks as not to be printed (see `print:` in the README). Before the file
    is written, standard error says what the paper names."""
    from screening.core import plan as plans
    from screening.crypto.keyfiles import write_private
    from screening.render import pdf

    if (pdf_out is None) == (html_out is None):
        raise click.UsageError("give exactly one of --pdf OUT.pdf or --html OUT.html")
    tables = _directory(directory_file)
    try:
        session = Interview(catalog.resolve(instrument))
        state = iv.State(answers=catalog.parse_answers(session, catalog.read_answers(answers)))
    except InstrumentError as exc:
        _fail(str(exc))
    except (InterviewError, catalog.AnswerFileError) as exc:
        _fail(f"error: {exc}")
    services = directory.services(tables)
    now = dt.datetime.now(dt.UTC)
    prefs = Preferences(now=now, prefer_language=locale)
    matches = plans.suggestions(session, state, services, prefs, person=True)  # "My plan"
    draft = plans.draft(
        plans.own_goals(session, state),
        matches,
        client_language=locale,
        worker_language=second_locale or locale,
    )
    if pdf_out is not None:  # the person's own words as the shipped fonts can print them
        draft, own_gaps = pdf.printable(draft)
        for message in own_gaps:
            click.echo(f"warning: {message}", err=True)
    context = pdf.plan_context(
        session,
        state,
        draft,
        matches,
        {s.id: s for s in services},
        locale=locale,
        second=second_locale,
        paper=paper,
        today=now.date(),
        safe=safe,
    )
    names = [] if safe else pdf.paper_names(context)
    if names:
        click.echo(f"Before you print: this paper names {'; '.join(names)}.", err=True)
        click.echo("Anyone who finds it can read this; --safe prints without it.", err=True)
    html = pdf.render_html(context)
    if html_out is not None:
        write_private(html_out, html)  # the plan names needs and answers: 0600
        click.echo(f"plan written to {html_out}")
        return
    assert pdf_out is not None
    try:
        data, _missing = pdf.render_pdf(html, strict=True)
    except pdf.MissingGlyph as exc:
        for message in exc.found[:10]:
            click.echo(f"error: {message}", err=True)
        _fail(f"error: {exc}; no PDF written")
    write_private(pdf_out, data)
    click.echo(f"plan written to {pdf_out}")


@click.group("directory")
def directory_group() -> None:
    """The service directory (Open Referral HSDS 3.0) in the database DATABASE_URL names."""


def _engine() -> Engine:
    from screening.config import ConfigError, Settings
    from screening.store import db as storage
    from screening.store import plans as planstore

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        _fail(f"error: {exc}")
    engine = storage.make_engine(settings.database_url)
    storage.migrate(engine)
    planstore.ensure_directory(engine)
    return engine


@directory_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
def directory_validate(file: Path) -> None:
    """Check FILE (HSDS JSON, a CSV package folder or its datapackage.json); every
    problem is printed as FILE:ROW:FIELD (CSV) or FILE:/json/pointer (JSON)."""
    tables = _directory(file)
    click.echo(f"{file}: valid ({len(tables['service'])} services)")


@directory_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def directory_import(file: Path) -> None:
    """Replace the stored directory with FILE, after checking all of it. A field our
    tables do not have, or an optional value the schema refuses, is left out: each is
    printed on standard error as ``dropped: PLACE: entity.field: why``."""
    from screening.store import db as storage
    from screening.store import plans as planstore

    dropped: list[str] = []
    try:
        tables = directory.read(file, dropped)
    except DirectoryError as exc:
        _fail("\n".join(exc.problems))
    for line in dropped:  # what our tables cannot keep, every field of it, said once
        click.echo(f"dropped: {line}", err=True)
    engine = _engine()
    with storage.transaction(engine) as conn:
        count = planstore.replace_directory(conn, tables, str(file))
    engine.dispose()
    click.echo(
        f"imported {count} services from {file}"
        + (f" ({len(dropped)} fields dropped)" if dropped else "")
    )


@directory_group.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="A .json file, or a folder for a CSV data package (default: JSON to stdout).",
)
def directory_export(output: Path | None) -> None:
    """Write the stored directory as HSDS JSON (or a CSV package into a folder)."""
    from screening.store import db as storage
    from screening.store import plans as planstore

    engine = _engine()
    with storage.transaction(engine) as conn:
        tables = planstore.load_directory(conn)
    engine.dispose()
    if output is None:
        click.echo(json.dumps(directory.to_json(tables), indent=1, ensure_ascii=False))
    elif output.suffix.lower() == ".json" and output.name != "datapackage.json":
        output.write_text(
            json.dumps(directory.to_json(tables), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        click.echo(f"directory written to {output}")
    else:
        folder = output.parent if output.name == "datapackage.json" else output
        written = directory.write_csv_package(tables, folder)
        click.echo(f"directory written to {folder} ({len(written)} files)")
