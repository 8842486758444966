"""Shared fixtures: small inline instruments written as YAML text, so a test reads like
the case it covers, and a CLI runner that runs the real `screening` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.fonts import only_project_fonts
from tests.support.paths import ROOT

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "full", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _project_fonts_only(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test sees the shipped fonts and no system font (fontconfig), so the PDF,
    font and browser tests pass on a machine without system Noto fonts and fail on a
    script the project does not ship a font for. SCREENING_TEST_SYSTEM_FONTS=1 keeps
    the machine's own fonts."""
    if os.environ.get("SCREENING_TEST_SYSTEM_FONTS") != "1":
        only_project_fonts(tmp_path_factory.mktemp("fontconfig"))


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m screening ARGS``; dict/list arguments become JSON files."""

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        argv = []
        for n, arg in enumerate(args):
            if isinstance(arg, dict | list):
                path = tmp_path / f"arg{n}.json"
                path.write_text(json.dumps(arg))
                argv.append(str(path))
            else:
                argv.append(str(arg))
        return subprocess.run(
            [sys.executable, "-m", "screening", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )

    return run


# --- the web app on SQLite and, when SCREENING_TEST_DATABASE_URL is set, PostgreSQL ------
