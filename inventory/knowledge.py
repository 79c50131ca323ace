"""The fault knowledge base (知识库 / 应急策略库): articles and the search over them.

An article is written by staff (published at once) or proposed from a closed ticket with
its fault handling report (symptom, cause, fix, the parts that fixed it; status
``proposed``) and published when an editor approves it. Search reads the published articles
and the closed tickets that used parts, and ranks them with ``logistics.knowledge``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory.errors import Conflict, InvalidInput, NotFound
from inventory.events import record_on
from inventory.ledger import rows_matched
from inventory.lookups import one_by, ticket_by_ref
from inventory.numbering import next_number
from inventory.rmas import RmaKind
from inventory.transaction import transaction
from inventory.views import view_of
from logistics.knowledge import KnowledgeDoc, KnowledgeIndex, PartSuggestion, suggest_parts
from models import KnowledgeArticle, Part, Rma, Ticket, utcnow

# Closed tickets searched: the newest this many (bounded memory per search).
MAX_TICKETS_SEARCHED = 5000
TITLE_CHARS = 200


class ArticleStatus(StrEnum):
    PROPOSED = "proposed"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class ArticleInput:
    """What staff write. ``parts`` and ``models`` are part numbers of the catalogue."""

    symptom: str
    fix: str
    title: str | None = None
    cause: str | None = None
    emergency_strategy: str | None = None
    parts: tuple[str, ...] = ()
    models: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleView:
    number: str
    status: str
    title: str
    symptom: str
    cause: str | None
    fix: str
    emergency_strategy: str | None
    parts: tuple[str, ...]
    models: tuple[str, ...]
    source_ticket: str | None
    created_by: str
    approved_by: str | None


@dataclass(frozen=True)
class SearchHit:
    kind: str  # article | ticket
    ref: str
    title: str
    score: float
    parts: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    parts: tuple[PartSuggestion, ...]


def rmas_that_fixed(rmas: Sequence[Rma]) -> list[Rma]:
    """The RMAs whose part was used on site: advance replacements delivered to the site."""
    return [
        r
        for r in rmas
        if r.kind == RmaKind.ADVANCE_REPLACEMENT.value and r.delivered_at is not None
    ]


def article_view(session: Session, a: KnowledgeArticle) -> ArticleView:
    source = session.get(Ticket, a.source_ticket_id) if a.source_ticket_id else None
    return view_of(
        ArticleView,
        a,
        parts=tuple(a.parts or ()),
        models=tuple(a.models or ()),
        source_ticket=source.number if source else None,
    )


def _known_parts(session: Session, numbers: Sequence[str], field: str) -> list[str]:
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    found = set(session.scalars(select(Part.part_number).where(Part.part_number.in_(wanted))))
    missing = [n for n in wanted if n not in found]
    if missing:
        raise NotFound.unknown(
            "part",
            ", ".join(missing),
            message=f"unknown part number(s): {', '.join(missing)}",
            field=field,
        )
    return wanted


def _checked(session: Session, given: ArticleInput) -> dict:
    if not given.symptom.strip():
        raise InvalidInput("describe the symptom", field="symptom", key="describe_symptom")
    if not given.fix.strip():
        raise InvalidInput("describe the fix", field="fix", key="describe_fix")
    return {
        "title": (given.title or given.symptom).strip()[:TITLE_CHARS],
        "symptom": given.symptom.strip(),
        "cause": given.cause,
        "fix": given.fix.strip(),
        "emergency_strategy": given.emergency_strategy,
        "parts": _known_parts(session, given.parts, "parts"),
        "models": _known_parts(session, given.models, "models"),
    }


def article_by_number(session: Session, number: str) -> KnowledgeArticle:
    return one_by(session, KnowledgeArticle.number, number, "article", field="number")


def _event(session: Session, a: KnowledgeArticle, kind: str, actor: str, at, previous=None):
    record_on(
        session, "article", a, kind, actor=actor, from_state=previous, to_state=a.status, at=at
    )


def create_article(
    session: Session, given: ArticleInput, *, actor: str, now: datetime | None = None
) -> ArticleView:
    """An article written by staff: published at once. Commits."""
    now = now or utcnow()
    with transaction(session):
        article = KnowledgeArticle(
            number=next_number(session, "KB", now),
            status=ArticleStatus.PUBLISHED.value,
            created_by=actor,
            created_at=now,
            approved_by=actor,
            approved_at=now,
            **_checked(session, given),
        )
        session.add(article)
        session.flush()
        _event(session, article, "article_published", actor, now)
        view = article_view(session, article)
    return view


def edit_article(
    session: Session, number: str, given: ArticleInput, *, actor: str, now: datetime | None = None
) -> ArticleView:
    """Rewrite an article's text, parts and models (its status stays). Commits."""
    now = now or utcnow()
    with transaction(session):
        article = article_by_number(session, number)
        for key, value in _checked(session, given).items():
            setattr(article, key, value)
        article.updated_by, article.updated_at = actor, now
        session.flush()
        _event(session, article, "article_edited", actor, now, article.status)
        view = article_view(session, article)
    return view


def propose_in_session(
    session: Session, ticket: Ticket, *, actor: str, now: datetime | None = None
) -> KnowledgeArticle | None:
    """Propose an article from a closed ticket and its fault handling report (no commit):
    symptom, cause (the fault analysis), fix (resolution and actions), the parts delivered
    and the equipment model. None when the ticket already proposed one, or teaches nothing
    (no resolution and no part used)."""
    if ticket.closed_at is None:  # closed is the end of a ticket's life: the stamp says it
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; close it first",
            field="ref",
            key="ticket_close_first",
            params={"ref": ticket.number, "ticket_status": ticket.status},
        )
    exists = select(KnowledgeArticle.id).where(KnowledgeArticle.source_ticket_id == ticket.id)
    if session.scalar(exists) is not None:
        return None
    rmas = list(session.scalars(select(Rma).where(Rma.ticket_id == ticket.id).order_by(Rma.id)))
    used = rmas_that_fixed(rmas)
    parts = list(dict.fromkeys((r.replacement_part or r.faulty_part).part_number for r in used))
    actions = [x for x in (ticket.resolution, *(r.fault_action for r in rmas)) if x]
    if not actions and not parts:
        return None
    model = ticket.part or (ticket.equipment.part if ticket.equipment else None)
    now = now or utcnow()
    article = KnowledgeArticle(
        number=next_number(session, "KB", now),
        status=ArticleStatus.PROPOSED.value,
        title=ticket.symptom.strip()[:TITLE_CHARS],
        symptom=ticket.symptom,
        cause=next((r.fault_analysis for r in reversed(rmas) if r.fault_analysis), None),
        fix="\n".join(dict.fromkeys(actions)) or "—",
        parts=parts,
        models=[model.part_number] if model else [],
        source_ticket_id=ticket.id,
        created_by=actor,
        created_at=now,
    )
    with session.begin_nested():  # two proposals at once: the unique source decides
        session.add(article)
        try:
            session.flush()
        except IntegrityError:
            return None
    _event(session, article, "article_proposed", actor, now)
    return article


def propose_from_ticket(
    session: Session, ref: str | int, *, actor: str, now: datetime | None = None
) -> ArticleView | None:
    """Propose an article from a closed ticket (see ``propose_in_session``). Commits."""
    with transaction(session):
        article = propose_in_session(session, ticket_by_ref(session, ref), actor=actor, now=now)
        view = article_view(session, article) if article else None
    return view


def approve_article(
    session: Session, number: str, *, actor: str, now: datetime | None = None
) -> ArticleView:
    """An editor publishes a proposed article (compare-and-set on the status). Commits."""
    now = now or utcnow()
    with transaction(session):
        article = article_by_number(session, number)
        won = rows_matched(
            session.execute(
                update(KnowledgeArticle)
                .where(
                    KnowledgeArticle.id == article.id,
                    KnowledgeArticle.status == ArticleStatus.PROPOSED.value,
                )
                .values(status=ArticleStatus.PUBLISHED.value, approved_by=actor, approved_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if won != 1:
            raise Conflict(
                f"article {number} is {article.status}; only a proposed article is approved",
                field="status",
                key="article_not_proposed",
                params={"ref": number},
            )
        session.refresh(article)
        _event(session, article, "article_published", actor, now, ArticleStatus.PROPOSED.value)
        view = article_view(session, article)
    return view


def _article_doc(a: KnowledgeArticle) -> KnowledgeDoc:
    text = " ".join(x for x in (a.title, a.symptom, a.cause, a.fix, a.emergency_strategy) if x)
    return KnowledgeDoc(
        "article", a.number, text, tuple(a.parts or ()), tuple(a.models or ()), a.title
    )


def knowledge_docs(session: Session) -> list[KnowledgeDoc]:
    """Every published article, and the newest closed tickets with the parts that fixed them
    (tickets whose article is published are left out: the article stands for them)."""
    articles = list(
        session.scalars(
            select(KnowledgeArticle)
            .where(KnowledgeArticle.status == ArticleStatus.PUBLISHED.value)
            .order_by(KnowledgeArticle.id)
        )
    )
    covered = {a.source_ticket_id for a in articles if a.source_ticket_id}
    tickets = list(
        session.scalars(
            select(Ticket)
            .where(Ticket.closed_at.is_not(None))
            .order_by(Ticket.closed_at.desc(), Ticket.id.desc())
            .limit(MAX_TICKETS_SEARCHED)
        )
    )
    tickets = [t for t in tickets if t.id not in covered]
    fixed: dict[int, list[str]] = {}
    if tickets:
        rows = session.scalars(
            select(Rma)
            .where(Rma.ticket_id.in_([t.id for t in tickets]))
            .order_by(Rma.ticket_id, Rma.id)
        )
        for r in rmas_that_fixed(list(rows)):
            part = r.replacement_part or r.faulty_part
            fixed.setdefault(r.ticket_id or 0, []).append(part.part_number)
    docs = [_article_doc(a) for a in articles]
    for t in tickets:
        model = t.part or (t.equipment.part if t.equipment else None)
        text = " ".join(x for x in (t.symptom, t.resolution) if x)
        parts = tuple(dict.fromkeys(fixed.get(t.id, ())))
        models = (model.part_number,) if model else ()
        docs.append(KnowledgeDoc("ticket", t.number, text, parts, models, t.symptom[:TITLE_CHARS]))
    return docs


def knowledge_index(session: Session) -> KnowledgeIndex:
    """The search index over ``knowledge_docs``: build once per request, search many times."""
    return KnowledgeIndex(knowledge_docs(session))


def search_index(
    index: KnowledgeIndex, query: str, *, model: str | None = None, limit: int = 5
) -> SearchResult:
    """The documents of ``index`` closest to a symptom, best first, and the three parts that
    fixed them most (summed over the ten closest)."""
    if not query.strip():
        raise InvalidInput("type a symptom to search for", field="q", key="type_symptom")
    hits = index.search(query, model=model, limit=max(limit, 10))
    return SearchResult(
        hits=tuple(
            SearchHit(h.doc.kind, h.doc.ref, h.doc.title, round(h.score, 4), h.doc.parts)
            for h in hits[:limit]
        ),
        parts=tuple(suggest_parts(hits, 3)),
    )


def search_knowledge(
    session: Session, query: str, *, model: str | None = None, limit: int = 5
) -> SearchResult:
    """The published articles and closed tickets closest to a symptom, best first, and the
    three parts that fixed them most."""
    if not query.strip():
        raise InvalidInput("type a symptom to search for", field="q", key="type_symptom")
    return search_index(knowledge_index(session), query, model=model, limit=limit)
