"""The ``screening`` command. Thin: parse arguments, call the core, print.

Exit codes: 0 success; 1 a problem with the input (invalid instrument, bad answers,
unknown instrument); 2 a usage error (click's own).
"""

from __future__ import annotations

# Commands import storage, the web app and the heavier edges inside their functions:
# `screening validate`, `score` and `interview` then start without Flask, SQLAlchemy or
# the FHIR models. (Function-local imports of ours are checked for circles too.)
import datetime as dt
import json
import secrets
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from screening import config
from screening.cli.admin import COMMANDS as ADMIN_COMMANDS
from screening.cli.codesign import diff_command, reviews_group
from screening.cli.i18n import group as i18n_group
from screening.cli.interop import export_group, import_group
from screening.cli.lint import lint_command
from screening.cli.outcomes import outcomes_command
from screening.cli.plan import directory_group, plan_command
from screening.cli.studio import feedback_group
from screening.cli.terminal import print_result, run
from screening.core import interview
from screening.core.answers import answer_to_json
from screening.core.route import Interview, InterviewError, Kind
from screening.errors import InstrumentError, Problem
from screening.load import catalog
from screening.load.check_derive import derivation_problems
from screening.load.loader import check_file, load_file

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _friendly(func: F) -> F:
    """Turn expected input problems into a message and exit 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InstrumentError as exc:
            _fail(str(exc))
        except (InterviewError, catalog.AnswerFileError) as exc:
            _fail(f"error: {exc}")
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly, never show a traceback
            _internal(exc)

    return wrapper  # type: ignore[return-value]


def _internal(exc: Exception) -> NoReturn:
    if config.debug():
        raise exc
    _fail(
        f"internal error ({type(exc).__name__}): this is a bug in screening, not in your "
        "files; please report it. Set SCREENING_DEBUG=1 to see details."
    )


def _params(values: tuple[str, ...]) -> dict[str, int]:
    out = {}
    for value in values:
        name, sep, number = value.partition("=")
        if not sep or not number.strip().lstrip("-").isdigit():
            raise click.BadParameter(f"{value!r}: write NAME=WHOLE_NUMBER", param_hint="--param")
        out[name.strip()] = int(number)
    return out


def _emit(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="screening")
def main() -> None:
    """Trauma-informed screening: validate instruments, walk and score interviews.

    INSTRUMENT is a file path or a bundled instrument id (needs-assessment,
    youth-check-in, phq9, gad7, pc-ptsd-5); several, comma-separated, run as one
    interview in that order.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(paths: tuple[Path, ...], as_json: bool, strict: bool) -> None:
    """Check instrument files or folders; exit 1 if any has errors."""
    problems = []
    files = 0
    found = list(catalog.instrument_files(list(paths)))
    for path in found:
        files += 1
        try:
            problems.extend(check_file(path)[1])
        except Exception as exc:  # a bug: report it for this file and go on
            if config.debug():
                raise
            problems.append(
                Problem(
                    str(path),
                    1,
                    1,
                    (),
                    "internal",
                    f"internal error ({type(exc).__name__}): a bug in screening, please report it",
                )
            )
    problems.extend(derivation_problems(found))  # ask-once maps read other files
    missing = [p for p in paths if not p.exists()]
    errors = [p for p in problems if not p.warning or strict]
    if as_json:
        _emit(
            {
                "files": files,
                "valid": not errors and not missing,
                "problems": [p.to_json() for p in problems],
                "missing": [str(p) for p in missing],
            }
        )
    else:
        for problem in problems:
            click.echo(str(problem), err=True)
        for path in missing:
            click.echo(f"{path}: no such file or folder", err=True)
        if not errors and not missing:
            click.echo(f"{files} instrument file(s) valid")
    if errors or missing or files == 0:
        if files == 0 and not missing and not as_json:
            click.echo("no instrument files (.yaml, .yml) found", err=True)
        sys.exit(1)


def _prepare(
    spec: str, answers_file: str, params: tuple[str, ...]
) -> tuple[Interview, interview.State]:
    instruments = catalog.resolve(spec, _params(params))
    session = Interview(instruments, today=dt.date.today())  # derived values' today
    answers = catalog.parse_answers(session, catalog.read_answers(answers_file))
    state = interview.State(answers=answers)
    walked = interview.route(session, state)
    ignored = sorted(
        set(answers) - set(walked.answers)
        | {v.item.id for v in walked.visits if v.kind is not Kind.ASKED and v.item.id in answers}
    )
    if ignored:
        click.echo(
            "note: answers to items not asked with these answers do not count: "
            + ", ".join(ignored),
            err=True,
        )
    return session, state


_instrument = click.argument("instrument")
_answers = click.argument("answers")
_param = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=N",
    help="Set an instrument parameter, e.g. pcptsd5_cutoff=4.",
)


@main.command()
@_instrument
@_answers
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"steps": [item ids], "notes": [{"id", "before"}], "not_asked": '
    '[{"item", "status", "from"}]}.',
)
@_param
@_friendly
def steps(instrument: str, answers: str, as_json: bool, params: tuple[str, ...]) -> None:
    """The whole ordered path of items the interview asks, given ANSWERS, with the notes
    shown as screens of their own (a note is no question: it is never in "steps").

    ANSWERS is a JSON or YAML file (or - for stdin) mapping item id to an option value,
    a list of values, a number, text, null (skipped) or {"declined": true}.
    """
    session, state = _prepare(instrument, answers, params)
    walked = interview.route(session, state)
    path = [v.item.id for v in walked.asked()]
    notes = [{"id": note.id, "before": before} for note, before in interview.note_screens(walked)]
    elsewhere = [
        {"item": v.item.id, "status": v.kind.value, "from": v.reused_from}
        for v in walked.answered_elsewhere()
    ]
    if as_json:
        # "notes" only when the route has note screens: older readers see what they knew
        _emit({"steps": path, **({"notes": notes} if notes else {}), "not_asked": elsewhere})
    else:
        for item_id in [*path, None]:
            for note in (n for n in notes if n["before"] == item_id):
                click.echo(f"[-] note {note['id']}")
            if item_id is not None:
                mark = "x" if item_id in state.answers else " "
                click.echo(f"[{mark}] {item_id}")
        for entry in elsewhere:
            click.echo(
                f"note: {entry['item']} is not asked: {entry['status']} from {entry['from']}",
                err=True,
            )


@main.command()
@_instrument
@_answers
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--explain", is_flag=True, help="Add what produced each score, flag and need.")
@_param
@_friendly
def score(
    instrument: str, answers: str, as_json: bool, explain: bool, params: tuple[str, ...]
) -> None:
    """Scores, bands, flags, needs and strengths for ANSWERS."""
    session, state = _prepare(instrument, answers, params)
    result = interview.result(session, state)
    data = result.to_json(explain=explain)
    if as_json:
        _emit(data)
        return
    print_result(session, result)


@main.command("compile")
@_instrument
@click.option(
    "--mode",
    type=click.Choice(["worker", "private"]),
    default="worker",
    show_default=True,
    help="Keep only the items this kind of interview asks (as the server does).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file instead of printing it.",
)
@_param
@_friendly
def compile_command(
    instrument: str, mode: str, output: Path | None, params: tuple[str, ...]
) -> None:
    """Print the compiled JSON form of INSTRUMENT that the browser engine reads.

    One instrument gives one JSON object; several (comma-separated) a list of them, in
    the interview's order. The format is versioned (its "version" field).
    """
    from screening.core.compiled import compile_instrument
    from screening.services.interviews import for_mode

    compiled = [
        compile_instrument(ins)
        for ins in for_mode(catalog.resolve(instrument, _params(params)), mode)
    ]
    data: object = compiled[0] if len(compiled) == 1 else compiled
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"compiled form written to {output} ({len(text.encode())} bytes)")


@main.command("instruments")
@click.option("--json", "as_json", is_flag=True)
@_friendly
def list_instruments(as_json: bool) -> None:
    """List the bundled instruments with their version and review status."""
    rows = []
    for path in catalog.instrument_files([catalog.instruments_dir()]):
        ins = load_file(path)
        rows.append(
            {
                "id": ins.id,
                "version": ins.version,
                "title": ins.title,
                "status": ins.codesign.status.value,
                "audiences": list(ins.audiences),
                "items": len(ins.items),
            }
        )
    if as_json:
        _emit({"instruments": rows})
        return
    for row in rows:
        click.echo(f"{row['id']:<18} {row['version']:<8} {row['status']:<30} {row['title']}")


@main.command("interview")
@_instrument
@click.option(
    "--save",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the answers given to this file (JSON) at the end.",
)
@_param
@_friendly
def run_interview(instrument: str, save: Path | None, params: tuple[str, ...]) -> None:
    """Run an interview in the terminal, one question at a time.

    Type the number of an option (several, separated by spaces, where more than one may
    be chosen), or: s = skip, p = prefer not to say, w = why we ask this, b = back,
    q = stop here.
    """

    session = Interview(catalog.resolve(instrument, _params(params)), today=dt.date.today())
    state = run(session)
    if save is not None:
        from screening.crypto.keyfiles import write_private

        answers = {k: answer_to_json(v) for k, v in state.answers.items()}
        write_private(save, json.dumps(answers, indent=2, ensure_ascii=False) + "\n")
        click.echo(f"answers written to {save}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes serving requests (default: one per core, at most 8). 1 runs a single "
    "waitress process; more run gunicorn.",
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Per process."
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the web app with a production WSGI server: gunicorn with several worker
    processes, or waitress with --workers 1.

    The database comes from DATABASE_URL (default: SQLite in the instance folder), the
    instance folder from SCREENING_INSTANCE (default: ./instance). Several processes and
    several servers may share one database: sign-in limits, the idle sweep and the daily
    purge are coordinated through it (or through Redis, SCREENING_REDIS_URL).
    """
    from screening.cli import serve as serving
    from screening.config import ConfigError, database_url, instance_folder
    from screening.crypto.keyfiles import private_folder
    from screening.crypto.seal import CryptoError
    from screening.errors import DomainError
    from screening.store import db as storage
    from screening.web import create_app

    try:
        private_folder(instance_folder())  # a first start makes it, 0700
        problem = storage.writable(database_url())
        if problem is not None:  # one clear line, before anything else touches it
            _fail(f"error: {problem}")
        app = create_app()
    except (ConfigError, CryptoError, DomainError) as exc:
        _fail(f"error: {exc}")
    _first_account(app)  # once, here, before any worker process exists
    workers = workers or serving.default_workers()
    serving.check_connections(app, workers)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104  # nosec B104: a comparison, not a bind
    click.echo(f"screening is running: open http://{shown}:{port}/ (Ctrl+C stops it)")
    if workers == 1:
        serving.run_waitress(app, host, port, threads)
    else:
        serving.run_gunicorn(app, host, port, workers, threads)


def _first_account(app: Any) -> None:
    """On a first start outside production, make one worker with a random password and
    say it once, so the README's run command leads straight to an interview."""
    from screening.services import accounts
    from screening.store import db as storage

    extension = app.extensions["screening"]
    if extension.settings.production:
        return
    with storage.transaction(extension.engine) as conn:
        if storage.count(conn, storage.users):
            return
        password = secrets.token_urlsafe(12)
        accounts.create_user(conn, "demo", "Demo organisation", "worker", password)
    click.echo(
        "First start: created the worker 'demo' (organisation 'Demo organisation') with the "
        f"password {password}\nIt is shown only now. Add your own accounts with "
        "'screening users create', and end this one with 'screening users disable demo'."
    )


@main.group()
def users() -> None:
    """Manage worker and admin accounts."""


@users.command("create")
@click.argument("username")
@click.option(
    "--org",
    default=None,
    help="The organisation (created if it does not exist; a reviewer may have none).",
)
@click.option(
    "--role",
    type=click.Choice(["worker", "admin", "reviewer", "designer"]),
    default="worker",
    show_default=True,
)
def users_create(username: str, org: str | None, role: str) -> None:
    """Create an account. The password comes from SCREENING_PASSWORD or a prompt."""
    from screening.config import ConfigError, Settings
    from screening.services import accounts
    from screening.store import db as storage

    password = config.password() or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    engine = None
    try:
        settings = Settings.from_env()
        engine = storage.make_engine(settings.database_url)
        storage.migrate(engine)
        with storage.transaction(engine) as conn:
            user = accounts.create_user(conn, username, org, role, password)
    except (accounts.AccountError, ConfigError) as exc:
        _fail(f"error: {exc}")
    finally:
        if engine is not None:
            engine.dispose()  # no connection is left for the garbage collector
    where = f"in organisation {org!r}" if org else "in no organisation"
    click.echo(f"created {user.role} {user.username!r} {where}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account and end all its sessions at once."""
    from screening.config import Settings
    from screening.services import accounts
    from screening.store import db as storage

    engine = storage.make_engine(Settings.from_env().database_url)
    storage.migrate(engine)
    with storage.transaction(engine) as conn:
        if not accounts.disable_user(conn, username):
            _fail(f"error: no user {username!r}")
    click.echo(f"disabled {username!r}; their sessions have ended")


@users.command("reset")
@click.argument("username")
@click.option("--mfa", is_flag=True, help="Also remove the second factor: they set it up again.")
def users_reset(username: str, mfa: bool) -> None:
    """Print a one-time reset code for USERNAME (24 hours, one use); with it they
    choose a new password on the sign-in page. Nobody else sees or sets it."""
    from screening.config import Settings
    from screening.services import passwords
    from screening.store import db as storage

    engine = storage.make_engine(Settings.from_env().database_url)
    storage.migrate(engine)
    try:
        code = passwords.issue_reset(engine, username, mfa_too=mfa)
    except passwords.ResetRefused as exc:
        _fail(f"error: {exc}")
    finally:
        engine.dispose()
    removed = " Their second factor was removed: they set it up again." if mfa else ""
    click.echo(
        f"reset code for {username!r} (shown only now; one use, 24 hours): {code}\n"
        f"They choose a new password with it at /signin/reset.{removed}"
    )


main.add_command(lint_command)  # issue 13
main.add_command(plan_command)
main.add_command(directory_group)
main.add_command(export_group)  # issue 7: FHIR, CSV
main.add_command(import_group)  # issue 7: XLSForm, FHIR
main.add_command(i18n_group)  # issue 4
main.add_command(diff_command)  # issue 18
main.add_command(reviews_group)  # issue 18
main.add_command(feedback_group)  # issue 18: the co-design studio
for _command in ADMIN_COMMANDS:  # issue 6
    main.add_command(_command)
main.add_command(outcomes_command)  # issue 22
