"""The one message catalogue of the pages, the domain messages and the PDFs: gettext.

``app/translations/<locale>/LC_MESSAGES/messages.po`` (locales ``zh_CN`` and ``en``) hold
every text; the msgid is a stable key ("dsp.title", "doc.page", "err.stock.no_stock")
and the msgstr the words, with ``{name}`` placeholders (str.format, flagged
``python-brace-format``). The .po files are the source: they are compiled to gettext
``Translations`` in memory the first time a language is used (nothing is written; no .mo
file is tracked), and Flask-Babel serves the same objects to the pages
(``app.web.i18n.t``). This module needs no Flask, so the PDF renderers and the CLI use it
outside a request.

New keys go into the .po files (both locales) and, when the code builds the key at run
time (``t_code("rma_status", code)``, ``t("adm.f." ~ name)``), into ``app/i18n_keys.py``
with the no-op marker ``N_`` so ``pybabel extract`` finds them
(``python -m scripts.i18n check`` / ``extract``; docs/i18n.md).

Helpers working in parallel may still add a module of ``{key: (zh, en)}`` pairs and
``register()`` it (see ``app/web/i18n.py``); those pairs win over the catalogue until
``python -m scripts.i18n fold <module>`` writes them into the .po files.
"""

from __future__ import annotations

import io
import string
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGS = ("zh", "en")
# the app's language code -> the gettext locale of its catalogue
LOCALES = {"zh": "zh_CN", "en": "en"}
DOMAIN = "messages"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


class MissingTranslation(KeyError):
    """A key the catalogue does not have."""


def po_path(lang: str, directory: Path | None = None) -> Path:
    return (directory or TRANSLATIONS_DIR) / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, directory: Path | None = None) -> Catalog:
    with po_path(lang, directory).open("rb") as fh:
        return read_po(fh, locale=LOCALES[lang], domain=DOMAIN)


def compile_catalog(catalog: Catalog) -> Translations:
    """The gettext translations of ``catalog``, compiled in memory (.mo bytes)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


_lock = threading.Lock()
_loaded: dict[str, tuple[Translations, frozenset[str]]] = {}
# key -> (zh, en) of the not-yet-folded dict modules (register()); they win over the .po
PENDING: dict[str, tuple[str, str]] = {}


def _load(lang: str) -> tuple[Translations, frozenset[str]]:
    found = _loaded.get(lang)
    if found is None:
        with _lock:
            found = _loaded.get(lang)
            if found is None:
                catalog = read_catalog(lang)
                keys = frozenset(str(m.id) for m in catalog if m.id and m.string)
                found = _loaded[lang] = (compile_catalog(catalog), keys)
    return found


def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` ("zh" or "en")."""
    return _load(lang)[0]


def reload() -> None:
    """Forget the compiled catalogues (after the .po files changed)."""
    with _lock:
        _loaded.clear()


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add a not-yet-folded ``{key: (zh, en)}`` module's pairs."""
    PENDING.update(messages)


def has_key(key: str) -> bool:
    return key in PENDING or key in _load("zh")[1]


def keys() -> set[str]:
    return set(_load("zh")[1]) | set(_load("en")[1]) | set(PENDING)


def message(
    key: str, lang: str, values: Mapping[str, object] | None = None, *, strict: bool = True
) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in. A key the catalogue lacks
    raises ``MissingTranslation`` when ``strict``, else prints as the key."""
    pair = PENDING.get(key)
    if pair is not None:
        text = pair[LANGS.index(lang)]
    else:
        compiled, known = _load(lang)
        if key not in known:
            if strict:
                raise MissingTranslation(key)
            return key
        text = compiled.gettext(key)
    return text.format(**values) if values else text


def translate(key: str, lang: str, **values: object) -> str:
    """``message`` in strict mode, the values as keywords."""
    return message(key, lang, values)


def N_(key: str) -> str:
    """Marks a key the code builds at run time, for ``pybabel extract``; returns it."""
    return key


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


class Messages(Mapping[str, tuple[str, str]]):
    """Read view ``key -> (zh, en)`` of the catalogue plus the pending modules, for code
    that asks ``key in MESSAGES``; ``update()`` registers a pending module."""

    def __getitem__(self, key: str) -> tuple[str, str]:
        if not has_key(key):
            raise KeyError(key)
        return (translate(key, "zh"), translate(key, "en"))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and has_key(key)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(keys()))

    def __len__(self) -> int:
        return len(keys())

    def update(self, messages: Mapping[str, tuple[str, str]]) -> None:
        register(messages)


MESSAGES = Messages()
