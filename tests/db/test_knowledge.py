"""The knowledge base in the database: a closed ticket proposes an article, an editor
publishes it, and a symptom typed in Chinese finds it with the part that fixed it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inventory import knowledge, rmas, tickets
from inventory.dispatch_service import confirm_dispatch
from inventory.errors import Conflict, NotFound
from models import KnowledgeArticle
from tests.builders import make_part
from tests.races import at_once
from tests.service_builders import make_world, open_fault

AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _closed_ticket_with_a_part(session) -> tuple[str, str]:
    """A ticket fixed by an advance replacement and confirmed by the customer:
    (ticket number, part number used)."""
    w = make_world(session)
    t = open_fault(
        session, w, symptom="电源模块故障，设备无法开机", actor="d", part_number=w.part, now=AT
    )
    number = confirm_dispatch(
        session, t.number, engineer_code=w.engineer, depot_code=w.depot, actor="d", now=AT
    ).rma_number
    rmas.move_rma(session, number, "ship", actor="wh", now=AT + H)
    rmas.move_rma(session, number, "deliver", actor="eng", now=AT + 2 * H)
    tickets.move_ticket(session, t.number, "arrive", actor="eng", now=AT + 2 * H)
    tickets.move_ticket(
        session, t.number, "resolve", actor="eng", now=AT + 3 * H, resolution="更换电源模块"
    )
    tickets.close_ticket(session, t.number, actor="customer", confirmed=True, now=AT + 4 * H)
    return t.number, w.part


def test_a_closed_ticket_proposes_an_article_an_editor_publishes_and_search_finds(session):
    number, part = _closed_ticket_with_a_part(session)
    proposed = session.scalar(select(KnowledgeArticle))
    assert proposed is not None and proposed.status == "proposed"
    assert (proposed.parts, proposed.fix) == ([part], "更换电源模块")
    # proposing again from the same ticket adds nothing
    assert knowledge.propose_from_ticket(session, number, actor="editor") is None
    assert session.scalar(select(func.count(KnowledgeArticle.id))) == 1

    # before approval the closed ticket itself is found, not the proposal
    before = knowledge.search_knowledge(session, "开不了机，电源坏了")
    assert [(h.kind, h.ref) for h in before.hits] == [("ticket", number)]

    published = knowledge.approve_article(session, proposed.number, actor="editor")
    assert published.status == "published" and published.source_ticket == number
    after = knowledge.search_knowledge(session, "开不了机，电源坏了")
    assert [(h.kind, h.ref) for h in after.hits] == [("article", proposed.number)]
    assert [p.part_number for p in after.parts] == [part]
    with pytest.raises(Conflict):
        knowledge.approve_article(session, proposed.number, actor="editor")


def test_staff_write_an_article_that_is_found_at_once_and_can_be_edited(session):
    make_part(session, "RAID-H740P")
    made = knowledge.create_article(
        session,
        knowledge.ArticleInput(
            symptom="RAID卡告警，磁盘阵列降级",
            cause="RAID控制器电池失效",
            fix="更换RAID控制器",
            emergency_strategy="先切换到备用阵列",
            parts=("RAID-H740P",),
        ),
        actor="editor",
    )
    assert made.status == "published"
    assert knowledge.search_knowledge(session, "阵列降级").hits[0].ref == made.number
    edited = knowledge.edit_article(
        session,
        made.number,
        knowledge.ArticleInput(symptom="RAID卡告警", fix="重新插拔RAID卡", parts=("RAID-H740P",)),
        actor="editor",
    )
    assert edited.fix == "重新插拔RAID卡" and edited.status == "published"
    assert knowledge.search_knowledge(session, "阵列降级").hits == ()


def test_an_article_naming_an_unknown_part_is_refused(session):
    with pytest.raises(NotFound) as error:
        knowledge.create_article(
            session, knowledge.ArticleInput(symptom="x", fix="y", parts=("NOPE",)), actor="e"
        )
    assert error.value.field == "parts"
    assert session.scalar(select(func.count(KnowledgeArticle.id))) == 0


def test_two_editors_proposing_from_the_same_ticket_at_once_make_one_article(session, database_url):
    from models.db import make_engine, make_session_factory

    number, _part = _closed_ticket_with_a_part(session)
    session.execute(KnowledgeArticle.__table__.delete())  # the one proposed at closing
    session.commit()
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    results = at_once(
        2,
        lambda s, i: knowledge.propose_from_ticket(s, number, actor=f"editor{i}"),
        sessions=make_session_factory(engine),
    )
    engine.dispose()
    made = [r for r in results if r is not None]
    assert len(made) == 1 and made[0].source_ticket == number
    session.rollback()
    assert session.scalar(select(func.count(KnowledgeArticle.id))) == 1
