"""The fault knowledge base (知识库): search from the ticket page, articles, approval."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate
from sqlalchemy import select

from app.api.common import PageArgs, Str, WholeNumber, page_schema, plain, query_read, scalar_page
from app.auth import actor_name, roles_required
from app.db import get_session
from inventory import knowledge as svc
from models import KnowledgeArticle, limits

blp = Blueprint(
    "knowledge",
    __name__,
    url_prefix="/api/knowledge",
    description="Fault knowledge base (知识库 / 应急策略库): articles and symptom search",
)
# who searches: the people at the ticket (admins too); who writes and approves: the admin
SEARCHERS = ("dispatcher", "engineer")
QUERY_CHARS = 200
MAX_PARTS = 50  # part numbers an article names, and models


class SearchQuery(ma.Schema):
    q = Str(QUERY_CHARS, required=True, metadata={"description": "the symptom, in any language"})
    model = Str(limits.PART_NUMBER, metadata={"description": "equipment model (part number)"})
    limit = WholeNumber(load_default=5, validate=validate.Range(min=1, max=20))


class HitSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "article or ticket"})
    ref = ma.fields.String(metadata={"description": "KB-… or TKT-… number"})
    title = ma.fields.String()
    score = ma.fields.Float(metadata={"description": "BM25 score; higher is closer"})
    parts = ma.fields.List(ma.fields.String(), metadata={"description": "part numbers used"})


class PartSuggestionSchema(ma.Schema):
    part_number = ma.fields.String()
    score = ma.fields.Float()
    refs = ma.fields.List(ma.fields.String(), metadata={"description": "the hits naming it"})


class SearchSchema(ma.Schema):
    hits = ma.fields.List(ma.fields.Nested(HitSchema))
    parts = ma.fields.List(
        ma.fields.Nested(PartSuggestionSchema),
        metadata={"description": "at most three parts that fixed the closest faults"},
    )


class ArticleSchema(ma.Schema):
    number = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    title = Str(svc.TITLE_CHARS, allow_none=True)
    symptom = Str(limits.LONG_TEXT, required=True)
    cause = Str(limits.LONG_TEXT, allow_none=True)
    fix = Str(limits.LONG_TEXT, required=True)
    emergency_strategy = Str(limits.LONG_TEXT, allow_none=True)
    parts = ma.fields.List(
        Str(limits.PART_NUMBER), load_default=list, validate=validate.Length(max=MAX_PARTS)
    )
    models = ma.fields.List(
        Str(limits.PART_NUMBER), load_default=list, validate=validate.Length(max=MAX_PARTS)
    )
    source_ticket = ma.fields.String(dump_only=True, allow_none=True)
    created_by = ma.fields.String(dump_only=True)
    approved_by = ma.fields.String(dump_only=True, allow_none=True)


ArticlePage = page_schema(ArticleSchema, "ArticlePage")


class ArticleQuery(PageArgs):
    status = ma.fields.String(validate=validate.OneOf([s.value for s in svc.ArticleStatus]))


def _input(data: dict) -> svc.ArticleInput:
    return svc.ArticleInput(
        symptom=data["symptom"],
        fix=data["fix"],
        title=data.get("title"),
        cause=data.get("cause"),
        emergency_strategy=data.get("emergency_strategy"),
        parts=tuple(data.get("parts") or ()),
        models=tuple(data.get("models") or ()),
    )


@query_read(blp, "/search", SearchQuery, SearchSchema, *SEARCHERS)
def search(args):
    """The published articles and closed tickets closest to a symptom (Chinese or English),
    and the parts that fixed them — so the engineer brings the right spare the first time."""
    return plain(
        svc.search_knowledge(get_session(), args["q"], model=args.get("model"), limit=args["limit"])
    )


@query_read(blp, "/articles", ArticleQuery, ArticlePage, *SEARCHERS)
def list_articles(args):
    """Articles, newest first; ``status=proposed`` is the editor's queue of proposals."""
    db = get_session()
    stmt = select(KnowledgeArticle).order_by(KnowledgeArticle.id.desc())
    if args.get("status"):
        stmt = stmt.where(KnowledgeArticle.status == args["status"])
    return scalar_page(db, stmt, args, lambda a: plain(svc.article_view(db, a)))


@blp.post("/articles")
@blp.arguments(ArticleSchema)
@blp.response(201, ArticleSchema)
@roles_required()
def create_article(data):
    """Write an article (published at once: the admin is the editor)."""
    return plain(svc.create_article(get_session(), _input(data), actor=actor_name()))


@blp.put("/articles/<number>")
@blp.arguments(ArticleSchema)
@blp.response(200, ArticleSchema)
@roles_required()
def edit_article(data, number):
    """Rewrite an article; its status stays."""
    return plain(svc.edit_article(get_session(), number, _input(data), actor=actor_name()))


@blp.post("/articles/<number>/approve")
@blp.response(200, ArticleSchema)
@roles_required()
def approve_article(number):
    """Publish an article proposed from a closed ticket (409 if it is not proposed)."""
    return plain(svc.approve_article(get_session(), number, actor=actor_name()))
