"""The core is pure: importing it brings in no YAML, web, database, PDF or i18n module."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = [
    "screening",
    "screening.core.model",
    "screening.core.conditions",
    "screening.core.answers",
    "screening.core.route",
    "screening.core.interview",
    "screening.core.scoring",
    "screening.load.reach",
    "screening.core.scorerange",
    "screening.core.matching",
    "screening.core.plan",
]
FORBIDDEN = [
    "yaml",
    "_yaml",
    "flask",
    "werkzeug",
    "jinja2",
    "sqlalchemy",
    "sqlite3",
    "psycopg",
    "psycopg2",
    "weasyprint",
    "babel",
    "flask_babel",
    "jsonschema",
    "click",
    "requests",
    "http.client",
    "socket",
]


def test_core_imports_no_edge_module() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == []


def test_the_check_itself_can_fail() -> None:
    """Guard against a vacuous purity test: the loader does bring YAML in."""
    code = "import sys, screening.load.loader; print('yaml' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True"
