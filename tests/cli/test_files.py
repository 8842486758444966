"""Every file the project writes with answers or keys is its owner's alone (issue 15,
point 8): the SQLite database and its -wal and -shm, the generated keys, `interview
--save` and exports are created 0600, in a 0700 instance folder, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from screening.crypto import keyfiles
from screening.store import db as storage
from tests.support.paths import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screening", *args], input=stdin, capture_output=True,
        text=True, cwd=ROOT, timeout=120, check=False, env=env,
    )  # fmt: skip


def test_the_database_its_wal_and_shm_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask: files 0644 unless we say otherwise
    try:
        path = keyfiles.private_folder(tmp_path / "instance") / "screening.db"  # as serve does
        engine = storage.make_engine(f"sqlite:///{path}")
        storage.migrate(engine)
        with engine.connect() as conn:  # -wal and -shm exist while a connection is open
            conn.execute(text("SELECT 1"))
            for name in ("screening.db", "screening.db-wal", "screening.db-shm"):
                assert mode(path.parent / name) == 0o600, name
        engine.dispose()
        assert mode(path.parent) == 0o700
    finally:
        os.umask(old)


def test_an_existing_database_made_0644_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    storage.make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_keys_saved_answers_and_exports_are_0600(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")},
        "SCREENING_INSTANCE": str(instance),
        "SCREENING_PASSWORD": "violet kettle harbour moonlit 42",
    }
    env.pop("DATABASE_URL", None)
    done = _run("users", "create", "robin", "--org", "Harbour", "--role", "worker", env=env)
    assert done.returncode == 0, done.stderr
    assert mode(instance) == 0o700
    made = sorted(p.name for p in instance.iterdir())
    assert "screening.db" in made and "secret.key" in made, made
    for name in made:
        assert mode(instance / name) == 0o600, name
    saved = tmp_path / "answers.json"
    done = _run("interview", "pc-ptsd-5", "--save", str(saved), env=env, stdin="y\n1\nq\n")
    assert done.returncode == 0, done.stderr
    assert mode(saved) == 0o600 and '"pcptsd5_gate": 1' in saved.read_text()
    plan = tmp_path / "out" / "plan.html"
    example = str(ROOT / "examples" / "needs-assessment-amara.yaml")
    done = _run("plan", "needs-assessment", example, "--html", str(plan), env=env)
    assert done.returncode == 0, done.stderr
    assert mode(plan) == 0o600 and mode(plan.parent) == 0o700


def test_write_private_makes_an_existing_file_private(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("old")
    os.chmod(path, 0o644)
    keyfiles.write_private(path, "id,answer\n")
    assert mode(path) == 0o600 and path.read_text() == "id,answer\n"
