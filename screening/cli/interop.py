"""``screening export ...`` and ``screening import ...``: thin wrappers over the
interop edges. Exit codes as elsewhere: 0 done, 1 a problem with the input (nothing
written), 2 a usage error."""

from __future__ import annotations

# Commands import storage, the web app and the heavier edges inside their functions:
# `screening validate`, `score` and `interview` then start without Flask, SQLAlchemy or
# the FHIR models. (Function-local imports of ours are checked for circles too.)
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from screening.core.route import InterviewError
from screening.errors import InstrumentError
from screening.load import catalog

_LOCALES_HELP = "Folder of translation catalogs (default: ./locales)."


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from screening.crypto.keyfiles import write_private

    write_private(output, text)  # an export holds answers: 0600


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@click.group("export")
def export_group() -> None:
    """Export instruments and interviews (FHIR R4, XLSForm, CSV)."""


@export_group.command("fhir")
@click.argument("instrument")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--locales", type=click.Path(file_okay=False, path_type=Path), help=_LOCALES_HELP)
def export_fhir(instrument: str, output: Path | None, locales: Path | None) -> None:
    """INSTRUMENT (a path or a bundled id) as a FHIR R4 Questionnaire (JSON)."""
    from screening.interop.fhir.check import check_questionnaire
    from screening.interop.fhir.export import questionnaire

    try:
        (found,) = catalog.resolve(instrument)
    except ValueError:
        _fail("error: name one instrument")
    except (InstrumentError, InterviewError) as exc:
        _fail(str(exc))
    result = questionnaire(found, locales if locales is not None else Path("locales"))
    problems = check_questionnaire(result.resource)
    if problems:  # a bug of ours, never the user's: say so rather than write bad FHIR
        _fail("internal error: the Questionnaire does not validate:\n" + "\n".join(problems))
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    _write(_json(result.resource), output)


@export_group.command("xlsform")
@click.argument("instrument")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--locales", type=click.Path(file_okay=False, path_type=Path), help=_LOCALES_HELP)
def export_xlsform(instrument: str, output: Path, locales: Path | None) -> None:
    """INSTRUMENT (a path or a bundled id) as an XLSForm (.xlsx) in its source language
    and each language its catalogs translate it to (label::French (fr) columns).
    What an XLSForm cannot hold (scores, flags, needs, some show-ifs) is named on stderr."""
    from screening.interop.xlsform.export import xlsform

    try:
        (found,) = catalog.resolve(instrument)
    except ValueError:
        _fail("error: name one instrument")
    except (InstrumentError, InterviewError) as exc:
        _fail(str(exc))
    sheets = xlsform(found, locales if locales is not None else Path("locales"))
    for note in sheets.notes:
        click.echo(f"note: {note}", err=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(sheets.workbook())


def _database() -> tuple[Any, Any]:
    from screening.config import ConfigError, Settings
    from screening.crypto.seal import CryptoError, load_master_key
    from screening.store import db as storage

    try:
        settings = Settings.from_env()
        if not (settings.instance / "data.key").exists() and not settings.data_key:
            _fail(
                f"error: no master key: set SCREENING_DATA_KEY or SCREENING_INSTANCE (looked "
                f"for {settings.instance / 'data.key'}); without it no answer can be read"
            )
        master = load_master_key(settings.instance, settings.data_key)
    except (ConfigError, CryptoError) as exc:
        _fail(f"error: {exc}")
    engine = storage.make_engine(settings.database_url)
    storage.migrate(engine)
    return engine, master


@export_group.command("fhir-response")
@click.argument("interview_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
def export_fhir_response(interview_id: str, output: Path | None) -> None:
    """A stored worker-led interview as a FHIR R4 QuestionnaireResponse (a Bundle of
    them when it ran several instruments). Reads DATABASE_URL like `serve` does."""
    from screening.errors import DomainError
    from screening.services.exports import fhir_resource
    from screening.store import db as storage

    engine, master = _database()
    try:
        with storage.transaction(engine) as conn:
            resource = fhir_resource(conn, master, interview_id)
    except DomainError as exc:
        _fail(f"error: {exc.message} (private interviews are never exported)")
    finally:
        engine.dispose()
    _write(_json(resource), output)


@export_group.command("csv")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--long", "long_form", is_flag=True, help="One row per answer, not per interview.")
@click.option(
    "--referrals", "referral_rows", is_flag=True, help="One row per referral status change."
)
def export_csv(output: Path, long_form: bool, referral_rows: bool) -> None:
    """Stored worker-led interviews with consent to store, as CSV; the data dictionary
    goes next to it as OUTPUT's name + .dictionary.csv. With --referrals: what happened
    to their referrals instead, one row per status change."""
    from screening.interop import csv_export
    from screening.services import referrals
    from screening.services.exports import consented
    from screening.store import db as storage

    engine, master = _database()
    try:
        with storage.transaction(engine) as conn:
            stored = list(consented(conn, master))
            if not referral_rows:
                data, dictionary = (csv_export.long if long_form else csv_export.wide)(stored)
        if referral_rows:
            changes = referrals.export_rows(engine, master, [s.loaded for s in stored])
            data, dictionary = csv_export.referrals(changes)
    finally:
        engine.dispose()
    _write(data, output)
    sidecar = dictionary_path(output)
    _write(dictionary, sidecar)
    click.echo(f"{len(stored)} interview(s) written to {output}; data dictionary: {sidecar}")


def dictionary_path(output: Path) -> Path:
    return output.with_name(output.stem + ".dictionary.csv")


@click.group("import")
def import_group() -> None:
    """Import forms from other tools as instruments (XLSForm, FHIR Questionnaire)."""


_output = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="instruments/NAME.yaml: NAME becomes the instrument id.",
)
_partial = click.option(
    "--partial", is_flag=True, help="Write what translated, each gap marked, and exit 0."
)
_language = click.option(
    "--language",
    help="BCP 47 code of the form's own language: an XLSForm's plain label column (always) "
    "or its only language; a Questionnaire's when it does not say.",
)
_as_json = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Also print {"complete", "written", "message", "gaps": [{"where", "code", '
    '"message", "item", "note"}]} on stdout.',
)


@import_group.command("xlsform")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output
@_partial
@_language
@_as_json
def import_xlsform(
    form: Path, output: Path, partial: bool, language: str | None, as_json: bool
) -> None:
    """An XLSForm (.xlsx, .xls, .csv or .md) as an instrument, with its label::LANGUAGE
    columns as translation catalogs in locales/ next to the instruments folder."""
    from screening.interop.xlsform import importer as xlsform

    _finish(xlsform.convert(form, output.stem, language=language), output, partial, as_json)


@import_group.command("fhir")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_output
@_partial
@_language
@_as_json
def import_fhir(
    file: Path, output: Path, partial: bool, language: str | None, as_json: bool
) -> None:
    """A FHIR R4 Questionnaire (JSON) as an instrument."""
    from screening.interop.fhir import importer as fhir_import

    _finish(fhir_import.convert(file, output.stem, language=language), output, partial, as_json)


def _finish(result: Any, output: Path, partial: bool, as_json: bool) -> None:
    from screening.interop.writer import write_import

    for gap in result.gaps:
        click.echo(str(gap), err=True)
    code, message, written = write_import(result, output, partial=partial)
    click.echo(message, err=code != 0 or as_json)
    if as_json:
        report = {
            "complete": result.complete,
            "written": written,
            "message": message,
            "gaps": [gap.to_json() for gap in result.gaps],
        }
        click.echo(_json(report), nl=False)
    sys.exit(code)
