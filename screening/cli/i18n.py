"""``screening i18n extract|update|compile|report``: thin wrappers around Babel's own
catalog functions (the same ones ``pybabel`` runs), with our layout and header."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po

from screening.i18n import catalogs, report
from screening.i18n.locales import LANGUAGES, TARGETS, UnknownLanguage, parse_code
from screening.i18n.ui import extract_ui
from screening.load import catalog as instrument_catalog


def _root(path: Path | None) -> Path:
    return path or catalogs.locales_dir()


def _codes(value: str | None) -> list[str]:
    if not value:
        return list(TARGETS)
    try:
        return [parse_code(part) for part in value.split(",") if part.strip()]
    except UnknownLanguage as exc:
        raise click.BadParameter(str(exc)) from None


_LOCALES = click.option(
    "--locales",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Catalog folder (default: locales/ or $SCREENING_LOCALES).",
)


@click.group("i18n")
def group() -> None:
    """Translation catalogs: extract, update, compile, report."""


@group.command()
@_LOCALES
@click.option("--ui/--no-ui", default=True, help="Also extract the UI strings.")
def extract(root: Path | None, ui: bool) -> None:
    """Write locales/instrument-<id>.pot for each bundled instrument (and messages.pot)."""
    folder = _root(root)
    for path in instrument_catalog.instrument_files([instrument_catalog.instruments_dir()]):
        template = catalogs.extract_instrument(path)
        target = catalogs.pot_path(catalogs.instrument_domain(path.stem), folder)
        catalogs.write_catalog(template, target)
        click.echo(f"{target}: {len(template)} messages")
    if ui:
        template = extract_ui()
        target = catalogs.pot_path(catalogs.UI_DOMAIN, folder)
        catalogs.write_catalog(template, target)
        click.echo(f"{target}: {len(template)} messages")


@group.command()
@_LOCALES
@click.option("--lang", "langs", default=None, help="Comma-separated codes (default: all).")
def update(root: Path | None, langs: str | None) -> None:
    """Create missing PO files and merge every PO with its template (keeps translations
    and translator comments, so `reviewed-by:` marks survive)."""
    folder = _root(root)
    codes = _codes(langs)
    for domain in catalogs.domains(folder):
        with open(catalogs.pot_path(domain, folder), "rb") as handle:
            template = read_po(handle)
        for code in codes:
            path = catalogs.po_path(code, domain, folder)
            new = catalogs.update_catalog(path, template, code, domain)
            click.echo(f"{path}: {'created' if new else 'updated'}")


@group.command("compile")
@_LOCALES
@click.option("--lang", "langs", default=None, help="Comma-separated codes (default: all).")
def compile_(root: Path | None, langs: str | None) -> None:
    """Compile every PO to MO; exit 1 when a translation breaks a placeholder."""
    codes = set(_codes(langs))
    failed = False
    for code, _domain, po in catalogs.po_files(_root(root)):
        if code not in codes:
            continue
        mo, problems = catalogs.compile_catalog(po)
        for problem in problems:
            click.echo(problem, err=True)
        failed = failed or bool(problems)
        click.echo(f"{mo}")
    sys.exit(1 if failed else 0)


@group.command("report")
@_LOCALES
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--min-translated",
    type=click.FloatRange(0, 100),
    default=None,
    help="Exit 1 when any language's catalog is below PERCENT translated.",
)
def report_(root: Path | None, as_json: bool, min_translated: float | None) -> None:
    """Per language and catalog: the share translated and the share reviewed."""
    data = report.build(_root(root))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report.as_text(data))
    if min_translated is not None:
        low = report.below(data, min_translated)
        for code, name, share in low:
            click.echo(f"{code} {name}: {share:.1f}% < {min_translated:g}%", err=True)
        sys.exit(1 if low else 0)


__all__ = ["LANGUAGES", "group"]
