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


# -- the module graph: no cycles, no reaching into another module's private names -----------

PACKAGES = ("app", "inventory", "logistics", "models")
CHECKED_FOR_PRIVATE = (*PACKAGES, "bench", "tests", "migrations")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(packages) -> dict[str, Path]:
    return {_module_name(p): p for package in packages for p in (ROOT / package).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _project_imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, line) of every import run at import time or in a
    function; ``if TYPE_CHECKING:`` blocks are left out (they never run)."""
    found: list[tuple[str, str | None, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, None, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = (
                        module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    )
                    package = package[: len(package) - (child.level - 1)]
                    base = ".".join([*package, base] if base else package)
                found.extend((base, alias.name, child.lineno) for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _resolve(known: dict[str, Path], base: str, name: str | None) -> str | None:
    """The project module an import reaches: ``from a import b`` is module a.b when a/b.py
    exists, else module a."""
    if name and f"{base}.{name}" in known:
        return f"{base}.{name}"
    return base if base in known else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))
    return cycles


def test_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other_even_through_others():
    known = _modules(PACKAGES)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for base, imported, _line in _project_imports(name, path):
            target = _resolve(known, base, imported)
            if target is not None and target != name:
                graph[name].add(target)
    assert _cycles(graph) == []


def test_no_module_imports_another_modules_private_name():
    known = _modules(CHECKED_FOR_PRIVATE)
    offenders = []
    for name, path in known.items():
        for base, imported, line in _project_imports(name, path):
            target = _resolve(known, base, imported)
            private = imported and imported.startswith("_") and not imported.startswith("__")
            if private and target is not None and target != name:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {base}.{imported}")
    assert offenders == []


def test_the_app_leaves_commit_and_rollback_to_the_transaction_boundary():
    """Services commit and roll back through ``inventory.transaction``; a view that commits
    on its own, or rolls back after a service already did, splits the boundary. Only the
    Idempotency-Key wrapper (app/idempotency.py) and the job runners (app/jobs/) hold
    transactions of their own."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "app/idempotency.py" or rel.startswith("app/jobs/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and not node.args
            ):
                offenders.append(f"{rel}:{node.lineno} .{node.func.attr}()")
    assert offenders == []
