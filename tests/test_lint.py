"""The code stays ruff-clean and mypy-strict; the tools run from the locked environment."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.support.paths import ROOT


def _tool(name: str) -> list[str]:
    if shutil.which(name) is None and not (ROOT / ".venv" / "bin" / name).exists():
        pytest.skip(f"{name} is not installed (it is in the dev dependency group)")
    return [sys.executable, "-m", name]


def test_ruff_check() -> None:
    paths = [p for p in ("screening", "tests", "bench") if (ROOT / p).is_dir()]
    result = subprocess.run(
        [*_tool("ruff"), "check", *paths], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = subprocess.run(
        [*_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_nothing() -> None:
    """OWASP ASVS 5.0 asks for a static security scan: bandit over the package, every
    severity and confidence (pyproject.toml says which check is skipped, and why)."""
    result = subprocess.run(
        [*_tool("bandit"), "-q", "-c", "pyproject.toml", "-r", "screening"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
