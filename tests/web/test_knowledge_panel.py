"""The knowledge panel on the ticket page and the engineer's jobs: a symptom typed in
Chinese shows the closest article and the part that fixed it."""

from __future__ import annotations

from inventory import knowledge
from tests.web.conftest import open_ticket, post_form

PSU = "SRV-2288-PSU"


def _article(app, db) -> str:
    with app.app_context():
        made = knowledge.create_article(
            db,
            knowledge.ArticleInput(
                symptom="电源模块故障，服务器无法开机，电源指示灯不亮",
                fix="更换电源模块",
                parts=(PSU,),
                models=(PSU,),
            ),
            actor="admin",
        )
    db.rollback()
    return made.number


def test_a_symptom_typed_on_the_ticket_page_shows_the_article_and_its_part(app, db, as_role):
    with app.app_context():
        number = open_ticket(db, symptom="网口间歇丢包")
    article = _article(app, db)
    client = as_role("dispatcher")
    page = client.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    panel = page[page.index('id="knowledge"') :]
    assert "没有找到相似的案例" in panel  # the ticket's own symptom: nothing like it yet
    page = client.get(
        f"/dispatch/tickets/{number}", query_string={"kq": "开不了机，电源灯不亮"}
    ).get_data(as_text=True)
    panel = page[page.index('id="knowledge"') :]
    assert f'data-ref="{article}"' in panel and f'data-part="{PSU}"' in panel
    post_form(client, "/prefs", {"lang": "en"}, page=f"/dispatch/tickets/{number}")
    too_long = client.get(f"/dispatch/tickets/{number}", query_string={"kq": "电" * 201})
    assert too_long.status_code == 200
    assert "The symptom may be at most 200 characters" in too_long.get_data(as_text=True)


def test_the_engineers_jobs_show_the_parts_that_fixed_similar_faults(app, db, as_role):
    _article(app, db)
    client = as_role("engineer")
    page = client.get("/engineer/", query_string={"kq": "电源指示灯不亮"}).get_data(as_text=True)
    panel = page[page.index('id="knowledge"') :]
    assert f'data-part="{PSU}"' in panel
