"""The layer boundaries, checked: import-linter's contracts (pyproject.toml), no module
using another module's private names, no import circle, the domain's codes complete.

Each check also runs once on a copy of the package with a planted fault, and must fail
there: a check that cannot fail proves nothing."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from screening.errors import DEFAULTS, TEMPLATES, Code, DomainError

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "screening"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


# ---------------------------------------------------------------- import-linter


def _lint_imports(root: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the package found first in ``root`` (a copy, or the repo)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "screening", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_import_contracts_hold() -> None:
    done = _lint_imports(REPO, REPO / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: [1-9][0-9]* kept, 0 broken", done.stdout), done.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("web/guards.py", "import screening.store", "The web reaches storage only"),
        ("render/summary.py", "import flask", "Rendering and the use cases never need Flask"),
        ("core/model.py", "import screening.load.loader", "The core is pure"),
        ("store/plans.py", "import screening.services.interviews", "Layers"),
        ("web/pages.py", "import sqlalchemy", "Only the store speaks SQL"),
    ],
)
def test_a_planted_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    root = _copy(tmp_path)
    target = root / "screening" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{planted}  # planted\n")
    done = _lint_imports(root, root / "pyproject.toml")
    assert done.returncode != 0, done.stdout
    broken = [line for line in done.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), done.stdout


# ---------------------------------------------------------------- our own import graph


@dataclass(frozen=True)
class Use:
    module: str  # the module that imports or reads the name
    line: int
    target: str  # module.name


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted((root / "screening").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_only(tree: ast.Module) -> set[int]:
    """Ids of import nodes under ``if TYPE_CHECKING:`` (they never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def _imports(root: Path) -> Iterator[tuple[str, int, str, str | None]]:
    """(module, line, imported module, name taken from it or None), every import of
    ours, function-local ones too, type-only ones left out."""
    modules = _modules(root)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_only(tree)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("screening"):
                        yield module, node.lineno, alias.name, None
            elif isinstance(node, ast.ImportFrom):
                base = _base(module, path, node)
                if not base.startswith("screening"):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        yield module, node.lineno, sub, None
                    else:
                        yield module, node.lineno, base, alias.name


def graph(root: Path) -> dict[str, set[str]]:
    modules = _modules(root)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module, _line, target, _name in _imports(root):
        while target not in modules and "." in target:
            target = target.rsplit(".", 1)[0]
        if target != module:
            edges[module].add(target)
    return edges


GETTEXT_NAMES = frozenset({"_", "_p"})  # gettext's public names by convention (_p: per audience)


def _private(name: str | None) -> bool:
    """``_name``, not ``__dunder__`` and not ``_`` / ``_p`` (gettext's public names)."""
    return (
        bool(name)
        and name.startswith("_")
        and name not in GETTEXT_NAMES
        and not name.startswith("__")
    )


def private_uses(root: Path) -> list[Use]:
    """Every use of another module's ``_name``: ``from m import _name`` and
    ``alias._name`` where ``alias`` is a module of ours."""
    modules = _modules(root)
    found = []
    for module, line, target, name in _imports(root):
        if _private(name) and target != module:
            found.append(Use(module, line, f"{target}.{name}"))
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = _base(module, path, node)
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:
                        aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
                and aliases[node.value.id] != module
            ):
                found.append(Use(module, node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_no_module_uses_another_modules_private_names() -> None:
    assert private_uses(REPO) == []


def test_a_planted_private_use_is_found(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    target = root / "screening" / "web" / "plans.py"
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\nfrom screening.services.interviews import _apply\n"
        + "\ndef planted() -> object:\n    return guards._personal\n"
    )
    found = {u.target for u in private_uses(root)}
    assert found == {"screening.services.interviews._apply", "screening.web.guards._personal"}


def test_there_is_no_import_circle() -> None:
    assert cycles(graph(REPO)) == []


def test_a_planted_circle_is_found(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    target = root / "screening" / "web" / "guards.py"
    # function-local, as circles like to hide
    target.write_text(
        target.read_text(encoding="utf-8")
        + "\n\ndef planted() -> None:\n    from screening.web import pages  # noqa\n"
    )
    found = cycles(graph(root))
    assert any({"screening.web.guards", "screening.web.pages"} <= set(c) for c in found), found


# ---------------------------------------------------------------- the domain's codes


def test_every_code_has_a_message_that_fills_in() -> None:
    assert set(TEMPLATES) == set(Code)
    for code in Code:
        assert DomainError(code).message.strip(), code  # the defaults fill every field
    assert set(DEFAULTS) <= set(Code)


def test_every_engine_code_the_services_pass_on_is_a_code() -> None:
    """The services turn an ``InterviewError``'s code into a :class:`Code`; a code the
    engine raises that the enum lacks would be a 500."""
    raised = set()
    for folder in ("core", "services"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "InterviewError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    raised.add(node.args[0].value)
    assert raised, "no InterviewError found: the scan is broken"
    assert raised <= {c.value for c in Code}, raised - {c.value for c in Code}


def test_every_code_has_one_status_and_services_name_none() -> None:
    from screening.web.errors import STATUS, status_of

    assert set(STATUS) <= set(Code)
    assert all(400 <= status_of(c) < 600 for c in Code)
    assert status_of(Code.NOT_FOUND) == 404 and status_of(Code.BAD_ANSWER) == 400
    services = "\n".join(p.read_text("utf-8") for p in (PACKAGE / "services").rglob("*.py"))
    assert not re.search(r"\b[45][0-9]{2}\b,\s*\"", services)  # no (status, "code") pairs


def test_printing_a_plan_from_the_command_line_loads_no_flask() -> None:
    code = (
        "import sys, screening.render.pdf, screening.render.summary, screening.cli.plan; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'flask_babel', 'werkzeug')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout
