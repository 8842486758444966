"""Settings are named once: only screening/config.py reads the environment, each
variable typed and defaulted; the shipped folders are found by one resolver, from a
checkout or from a wheel's bundled copies."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from screening import config, resources
from screening.cli import main
from screening.config import ConfigError, Settings
from tests.support.apps import web_app
from tests.support.paths import ROOT

PACKAGE = ROOT / "screening"
TEN_MINUTES = dt.timedelta(minutes=10)
READERS = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def _reads_environment(tree: ast.AST) -> list[int]:
    """Lines that touch the process environment: ``os.environ``, ``os.getenv(...)``,
    ``from os import environ`` and the like."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in READERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.extend(node.lineno for a in node.names if a.name in READERS)
    return found


def test_only_config_reads_the_environment() -> None:
    readers = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = _reads_environment(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            readers[path.relative_to(ROOT).as_posix()] = lines
    assert set(readers) == {"screening/config.py"}, readers


def test_the_environment_check_itself_can_fail() -> None:
    """Guard against a vacuous check: each way of reading the environment is seen."""
    for source in (
        "import os\nx = os.environ.get('A')",
        "import os\nx = os.getenv('A')",
        "from os import environ",
        "from os import getenv as g",
    ):
        assert _reads_environment(ast.parse(source)) == [source.count("\n") + 1], source
    assert _reads_environment(ast.parse("def f(environ): return environ['PATH_INFO']")) == []


def test_idle_limits_are_settings(tmp_path: Path) -> None:
    base = {"SCREENING_INSTANCE": str(tmp_path)}
    default = Settings.from_env(base)
    assert (default.session_idle_minutes, default.private_idle_minutes) == (30, 15)
    assert default.sweep_seconds == 60
    chosen = Settings.from_env(
        {
            **base,
            "SCREENING_IDLE_MINUTES": "20",
            "SCREENING_PRIVATE_IDLE_MINUTES": " 5 ",
            "SCREENING_SWEEP_SECONDS": "10",
        }
    )
    assert (chosen.session_idle_minutes, chosen.private_idle_minutes) == (20, 5)
    assert chosen.sweep_seconds == 10


@pytest.mark.parametrize("value", ["0", "-3", "half an hour", "1.5"])
@pytest.mark.parametrize(
    "name", ["SCREENING_IDLE_MINUTES", "SCREENING_PRIVATE_IDLE_MINUTES", "SCREENING_SWEEP_SECONDS"]
)
def test_a_bad_idle_limit_is_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"SCREENING_INSTANCE": str(tmp_path), name: value})


def test_the_time_zone_is_a_setting_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    base = {"SCREENING_INSTANCE": str(tmp_path)}
    assert Settings.from_env(base).timezone == "UTC"
    chosen = Settings.from_env({**base, "SCREENING_TIMEZONE": "America/Edmonton"})
    assert chosen.timezone == "America/Edmonton"
    for bad in ("Mars/Olympus", "../etc/passwd", "not a zone"):
        with pytest.raises(ConfigError, match="SCREENING_TIMEZONE"):
            Settings.from_env({**base, "SCREENING_TIMEZONE": bad})


def test_the_private_idle_limit_reaches_the_purge(tmp_path: Path) -> None:
    """``screening purge`` deletes a private check-in idle longer than the setting."""
    from sqlalchemy import update

    from screening.store import db as storage
    from tests.support.checkin import begin

    (app,) = web_app("sqlite", tmp_path, [])
    begin(app.test_client())
    engine = app.extensions["screening"].engine
    with storage.transaction(engine) as conn:  # quiet for ten minutes
        conn.execute(update(storage.interviews).values(updated_at=storage.now() - TEN_MINUTES))
        conn.execute(update(storage.sessions).values(last_seen=storage.now() - TEN_MINUTES))
    env = {
        "DATABASE_URL": app.extensions["screening"].settings.database_url,
        "SCREENING_INSTANCE": str(app.extensions["screening"].settings.instance),
    }
    for minutes, left in (("20", 1), ("15", 1), ("5", 0)):
        env["SCREENING_PRIVATE_IDLE_MINUTES"] = minutes
        assert CliRunner().invoke(main, ["purge"], env=env).exit_code == 0
        with storage.transaction(engine) as conn:
            assert storage.count(conn, storage.interviews) == left, minutes
    engine.dispose()


def test_command_settings_are_read_from_the_given_environment() -> None:
    assert config.debug({}) is False and config.debug({"SCREENING_DEBUG": "1"}) is True
    assert config.password({"SCREENING_PASSWORD": ""}) is None
    assert config.password({"SCREENING_PASSWORD": "a long passphrase"}) == "a long passphrase"
    assert config.new_data_key({}) is None
    assert config.instruments_folder({"SCREENING_INSTRUMENTS": "/x/y"}) == Path("/x/y")
    assert config.locales_folder({}) is None


# ---------------------------------------------------------------- the resolver


def test_a_checkout_finds_its_top_level_folders() -> None:
    assert resources.package() == PACKAGE
    assert resources.instruments() == ROOT / "instruments"
    assert resources.locales() == ROOT / "locales"
    assert resources.templates() == ROOT / "templates"
    assert resources.static() == PACKAGE / "web" / "static"
    assert resources.plan_css().is_file()


def test_an_installed_package_finds_its_bundled_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed, the package's parent is site-packages: no pyproject.toml, and a
    ``templates`` folder there (some other distribution's) is not ours."""
    site = tmp_path / "site-packages"
    for name in resources.SHIPPED:
        (site / "screening" / resources.BUNDLED / name).mkdir(parents=True)
        (site / name).mkdir()
    monkeypatch.setattr(resources, "package", lambda: site / "screening")
    for name in resources.SHIPPED:
        assert resources.shipped(name) == site / "screening" / "_bundled" / name
    (site / "pyproject.toml").write_text("")  # now it looks like a checkout
    assert resources.templates() == site / "templates"


def test_settings_name_other_instrument_and_catalog_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.INSTRUMENTS_ENV, str(tmp_path / "i"))
    monkeypatch.setenv(config.LOCALES_ENV, str(tmp_path / "l"))
    assert resources.instruments() == tmp_path / "i"
    assert resources.locales() == tmp_path / "l"
    with pytest.raises(ValueError, match="not a shipped folder"):
        resources.shipped("examples")
