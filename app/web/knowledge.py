"""The knowledge panel of the ticket pages: the symptom typed (or the ticket's own) searched
in the knowledge base; the search itself is ``inventory.knowledge``."""

from __future__ import annotations

from app.api.knowledge import QUERY_CHARS
from app.db import get_session
from app.web.i18n import t
from inventory import knowledge
from logistics.knowledge import KnowledgeIndex


def knowledge_panel(
    typed: str | None,
    symptom: str,
    *,
    model: str | None = None,
    index: KnowledgeIndex | None = None,
) -> dict:
    """Template values ``kb``, ``kb_query``, ``kb_error`` and ``kb_query_chars``: the typed
    symptom when there is one, else the ticket's (cut to the box's length)."""
    query = (typed if typed is not None else symptom[:QUERY_CHARS]).strip()
    values: dict = {"kb": None, "kb_query": query, "kb_error": None}
    values["kb_query_chars"] = QUERY_CHARS
    if len(query) > QUERY_CHARS:
        values["kb_error"] = t("kb.query_too_long", n=QUERY_CHARS)
    elif query:
        index = index or knowledge.knowledge_index(get_session())
        values["kb"] = knowledge.search_index(index, query, model=model)
    return values
