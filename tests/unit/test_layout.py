"""The layout tells the architecture: Flask stays in app/, solvers stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["inventory", "logistics", "models"])
def test_domain_packages_never_import_flask_or_the_app(package):
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            _imports(p) & {"flask", "flask_smorest", "werkzeug", "app"}
        )
        for p in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_solvers_never_touch_the_database():
    solver_files = [*(ROOT / "logistics").rglob("*.py")]
    offenders = {
        str(p.relative_to(ROOT))
        for p in solver_files
        if _imports(p) & {"sqlalchemy", "models", "psycopg"}
    }
    assert offenders == set()


def test_only_the_routing_solver_imports_ortools_routing():
    users = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "logistics").rglob("*.py")
        if "ortools.constraint_solver" in p.read_text(encoding="utf-8")
    }
    assert users == {"logistics/routing/solver.py"}
