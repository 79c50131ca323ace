"""Every domain error can be said in both languages (docs/i18n.md, "Domain errors"): each
``DomainError`` (sub)class built in app/, inventory/ and logistics/ carries a ``key`` (one
without would reach a Chinese reader in English), the catalogue has its ``err.<key>``
words, and the raise gives every value the words name (a missing one would turn the
reader's error into a server error on the page)."""

from __future__ import annotations

import ast
from pathlib import Path

import app.web.i18n  # noqa: F401  (registers the not-yet-folded message modules)
from app.i18n import MESSAGES, placeholders
from inventory import errors

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"DomainError", "NotFound", "InvalidInput", "Conflict", "TooLarge", "Forbidden"}


def _branches(node: ast.expr | None) -> list[ast.expr | None]:
    """The values a keyword may take: both arms of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return _branches(node.body) + _branches(node.orelse)
    return [node]


def _as_built(call: ast.Call) -> ast.Call:
    """``NotFound.unknown(what, value, **rest)`` (any error class's ``unknown``, in
    inventory/errors.py) read as the call it makes:
    ``NotFound(..., key="unknown", params={"what": what, "value": value}, **rest)``;
    any other call as it is."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr == "unknown"
        and _class_name(func.value) in ERROR_CLASSES
    ):
        return call
    named = dict(zip(("what", "value"), call.args, strict=False))
    named |= {k.arg: k.value for k in call.keywords if k.arg in ("what", "value")}
    params = ast.Dict(
        keys=[ast.Constant("what"), ast.Constant("value")],
        values=[named["what"], named["value"]],
    )
    rest = [k for k in call.keywords if k.arg not in ("what", "value")]
    return ast.Call(
        func=func.value,
        args=[],
        keywords=[
            *rest,
            ast.keyword("key", ast.Constant("unknown")),
            ast.keyword("params", params),
        ],
        lineno=call.lineno,
    )


def keyed_errors() -> list[tuple[str, str, set[str] | None]]:
    """(where, key, the params' names or None when they are not written out) of every
    domain error built with a key in app/, inventory/ and logistics/."""
    found = []
    for source in ("app", "inventory", "logistics"):
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                node = _as_built(node)
                if not isinstance(node.func, ast.Name):
                    continue
                if node.func.id not in ERRORS:
                    continue
                kw = {k.arg: k.value for k in node.keywords}
                if "key" not in kw:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                keys = _branches(kw["key"])
                params = _branches(kw.get("params"))
                if len(params) == 1:
                    params = params * len(keys)
                for key, given in zip(keys, params, strict=True):
                    assert isinstance(key, ast.Constant) and isinstance(key.value, str), where
                    names: set[str] | None = set()
                    if isinstance(given, ast.Dict):
                        if all(isinstance(k, ast.Constant) for k in given.keys):
                            names = {k.value for k in given.keys}  # type: ignore[union-attr]
                        else:
                            names = None
                    elif given is not None:
                        names = None
                    found.append((where, key.value, names))
    return found


def test_the_inventory_raises_carry_keys():
    assert len({key for _where, key, _names in keyed_errors()}) > 100


def test_every_keyed_error_has_words_and_the_values_they_name():
    wrong = []
    for where, key, names in keyed_errors():
        if f"err.{key}" not in MESSAGES:
            wrong.append(f"{where}: err.{key} is not in the catalogue")
            continue
        zh, en = MESSAGES[f"err.{key}"]
        needed = placeholders(zh) | placeholders(en)
        if names is not None and not needed <= names:
            wrong.append(f"{where}: err.{key} needs {sorted(needed - names)}")
    assert wrong == []


# -- every error built has a key ----------------------------------------------------------

# DomainError and every subclass inventory/errors.py defines (a new one is checked too)
ERROR_CLASSES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
}


def _class_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):  # errors.NotFound(...)
        return func.attr
    return None


def built_errors() -> list[tuple[str, ast.Call]]:
    """(where, the call) of every domain error built in app/, inventory/ and logistics/:
    raised on the spot or returned by a helper for its caller to raise."""
    found = []
    for source in ("app", "inventory", "logistics"):
        for path in sorted((ROOT / source).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                node = _as_built(node)
                if _class_name(node.func) in ERROR_CLASSES:
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_the_walk_sees_every_kind_of_domain_error():
    assert ERROR_CLASSES >= ERRORS
    assert len(built_errors()) > 300  # the walk reads the code it guards


def test_an_unknown_thing_is_read_as_the_error_it_builds():
    error = errors.NotFound.unknown("return_rule", 7, field="id")
    assert (error.message, error.field) == ("unknown return rule 7", "id")
    (call,) = [
        node
        for node in ast.walk(ast.parse('NotFound.unknown("part", n, field="f")'))
        if isinstance(node, ast.Call)
    ]
    built = _as_built(call)
    kw = {k.arg: k.value for k in built.keywords}
    assert _class_name(built.func) == "NotFound"
    assert isinstance(kw["key"], ast.Constant) and kw["key"].value == error.key
    assert isinstance(kw["params"], ast.Dict)
    read = {k.value: v for k, v in zip(kw["params"].keys, kw["params"].values, strict=True)}  # type: ignore[union-attr]
    assert set(read) == set(error.params)
    assert isinstance(read["what"], ast.Constant) and read["what"].value == "part"
    assert isinstance(kw["field"], ast.Constant) and kw["field"].value == "f"


def test_every_domain_error_is_built_with_a_key():
    keyless = [
        f"{where}: {_class_name(call.func)}(...) without key="
        for where, call in built_errors()
        if not any(k.arg == "key" for k in call.keywords)
    ]
    assert keyless == []


def test_every_thing_an_error_names_has_words():
    """``what`` is worded through ``thing.<what>`` (app.web.i18n.error_text)."""
    wordless = []
    for where, call in built_errors():
        for keyword in call.keywords:
            if keyword.arg != "params" or not isinstance(keyword.value, ast.Dict):
                continue
            for name, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if (
                    isinstance(name, ast.Constant)
                    and name.value == "what"
                    and isinstance(value, ast.Constant)
                    and f"thing.{value.value}" not in MESSAGES
                ):
                    wordless.append(f"{where}: thing.{value.value} is not in the catalogue")
    assert wordless == []


def test_every_record_check_own_names_has_words():
    """``app.api.scoping.check_own(what, value, ...)`` hands its ``what`` on to
    ``NotFound.unknown``, where the walk above sees only a name: the ``what`` each of its
    calls names is worded too."""
    named, wordless = 0, []
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _class_name(node.func) == "check_own"):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            what = node.args[0] if node.args else None
            assert isinstance(what, ast.Constant) and isinstance(what.value, str), where
            named += 1
            if f"thing.{what.value}" not in MESSAGES:
                wordless.append(f"{where}: thing.{what.value} is not in the catalogue")
    assert named >= 3  # the walk reads the views it guards
    assert wordless == []
