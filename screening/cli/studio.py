"""``screening feedback export [--json|--csv]``: the co-design studio's feedback for the
team's own records (issue 18). Registered in cli/main.py. The database and keys are the
ones ``serve`` uses; feedback is unsealed here, so the output holds reviewers' words."""

from __future__ import annotations

import csv
import io
import json

import click

from screening.cli.admin import open_store

COLUMNS = (
    "id", "instrument", "version", "language", "field", "choices", "text", "suggestion",
    "reviewer", "status", "status_version", "reason", "created_at",
)  # fmt: skip


@click.group("feedback")
def feedback_group() -> None:
    """Reviewers' feedback on instruments (the co-design studio)."""


@feedback_group.command("export")
@click.option("--json", "as_json", is_flag=True, help='{"feedback": [...]} (the default).')
@click.option("--csv", "as_csv", is_flag=True, help="One row per feedback, spreadsheet-safe.")
def feedback_export(as_json: bool, as_csv: bool) -> None:
    """Print every feedback (with its status) as JSON or CSV."""
    from screening.interop.csv_export import safe
    from screening.services import studio
    from screening.store import db as storage

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    with open_store() as (_settings, engine, master), storage.transaction(engine) as conn:
        rows = studio.export_all(conn, master)
    if not as_csv:
        click.echo(json.dumps({"feedback": rows}, indent=2, ensure_ascii=False))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        row = {**row, "choices": " ".join(row["choices"])}
        writer.writerow([safe(row[c] if row[c] is not None else "") for c in COLUMNS])
    click.echo(out.getvalue(), nl=False)
