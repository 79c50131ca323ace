"""A domain error reaches the person who met it in their language (issue 13): the pages'
flash messages and a page's own API call (the session's cookie) say the catalogue's
``err.<key>`` with the error's params; an API client with a token still reads the English
message it always read."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import post_form

FLASH = re.compile(r'class="flash (success|error)"[^>]*>\s*([^<]*)')
TOKEN = {"Authorization": "Bearer demo-admin-token"}


def _flash(response) -> tuple[str, str]:
    found = FLASH.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:2000]
    return found.group(1), found.group(2).strip()


def _in(client, lang: str, page: str) -> None:
    post_form(client, "/prefs", {"lang": lang}, page=page)


def _error_after(client, url: str, body: dict[str, str], *, page: str) -> str:
    """Post the form on ``page`` and return the error flash it comes back with."""
    kind, text = _flash(post_form(client, url, body, page=page, follow_redirects=True))
    assert kind == "error", text
    return text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", "ENG-001 的车载库存不缺本库能补的备件"),
        ("en", "the van of ENG-001 lacks nothing this depot can send"),
    ],
)
def test_the_warehouse_reads_a_van_that_lacks_nothing_in_its_language(client, as_role, lang, words):
    as_role("warehouse")
    _in(client, lang, "/vans/")
    text = _error_after(client, "/vans/replenish", {"engineer": "ENG-001"}, page="/vans/")
    assert words in text


@pytest.mark.parametrize(
    ("role", "page", "url", "body", "chinese", "english"),
    [
        pytest.param(
            "warehouse",
            "/vans/",
            "/vans/levels",
            {"engineer": "ENG-999", "part_number": "SRV-2288-PSU", "level": "1"},
            "找不到工程师 ENG-999",
            "unknown engineer",
            id="an unknown engineer on the van page",
        ),
        pytest.param(
            "dispatcher",
            "/dispatch/",
            "/dispatch/sites",
            {
                "customer": "C001",
                "site_code": "C001-X1",
                "site_name": "机房 X1",
                "site_address": "Qqxz Vvwy",
            },
            "找不到地点“Qqxz Vvwy”",
            "no known place",
            id="an unknown address on the dispatcher page",
        ),
    ],
)
def test_a_refused_form_is_said_in_chinese_on_a_chinese_page(
    client, as_role, role, page, url, body, chinese, english
):
    as_role(role)
    _in(client, "zh", page)
    text = _error_after(client, url, body, page=page)
    assert chinese in text
    assert english not in text


def test_a_pages_own_api_call_says_the_error_in_the_readers_language(client, as_role):
    as_role("dispatcher")
    _in(client, "zh", "/dispatch/")
    zh = client.get("/api/tickets/TK-NOPE")
    assert zh.status_code == 404
    assert zh.mimetype == "application/problem+json"
    assert zh.json["detail"] == "找不到工单 TK-NOPE"
    assert zh.json["errors"] == {"ref": ["找不到工单 TK-NOPE"]}
    _in(client, "en", "/dispatch/")
    assert client.get("/api/tickets/TK-NOPE").json["detail"] == "unknown ticket TK-NOPE"


def test_an_api_client_with_a_token_keeps_the_english_message(app):
    refused = app.test_client().get("/api/tickets/TK-NOPE", headers=TOKEN)
    assert refused.status_code == 404
    assert refused.json["detail"] == "unknown ticket 'TK-NOPE'"


def test_the_engineer_reads_a_serial_not_in_the_van_in_chinese(app, client, as_role, db):
    from sqlalchemy import select

    from inventory import tickets, visits
    from inventory.dispatch_service import confirm_dispatch
    from models import Engineer

    ticket = tickets.open_ticket(
        db, site_code="C001-S1", severity="P3", channel="phone", symptom="风扇告警",
        actor="li.disp",
    ).number  # fmt: skip
    confirm_dispatch(db, ticket, engineer_code="ENG-001", actor="li.disp")
    engineer_id = db.scalar(select(Engineer.id).where(Engineer.code == "ENG-001"))
    visits.record_arrival(db, ticket, engineer_id=engineer_id, actor="zhang.eng")
    db.rollback()
    as_role("engineer")
    _in(client, "zh", f"/engineer/{ticket}")
    text = _error_after(
        client,
        f"/vans/jobs/{ticket}/consumed",
        {"source": "van", "part_number": "SRV-2288-PSU", "serial": "NOT-IN-VAN-1", "qty": "1"},
        page=f"/engineer/{ticket}",
    )
    assert "NOT-IN-VAN-1 不在 ENG-001 的车载库存中" in text
    assert "is not in the van" not in text
