"""Printed labels of the documents in zh-CN (default) and en: the ``doc.*`` keys of the
one message catalogue (``app.i18n``, app/translations/*/messages.po)."""

from __future__ import annotations

from app import i18n as catalogue

SUPPORTED_LANGS = ("zh", "en")

_ALIASES = {"zh": "zh", "zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "en": "en"}


def normalise_lang(lang: str) -> str:
    """Return "zh" or "en"; raise ValueError for any language the documents lack."""
    code = _ALIASES.get(lang.strip().lower()) if isinstance(lang, str) else None
    if code is None:
        raise ValueError(
            f"unsupported document language {lang!r}; use one of {', '.join(SUPPORTED_LANGS)}"
        )
    return code


def doc_label(key: str, lang: str, **values: object) -> str:
    """The printed label ``key`` in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    return catalogue.translate(key, lang, **values)


def coded_label(prefix: str, code: str, lang: str) -> str:
    """Translate a stable code (severity, clock, channel, event); unknown codes print as given."""
    key = f"doc.{prefix}_{code}"
    return doc_label(key, lang) if catalogue.has_key(key) else code
