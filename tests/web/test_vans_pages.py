"""The van pages on the demo: the warehouse sets a stocking list and issues the pick list;
the engineer scans the serialized units in (counted ones arrive as shipped); the
dispatcher sees every van; the job page records a part from the van and the removed one
with the place it goes back to; both languages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from inventory import tickets, visits
from inventory.dispatch_service import confirm_dispatch
from models import Engineer, Part, SerialItem, Transfer, TransferLine, utcnow
from tests.web.conftest import DEMO_LOGINS, post_form, sign_in

FLASH = re.compile(r'class="flash (success|error)"[^>]*>\s*([^<]*)')


def _flash(response) -> tuple[str, str]:
    found = FLASH.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:2000]
    return found.group(1), found.group(2).strip()


def _as(app, role: str):
    """A client of its own, signed in as the demo user of ``role``."""
    client = app.test_client()
    assert sign_in(client, DEMO_LOGINS[role], role).status_code == 302
    return client


def _stock_the_van(app, db) -> list[str]:
    counted = db.scalar(select(Part.part_number).where(Part.tracking == "counted").limit(1))
    db.rollback()  # SQLite: an open read would hold the pages' writes off
    client = _as(app, "warehouse")
    for part, level in (("SRV-2288-PSU", 1), (counted, 3)):
        post_form(client, "/vans/levels", {"engineer": "ENG-001", "part_number": part,
                                           "level": str(level)}, page="/vans/")  # fmt: skip
    page = client.get("/vans/").get_data(as_text=True)
    assert 'data-engineer="ENG-001" data-part="SRV-2288-PSU"' in page
    done = post_form(client, "/vans/replenish", {"engineer": "ENG-001"}, page="/vans/",
                     follow_redirects=True)  # fmt: skip
    kind, text = _flash(done)
    assert kind == "success" and "TRF-" in text, text
    db.rollback()
    serials = list(
        db.scalars(
            select(SerialItem.serial)
            .join(TransferLine, TransferLine.serial_item_id == SerialItem.id)
            .join(Transfer, Transfer.id == TransferLine.transfer_id)
            .where(Transfer.to_location_id.is_not(None))
        )
    )
    db.rollback()
    return serials


def test_a_van_is_stocked_by_the_warehouse_and_received_by_scanning(app, db):
    serials = _stock_the_van(app, db)
    assert len(serials) == 1
    client = _as(app, "engineer")
    page = client.get("/vans/mine").get_data(as_text=True)
    number = re.search(r'id="incoming-(TRF-[\d-]+)"', page).group(1)
    done = post_form(client, f"/vans/transfers/{number}/receive", {"serials": serials[0]},
                     page="/vans/mine", follow_redirects=True)  # fmt: skip
    assert _flash(done)[0] == "success"
    mine = client.get("/vans/mine").get_data(as_text=True)
    assert 'data-part="SRV-2288-PSU" data-good="1"' in mine
    assert re.search(r'data-good="3"', mine)  # the counted part arrived as shipped
    client = _as(app, "dispatcher")
    overview = client.get("/vans/").get_data(as_text=True)
    assert 'data-engineer="ENG-001"' in overview and 'data-engineer="ENG-005"' in overview


def test_the_job_page_records_a_part_from_the_van_and_where_the_faulty_one_goes(app, db):
    serials = _stock_the_van(app, db)
    engineer = db.scalar(select(Engineer).where(Engineer.code == "ENG-001"))
    engineer.skills = sorted({*engineer.skills, "server"})  # the demo draws skills at random
    db.commit()
    client = _as(app, "engineer")
    page = client.get("/vans/mine").get_data(as_text=True)
    number = re.search(r'id="incoming-(TRF-[\d-]+)"', page).group(1)
    post_form(client, f"/vans/transfers/{number}/receive", {"serials": serials[0]},
              page="/vans/mine")  # fmt: skip
    ticket = tickets.open_ticket(
        db, site_code="C001-S1", severity="P2", channel="phone", symptom="电源告警",
        actor="li.disp", part_number="SRV-2288-PSU",
    ).number  # fmt: skip
    confirm_dispatch(db, ticket, engineer_code="ENG-001", mode="van", actor="li.disp")
    engineer_id = db.scalar(select(Engineer.id).where(Engineer.code == "ENG-001"))
    visits.record_arrival(db, ticket, engineer_id=engineer_id, actor="zhang.eng")
    db.rollback()

    def use_the_van_unit():
        return post_form(
            client, f"/vans/jobs/{ticket}/consumed",
            {"source": "van", "part_number": "SRV-2288-PSU", "serial": serials[0], "qty": "1"},
            page=f"/engineer/{ticket}", follow_redirects=True,
        )  # fmt: skip

    assert _flash(use_the_van_unit())[0] == "success"
    removed = post_form(
        client, f"/vans/jobs/{ticket}/removed",
        {"condition": "faulty", "part_number": "SRV-2288-PSU", "serial": "WEB-OLD-1",
         "qty": "1"},
        page=f"/engineer/{ticket}", follow_redirects=True,
    )  # fmt: skip
    kind, text = _flash(removed)
    assert kind == "success" and "华为上海备件中心" in text, text
    job = client.get(f"/engineer/{ticket}").get_data(as_text=True)
    assert 'data-source="van"' in job and 'data-removed="faulty"' in job
    # the dispatcher's ticket page carries the same parts list, with cost and cover
    desk = _as(app, "dispatcher").get(f"/dispatch/tickets/{ticket}").get_data(as_text=True)
    listed = desk[desk.index('id="parts-list"') : desk.index('id="parts-total"') + 200]
    assert 'data-source="van"' in listed and 'data-removed="faulty"' in listed
    assert "其中向客户收费 ¥0.00" in listed  # the contract covers the part
    console = _as(app, "warehouse").get("/warehouse/").get_data(as_text=True)
    assert 'id="parts-owed"' in console and "拆下件返还中：1 件" in console
    assert "件已逾期" not in console
    # its deadline passes: overdue on the engineer's van page and the warehouse console
    from models import PartReturn

    db.scalar(select(PartReturn)).due_at = utcnow() - timedelta(hours=1)
    db.commit()
    console = _as(app, "warehouse").get("/warehouse/").get_data(as_text=True)
    assert "1 件已逾期" in console
    mine = client.get("/vans/mine").get_data(as_text=True)
    assert re.search(
        r'class="owed" data-return="[^"]+" data-status="owed" data-overdue="yes"', mine
    )
    post_form(client, "/prefs", {"lang": "en"}, page="/vans/mine")
    english = client.get(f"/engineer/{ticket}").get_data(as_text=True)
    assert "From the van" in english and "goes back to" in english
    # a part not in the van (any more) is refused, naming why
    assert _flash(use_the_van_unit())[0] == "error"


def test_an_admin_adds_a_return_rule_on_the_vans_page_and_deactivates_it(app, db):
    client = _as(app, "admin")
    page = client.get("/vans/").get_data(as_text=True)
    assert 'id="create-rule"' in page and "新建返还规则" in page
    rule = {"name": "上海工程师的故障硬盘送回上海库", "condition": "faulty",
            "category": "storage", "region": "Shanghai", "destination": "SH01",
            "deadline_hours": "48", "part_number": "", "vendor": ""}  # fmt: skip
    bad = post_form(client, "/vans/rules", {**rule, "deadline_hours": "两天"}, page="/vans/",
                    follow_redirects=True)  # fmt: skip
    kind, text = _flash(bad)
    assert kind == "error" and "deadline_hours" in text, text
    nowhere = post_form(client, "/vans/rules", {**rule, "destination": ""}, page="/vans/",
                        follow_redirects=True)  # fmt: skip
    assert _flash(nowhere)[0] == "error"
    done = post_form(client, "/vans/rules", rule, page="/vans/", follow_redirects=True)
    kind, text = _flash(done)
    assert kind == "success" and "上海工程师的故障硬盘送回上海库" in text, text
    from models import ReturnRule

    made = db.scalar(select(ReturnRule).where(ReturnRule.name == rule["name"]))
    assert (made.category, made.region, made.deadline_hours, made.active) == (
        "storage", "Shanghai", 48, True
    )  # fmt: skip
    rule_id = made.id
    db.rollback()
    html = done.get_data(as_text=True)
    assert f'data-rule="{rule_id}" data-active="yes"' in html
    off = post_form(client, f"/vans/rules/{rule_id}/active", {"active": "no"}, page="/vans/",
                    follow_redirects=True)  # fmt: skip
    assert f'data-rule="{rule_id}" data-active="no"' in off.get_data(as_text=True)
    # the warehouse reads the rules, without the admin's forms
    console = _as(app, "warehouse").get("/vans/").get_data(as_text=True)
    assert rule["name"] in console and 'id="create-rule"' not in console
