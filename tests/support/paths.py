"""Where the project's files are, seen from the tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


INSTRUMENTS = ROOT / "instruments"
