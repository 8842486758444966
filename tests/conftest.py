"""Shared fixtures: small inline instruments written as YAML text, so a test reads like
the case it covers, and a CLI runner that runs the real `screening` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from screening.loader import load_bytes
from screening.model import Instrument

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = ROOT / "instruments"

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "full", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

HEADER = """\
id: test
version: 0.1.0
title: Test instrument
language: en
audiences: [worker]
licence: CC-BY-4.0
codesign: {status: draft}
changelog: [{version: 0.1.0, date: "2026-11-29", changes: Test.}]
"""


def instrument_yaml(body: str) -> str:
    """A complete instrument: the fixed header above plus ``body`` (sections etc.)."""
    return HEADER + textwrap.dedent(body)


def make(body: str) -> Instrument:
    return load_bytes(instrument_yaml(body).encode(), "test.yaml")


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
            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        )

    return run
