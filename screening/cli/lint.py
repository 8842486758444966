"""``screening lint``: the trauma-informed checks of screening.load.lint, printed like
``screening validate``. Registered in cli/main.py.

Exit codes: 0 no findings; 1 findings (or a file that is not a valid instrument: its
problems are the findings); 2 a usage error (a path that does not exist, no instrument
file found, an unknown option).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from screening import config
from screening.errors import Problem
from screening.load import catalog, reviews, yamlmarks
from screening.load.lint import lint
from screening.load.loader import check_bytes, schema_problems


def findings(path: Path) -> list[Problem]:
    """The lint findings of one file; when it is not a valid instrument, its validation
    errors instead (the content checks read only what the schema lets through)."""
    name = str(path)
    try:
        raw = path.read_bytes()[: yamlmarks.MAX_BYTES + 1]
    except OSError as exc:
        return [Problem(name, 1, 1, (), "unreadable", f"cannot read the file: {exc.strerror}")]
    try:
        doc = yamlmarks.load(raw)
    except yamlmarks.YamlError as exc:
        return [Problem(name, exc.line, exc.column, (), exc.code, exc.message)]
    invalid = list(schema_problems(doc, name))
    if invalid:
        return invalid
    folder = reviews.reviews_folder(path.parent)
    errors = [p for p in check_bytes(raw, name, reviews=folder)[1] if not p.warning]
    return errors + lint(doc, name)


def line(problem: Problem) -> str:
    return f"{problem.file}:{problem.line}:{problem.column}: {problem.code}: {problem.message}"


def as_json(problem: Problem) -> dict[str, object]:
    out = problem.to_json()
    del out["severity"]
    return out


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "json_out", is_flag=True, help='Print {"findings": [...]} as JSON.')
def lint_command(paths: tuple[Path, ...], json_out: bool) -> None:
    """Trauma-informed content checks of instrument files or folders (default: the
    bundled instruments): person voice, reading level (English only), content warnings,
    print rules, promises of who sees, judgmental words, disorder names. Exit 1 if any
    is found."""
    files = list(catalog.instrument_files(list(paths) or [catalog.instruments_dir()]))
    if not files:
        raise click.UsageError("no instrument files (.yaml, .yml) found")
    found: list[Problem] = []
    for path in files:
        try:
            found.extend(findings(path))
        except Exception as exc:  # a bug: report it for this file and go on
            if config.debug():
                raise
            message = f"internal error ({type(exc).__name__}): a bug in screening, please report it"
            found.append(Problem(str(path), 1, 1, (), "internal", message))
    if json_out:
        data = {"findings": [as_json(p) for p in found]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for problem in found:
            click.echo(line(problem), err=True)
        if not found:
            click.echo(f"{len(files)} instrument file(s): no findings")
    if found:
        sys.exit(1)
