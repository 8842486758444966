"""The tests mirror the package, and share helpers only through ``tests/support``: no test
module imports another test module (or the conftest), so moving or deleting one test file
never breaks another."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

TESTS = ROOT / "tests"
PACKAGE = ROOT / "screening"
# Folders of tests that are not one package's: shared helpers, end-to-end browser runs,
# data files.
NOT_MIRRORS = {"support", "browser", "fixtures", "__pycache__"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def offending_imports(root: Path) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        for line, module in imported_modules(path):
            if module.startswith("tests.") and not module.startswith("tests.support"):
                bad.append(f"{path.relative_to(root)}:{line}: imports {module}")
    return bad


def test_no_test_module_imports_another() -> None:
    assert offending_imports(TESTS) == []


def test_the_check_finds_a_planted_import(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("from tests.web.test_api import start\n")
    (tmp_path / "test_b.py").write_text("def f():\n    import tests.conftest\n")
    (tmp_path / "test_c.py").write_text("from tests.support.api import start\n")
    assert offending_imports(tmp_path) == [
        "test_a.py:1: imports tests.web.test_api",
        "test_b.py:2: imports tests.conftest",
    ]


def test_test_folders_mirror_the_package() -> None:
    folders = {p.name for p in TESTS.iterdir() if p.is_dir()} - NOT_MIRRORS
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders <= packages, folders - packages
    for folder in folders:
        assert (TESTS / folder / "__init__.py").exists(), folder
        assert any((TESTS / folder).glob("test_*.py")), folder
