"""Maintain the message catalogue (app/translations/<locale>/LC_MESSAGES/messages.po).

    python -m scripts.i18n check                 # extraction == catalogue, both locales complete
    python -m scripts.i18n extract -o messages.pot   # what pybabel extract -F babel.cfg finds
    python -m scripts.i18n fold app.web.i18n_foo     # fold a {key: (zh, en)} module into the .po
    python -m scripts.i18n fold --all            # every module registered in app/web/i18n.py

``fold`` writes the module's pairs into both .po files (a key already there takes the
module's words), marks the keys no ``t("...")`` / ``doc_label("...")`` call names literally in
``app/i18n_keys.py`` (N_), deletes the module and its lines in app/web/i18n.py, and runs
``check``. See docs/i18n.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from app import i18n as core

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app", "inventory", "logistics", "models")
KEYWORDS = {"t": None, "doc_label": None, "N_": None}
KEYS_MODULE = ROOT / "app" / "i18n_keys.py"
REGISTRY = ROOT / "app" / "web" / "i18n.py"
FIXED_DATE = datetime(2026, 12, 7, tzinfo=UTC)
HEADER_COMMENT = (
    "# Messages of the spare-parts & RMA logistics service. msgid = a stable key; the words\n"
    "# carry {name} placeholders (str.format). Edit here; see docs/i18n.md."
)


def extract(root: Path = ROOT) -> dict[str, list[tuple[str, int]]]:
    """key -> [(file, line)] of every key pybabel extract finds with babel.cfg."""
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list[tuple[str, int]]] = {}
    # babel warns about f"prefix.{code}" keys; they are skipped on purpose (N_() marked)
    with contextlib.redirect_stderr(io.StringIO()):
        for source in SOURCES:
            for filename, lineno, message, _comments, _context in extract_from_dir(
                str(root / source), method_map, options_map, keywords=KEYWORDS
            ):
                if isinstance(message, str) and message:
                    found.setdefault(message, []).append((f"{source}/{filename}", lineno))
    return found


def run_time_keys(path: Path = KEYS_MODULE) -> list[str]:
    if not path.exists():
        return []
    return re.findall(r'N_\("([^"]+)"\)', path.read_text(encoding="utf-8"))


def write_keys_module(keys: Iterable[str], path: Path = KEYS_MODULE) -> None:
    ordered = sorted(set(keys))
    lines = [
        '"""Message keys the code builds at run time (``t_code("rma_status", code)``,',
        '``t("adm.f." ~ name)``, ``coded_label("severity", code, lang)``, the page scripts\'',
        "words): marked with the no-op ``N_`` so ``pybabel extract -F babel.cfg`` finds every key",
        "of the catalogue. Kept by ``python -m scripts.i18n fold`` / checked by ``check``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from app.i18n import N_",
        "",
        "RUN_TIME_KEYS = (",
        *(f'    N_("{key}"),' for key in ordered),
        ")",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _catalog_pairs(directory: Path | None) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for index, lang in enumerate(core.LANGS):
        for message in core.read_catalog(lang, directory):
            if message.id:
                pairs.setdefault(str(message.id), ["", ""])[index] = str(message.string or "")
    return pairs


def write_catalogs(
    entries: Mapping[str, tuple[str, str]],
    directory: Path | None = None,
    *,
    replace_all: bool = False,
) -> None:
    """Put ``entries`` into both .po files (sorted by key, unwrapped lines)."""
    current: dict[str, list[str]] = {}
    if not replace_all and core.po_path("zh", directory).exists():
        current = _catalog_pairs(directory)
    for key, (zh, en) in entries.items():
        current[key] = [zh, en]
    for index, lang in enumerate(core.LANGS):
        catalog = Catalog(
            locale=core.LOCALES[lang],
            domain=core.DOMAIN,
            project="sparelog",
            version="1",
            header_comment=HEADER_COMMENT,
            fuzzy=False,
            creation_date=FIXED_DATE,  # a constant header: parallel folds merge cleanly
            revision_date=FIXED_DATE,
        )
        for key in sorted(current):
            text = current[key][index]
            catalog.add(key, text)
        path = core.po_path(lang, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, no_location=True, sort_output=True)
    core.reload()


def problems(root: Path = ROOT, directory: Path | None = None) -> list[str]:
    """What makes the catalogue and the code disagree; [] when they agree."""
    import app.web.i18n  # noqa: F401  (registers the not-yet-folded dict modules)

    out: list[str] = []
    pairs = _catalog_pairs(directory)
    for key, (zh, en) in sorted(pairs.items()):
        if not zh.strip() or not en.strip():
            out.append(f"{key}: empty in {'zh_CN' if not zh.strip() else 'en'}")
        elif core.placeholders(zh) != core.placeholders(en):
            out.append(f"{key}: placeholders differ between zh_CN and en")
    extracted = extract(root)
    pending = set(core.PENDING)
    for key in sorted(set(extracted) - set(pairs) - pending):
        file, line = extracted[key][0]
        out.append(f"{key}: used at {file}:{line} but not in the catalogue")
    for key in sorted(set(pairs) - set(extracted)):
        out.append(
            f"{key}: in the catalogue but no t()/doc_label() names it; mark it N_() in "
            "app/i18n_keys.py if the code builds it, else delete it"
        )
    return out


def _message_dicts(module: object) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for name in dir(module):
        if name.endswith("MESSAGES") and isinstance(getattr(module, name), dict):
            found.update(getattr(module, name))
    return found


def fold(module_name: str, root: Path = ROOT) -> int:
    """Fold one ``{key: (zh, en)}`` module into the catalogue; the number of keys."""
    module = importlib.import_module(module_name)
    pairs = _message_dicts(module)
    for key, (zh, en) in pairs.items():
        if not zh.strip() or not en.strip() or core.placeholders(zh) != core.placeholders(en):
            raise SystemExit(f"{module_name}: {key} lacks words or its placeholders differ")
    write_catalogs(pairs, root / "app" / "translations")
    names = [n for n in dir(module) if n.endswith("MESSAGES")]
    registry = root / "app" / "web" / "i18n.py"
    short = module_name.rsplit(".", 1)[-1]
    kept = [
        line
        for line in registry.read_text(encoding="utf-8").splitlines(keepends=True)
        if module_name not in line
        and f"import {short}" not in line
        and not any(re.search(rf"\b{n}\b", line) for n in names)
    ]
    registry.write_text("".join(kept), encoding="utf-8")
    module_file = Path(module.__file__ or "")
    for key in pairs:
        core.PENDING.pop(key, None)
    if module_file.is_file():
        module_file.unlink()
    keys_module = root / "app" / "i18n_keys.py"
    static = set(extract(root)) - set(run_time_keys(keys_module))
    marked = set(run_time_keys(keys_module)) | {k for k in pairs if k not in static}
    write_keys_module(marked, keys_module)
    return len(pairs)


def registered_modules(root: Path = ROOT) -> list[str]:
    text = (root / "app" / "web" / "i18n.py").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"from (app\.web\.i18n_\w+) import", text)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.i18n", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="extraction and catalogue agree, every entry translated")
    ext = sub.add_parser("extract", help="write the extracted keys as a .pot file")
    ext.add_argument("-o", "--output", default="-")
    fld = sub.add_parser("fold", help="fold dict modules into the .po files")
    fld.add_argument("modules", nargs="*")
    fld.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "extract":
        template = Catalog(project="sparelog", version="1", domain=core.DOMAIN)
        for key, locations in sorted(extract().items()):
            template.add(key, locations=locations)
        if args.output == "-":
            write_po(sys.stdout.buffer, template, width=0)
        else:
            with open(args.output, "wb") as fh:
                write_po(fh, template, width=0)
        return 0
    if args.command == "fold":
        import app.web.i18n  # noqa: F401  (registers the not-yet-folded dict modules)

        modules = registered_modules() if args.all else args.modules
        for name in modules:
            print(f"{name}: {fold(name)} keys folded")
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s)" if found else "catalogue and code agree")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
