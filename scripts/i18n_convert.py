"""One-time (run once, kept for the record): write the .po catalogues from the hand-written dicts (app/web/i18n.py
MESSAGES + i18n_admin, app/documents/labels.py _LABELS under "doc.")."""

from __future__ import annotations

from app.documents.labels import _LABELS
from app.web.i18n import MESSAGES
from scripts.i18n import extract, write_catalogs, write_keys_module

entries = dict(MESSAGES)
entries.update({f"doc.{key}": pair for key, pair in _LABELS.items()})
write_catalogs(entries, replace_all=True)
static = set(extract())
write_keys_module(set(entries) - static)
print(len(entries), "keys;", len(set(entries) - static), "built at run time")
