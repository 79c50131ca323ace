"""The administration pages: contracts, users and the audit trail, without the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth import check_password
from models import ApiToken, Contract, Event, User
from tests.web.conftest import post_form, sign_in

LADDER = {
    "escalation.0.after_minutes": "20",
    "escalation.0.who": "站长 Station lead",
    "escalation.0.contact": "138 0000 0001",
    "escalation.1.after_minutes": "45",
    "escalation.1.who": "区域经理 Regional manager",
    "escalation.1.contact": "region@example.com",
}


def _new_contract(client, **fields):
    data = {"code": "C001-GOLD", "customer_code": "C001", "name": "金牌服务", **LADDER, **fields}
    return post_form(client, "/admin/contracts/new", data)


def test_an_administrator_signing_in_lands_on_the_admin_home_with_its_screens(client):
    response = sign_in(client, "admin", follow=True)
    html = response.get_data(as_text=True)
    assert response.request.path == "/admin/"
    for url in ("/admin/contracts", "/admin/users", "/admin/audit"):
        assert f'href="{url}"' in html, url


def test_other_roles_cannot_open_the_admin_pages(client, as_role):
    as_role("dispatcher")
    for url in ("/admin/", "/admin/contracts", "/admin/contracts/new", "/admin/users"):
        assert client.get(url).status_code == 403, url


def test_a_contract_created_on_the_page_has_its_own_ladder_and_clocks(client, as_role, db):
    as_role("admin")
    response = _new_contract(
        client,
        coverage="7x24",
        coverage_start="00:00",
        coverage_end="24:00",
        **{"response_minutes.phone": "25", "restore_minutes.P1": "180"},
        return_window_days="7",
        late_return_charge="880.50",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    contract = db.scalar(select(Contract).where(Contract.code == "C001-GOLD"))
    assert contract.escalation == [
        {"level": 1, "after_minutes": 20.0, "who": "站长 Station lead", "contact": "138 0000 0001"},
        {
            "level": 2,
            "after_minutes": 45.0,
            "who": "区域经理 Regional manager",
            "contact": "region@example.com",
        },
    ]
    assert (contract.coverage, contract.coverage_start_min, contract.coverage_end_min) == (
        "7x24",
        0,
        1440,
    )
    assert contract.response_minutes["phone"] == 25 and contract.restore_minutes["P1"] == 180
    assert contract.return_window_days == 7 and str(contract.late_return_charge) == "880.50"
    created = db.scalar(
        select(Event).where(Event.subject_type == "contract", Event.subject_ref == "C001-GOLD")
    )
    assert created.kind == "created" and created.actor == "admin"
    db.rollback()


def test_editing_a_contract_records_what_changed_in_its_audit_trail(client, as_role, db):
    as_role("admin")
    _new_contract(client)
    page = client.get("/admin/contracts/C001-GOLD").get_data(as_text=True)
    assert 'value="region@example.com"' in page
    response = post_form(
        client,
        "/admin/contracts/C001-GOLD",
        {"escalation.0.after_minutes": "10", "escalation.0.who": "值班主管 Duty lead"},
    )
    assert response.status_code == 302
    db.expire_all()
    contract = db.scalar(select(Contract).where(Contract.code == "C001-GOLD"))
    assert [s["who"] for s in contract.escalation] == ["值班主管 Duty lead"]
    db.rollback()
    trail = client.get("/admin/contracts/C001-GOLD").get_data(as_text=True)
    assert 'data-kind="updated"' in trail and "值班主管 Duty lead" in trail


@pytest.mark.parametrize(
    ("fields", "field", "label"),
    [
        ({"return_window_days": "99"}, "return_window_days", "故障件返还期限（天）"),
        ({"coverage_end": "25:00"}, "coverage_end_min", "服务结束"),
        ({"escalation.1.after_minutes": "5"}, "contract", "合同"),  # the ladder must rise
        ({"escalation.1.who": ""}, "escalation.1.who", "第2级 · 升级给谁"),
        ({"customer_code": "NOPE"}, "customer_code", "客户"),
        ({"late_return_charge": "-3"}, "late_return_charge", "逾期返还费用"),
    ],
)
def test_a_contract_the_api_would_refuse_is_refused_naming_the_field(
    client, as_role, db, fields, field, label
):
    as_role("admin")
    response = _new_contract(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'data-field="{field}"' in html and label in html
    assert 'value="C001-GOLD"' in html  # what was typed comes back
    assert db.scalar(select(Contract).where(Contract.code == "C001-GOLD")) is None


def test_the_contract_pages_render_in_english(client, as_role):
    as_role("admin")
    _new_contract(client)
    post_form(client, "/prefs", {"lang": "en"}, page="/admin/")
    urls = ["/admin/", "/admin/contracts", "/admin/contracts/new", "/admin/contracts/C001-GOLD"]
    urls += ["/admin/users", "/admin/users/admin", "/admin/audit?type=contract&ref=C001-GOLD"]
    for url in urls:  # I18N_STRICT: a key missing from the catalogue would fail the page
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.get_data(as_text=True), url
    assert "Escalation ladder" in client.get("/admin/contracts/C001-GOLD").get_data(as_text=True)


def test_an_administrator_creates_a_user_changes_the_role_and_resets_the_password(
    client, as_role, db
):
    as_role("admin")
    response = post_form(
        client,
        "/admin/users",
        {
            "username": "zhao.disp",
            "display_name": "赵调度",
            "role": "dispatcher",
            "locale": "zh",
            "customer_id": "",
            "password": "first-pass-123",
        },
    )
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.username == "zhao.disp"))
    assert user.role == "dispatcher" and check_password(user, "first-pass-123")
    db.rollback()
    url = "/admin/users/zhao.disp"
    post_form(client, url, {"action": "details", "display_name": "赵调度", "role": "warehouse"})
    post_form(client, url + "/tokens", {"name": "scanner"}, page=url)
    post_form(client, url, {"action": "password", "password": "second-pass-456"})
    db.expire_all()
    user = db.scalar(select(User).where(User.username == "zhao.disp"))
    assert user.role == "warehouse" and check_password(user, "second-pass-456")
    tokens = list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))
    assert len(tokens) == 1 and tokens[0].revoked_at is not None  # a new password revokes
    kinds = {e.kind for e in db.scalars(select(Event).where(Event.subject_ref == "zhao.disp"))}
    assert {"created", "updated", "token_issued", "password_set"} <= kinds


def test_a_token_is_shown_once_and_can_be_revoked_from_the_user_page(client, as_role, db):
    as_role("admin")
    url = "/admin/users/li.disp"
    page = post_form(client, url + "/tokens", {"name": "laptop"}, page=url)
    html = page.get_data(as_text=True)
    assert 'id="new-token"' in html and "slg_" in html
    assert "slg_" not in client.get(url).get_data(as_text=True)
    token_id = db.scalar(select(ApiToken.id).where(ApiToken.name == "laptop"))
    db.rollback()
    response = post_form(client, f"{url}/tokens/{token_id}/revoke", {}, page=url)
    assert response.status_code == 302
    assert db.get(ApiToken, token_id).revoked_at is not None


def test_deactivating_a_user_ends_their_access_and_an_admin_cannot_deactivate_themselves(
    client, as_role, db
):
    as_role("admin")
    post_form(client, "/admin/users/li.disp", {"action": "deactivate"})
    assert db.scalar(select(User.active).where(User.username == "li.disp")) is False
    db.rollback()
    response = post_form(client, "/admin/users/admin", {"action": "deactivate"})
    assert response.status_code == 422 and 'data-field="active"' in response.get_data(as_text=True)


def test_a_user_form_the_api_would_refuse_names_the_field(client, as_role):
    as_role("admin")
    response = post_form(
        client,
        "/admin/users",
        {"username": "x y", "display_name": " ", "role": "boss", "password": "short"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("username", "display_name", "role", "password"):
        assert f'data-field="{field}"' in html, field


def test_the_audit_trail_is_browsable_per_object_and_an_unknown_one_is_named(client, as_role):
    as_role("admin")
    _new_contract(client)
    html = client.get("/admin/audit?type=contract&ref=C001-GOLD").get_data(as_text=True)
    assert 'data-kind="created"' in html and "C001-GOLD" in html
    missing = client.get("/admin/audit?type=part&ref=NO-SUCH-PART")
    assert missing.status_code == 404 and 'data-field="subject_ref"' in missing.get_data(
        as_text=True
    )


def test_a_ticket_on_the_contract_shows_its_escalation_ladder(app, client, as_role, db):
    from app.geo import travel_model
    from inventory.dispatch_service import open_ticket_with_promise

    as_role("admin")
    _new_contract(client)
    with app.app_context():
        travel = travel_model()
    view = open_ticket_with_promise(
        db,
        travel,
        site_code="C001-S1",
        severity="P2",
        channel="phone",
        symptom="disk errors",
        actor="li.disp",
        contract_code="C001-GOLD",
    )
    html = client.get(f"/dispatch/tickets/{view.number}").get_data(as_text=True)
    assert "C001-GOLD" in html
    assert "站长 Station lead" in html and "region@example.com" in html


def test_an_administrator_assigns_a_warehouse_user_to_depots(client, as_role, db):
    as_role("admin")
    url = "/admin/users/wang.wh"
    response = post_form(
        client,
        url,
        {"action": "details", "display_name": "王库管", "role": "warehouse", "depots_shown": "1"}
        | {"depots": ["SH01", "GZ01"]},
    )
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.username == "wang.wh"))
    assert sorted(user.depot_codes) == ["GZ01", "SH01"] and user.all_depots is False
    db.rollback()
    refused = post_form(
        client,
        url,
        {"action": "details", "depots_shown": "1", "depots": ["NOWHERE"]},
    )
    assert refused.status_code == 422
    assert 'data-field="depots"' in refused.get_data(as_text=True)


def test_an_administrator_adds_a_part_and_sets_a_depots_reorder_point_and_target(
    client, as_role, db
):
    from models import Depot, Part, StockPolicy

    as_role("admin")
    response = post_form(
        client,
        "/admin/parts",
        {
            "part_number": "FAN-9000",
            "description": "Chassis fan",
            "description_zh": "机箱风扇",
            "category": "fan",
            "tracking": "counted",
            "kind": "consumable",
            "unit_cost": "120.00",
        },
    )
    assert response.status_code == 302
    url = "/admin/parts/FAN-9000"
    refused = post_form(
        client, url + "/policies/BJ01", {"reorder_point": "5", "target_level": "3"}, page=url
    )
    assert refused.status_code == 422
    assert 'data-field="target_level"' in refused.get_data(as_text=True)
    saved = post_form(
        client, url + "/policies/BJ01", {"reorder_point": "5", "target_level": "12"}, page=url
    )
    assert saved.status_code == 302
    policy = db.scalar(
        select(StockPolicy)
        .join(Part, Part.id == StockPolicy.part_id)
        .join(Depot, Depot.id == StockPolicy.depot_id)
        .where(Part.part_number == "FAN-9000", Depot.code == "BJ01")
    )
    assert (policy.reorder_point, policy.target_level) == (5, 12)
    db.rollback()
    page = client.get(url).get_data(as_text=True)
    assert 'data-kind="policy_set"' in page and 'data-kind="created"' in page
    post_form(client, "/prefs", {"lang": "en"}, page=url)
    assert client.get(url).status_code == 200 and client.get("/admin/parts").status_code == 200


def test_an_administrator_adds_a_depot_and_a_bad_one_is_refused_naming_the_field(
    client, as_role, db
):
    from models import Depot

    as_role("admin")
    fields = {"code": "LZ09", "name": "兰州备件库", "address": "兰州市城关区东岗西路 1 号"}
    refused = post_form(client, "/admin/depots", {**fields, "code": "lz 09"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-field="code"' in html and "备件库代码" in html
    half_placed = post_form(client, "/admin/depots", {**fields, "lat": "34.2"})
    assert half_placed.status_code == 422
    assert 'data-field="lon"' in half_placed.get_data(as_text=True)
    response = post_form(client, "/admin/depots", {**fields, "lat": "36.06", "lon": "103.83"})
    assert response.status_code == 302
    depot = db.scalar(select(Depot).where(Depot.code == "LZ09"))
    assert (round(depot.lat, 2), round(depot.lon, 2)) == (36.06, 103.83)
    db.rollback()
    trail = client.get("/admin/audit?type=depot&ref=LZ09").get_data(as_text=True)
    assert 'data-kind="created"' in trail


def test_an_invited_user_sets_their_own_password_through_a_link_that_works_once(
    client, as_role, db
):
    import re

    from tests.web.conftest import post_form

    as_role("admin")
    created = post_form(
        client,
        "/admin/users",
        {"username": "new.clerk", "display_name": "新库管", "role": "warehouse", "locale": "zh"},
    )
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and 'id="new-link"' in html
    link = re.search(r'href="(https?://[^"]*/welcome/[^"]+)"', html).group(1)
    path = link[link.index("/welcome/") :]
    client.post(
        "/logout",
        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)},
    )

    page = client.get(path)
    assert page.status_code == 200 and "new.clerk" in page.get_data(as_text=True)
    short = post_form(client, path, {"password": "short", "password_again": "short"})
    assert short.status_code == 422
    differ = post_form(client, path, {"password": "long-enough-1", "password_again": "other-22"})
    assert differ.status_code == 422
    done = post_form(client, path, {"password": "long-enough-1", "password_again": "long-enough-1"})
    assert done.status_code == 302 and done.location.endswith("/login")
    user = db.scalar(select(User).where(User.username == "new.clerk"))
    assert check_password(user, "long-enough-1")
    kinds = db.scalars(
        select(Event.kind).where(Event.subject_ref == "new.clerk").order_by(Event.id)
    ).all()
    db.rollback()
    assert kinds[0] == "created" and "invited" in kinds and kinds[-1] == "password_set"
    assert client.get(path).status_code == 404  # used up
    assert client.get(path[:-3] + "abc").status_code == 404  # forged


def test_a_parts_details_are_changed_on_its_page_and_audited(client, as_role, db):
    from models import Part
    from tests.web.conftest import post_form

    as_role("admin")
    number = db.scalar(select(Part.part_number).order_by(Part.id))
    db.rollback()
    page = f"/admin/parts/{number}"
    bad = post_form(
        client, page, {"description": "", "category": "x", "kind": "nope", "unit_cost": "-1"}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for field in ("description", "kind", "unit_cost"):
        assert f'data-field="{field}"' in html, field
    good = post_form(
        client,
        page,
        {"description": "PSU 900 W", "description_zh": "", "category": "power",
         "kind": "consumable", "unit_cost": "1234.50"},
    )  # fmt: skip
    assert good.status_code == 302
    part = db.scalar(select(Part).where(Part.part_number == number))
    assert (part.description, part.description_zh, part.kind) == ("PSU 900 W", None, "consumable")
    assert str(part.unit_cost) == "1234.50"
    data = db.scalar(select(Event.data).where(Event.subject_ref == number, Event.kind == "updated"))
    db.rollback()
    assert data["changes"]["unit_cost"]["to"] == "1234.50"
    assert "audit-table" in client.get(page).get_data(as_text=True)


def test_a_part_is_replaced_by_another_on_its_page_and_a_loop_is_refused(client, as_role, db):
    from models import Part

    as_role("admin")
    old, new = db.scalars(select(Part.part_number).order_by(Part.id).limit(2)).all()
    db.rollback()
    done = post_form(
        client,
        f"/admin/parts/{old}/supersession",
        {"replaced_by": new, "two_way": "yes"},
        page=f"/admin/parts/{old}",
    )
    assert done.status_code == 302
    html = client.get(f"/admin/parts/{old}").get_data(as_text=True)
    assert f'value="{new}"' in html and "替代料号" in html and 'id="sup-serves"' in html
    html = client.get(f"/admin/parts/{new}").get_data(as_text=True)
    assert f"替代了：{old}" in html and f"可代替本料号需求的料号：{old}" in html  # two-way
    loop = post_form(
        client, f"/admin/parts/{new}/supersession", {"replaced_by": old}, page=f"/admin/parts/{new}"
    )
    assert loop.status_code == 422 and 'data-field="replaced_by"' in loop.get_data(as_text=True)
    gone = post_form(
        client, f"/admin/parts/{old}/supersession", {"replaced_by": ""}, page=f"/admin/parts/{old}"
    )
    assert gone.status_code == 302
    assert 'id="sup-serves"' not in client.get(f"/admin/parts/{old}").get_data(as_text=True)


def test_the_tools_are_edited_on_the_admin_page(app, client, as_role, db):
    as_role("admin")
    page = client.get("/admin/engineers").get_data(as_text=True)
    assert 'id="engineer-tools"' in page and "工程师的工具" in page
    from models import Engineer

    code = db.scalar(select(Engineer.code).where(Engineer.active).order_by(Engineer.code))
    db.rollback()
    done = post_form(client, f"/admin/engineers/{code}/tools", {"tools": "万用表, 熔接机"},
                     page="/admin/engineers")  # fmt: skip
    assert done.status_code == 302
    page = client.get("/admin/engineers").get_data(as_text=True)
    assert f'data-engineer="{code}" data-tools="万用表,熔接机"' in page


def test_the_tools_a_parts_job_needs_are_edited_on_the_parts_page(client, as_role, db):
    from models import Part

    as_role("admin")
    done = post_form(client, "/admin/parts/SRV-2288-PSU/tools", {"tools": "电烙铁，万用表, 电烙铁"},
                     page="/admin/parts/SRV-2288-PSU")  # fmt: skip
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert 'id="p-tools" name="tools" value="万用表, 电烙铁"' in page and "作业所需工具" in page
    assert db.scalar(select(Part.tools).where(Part.part_number == "SRV-2288-PSU")) == [
        "万用表",
        "电烙铁",
    ]
    db.rollback()
    refused = post_form(client, "/admin/parts/SRV-2288-PSU/tools", {"tools": "x" * 41},
                        page="/admin/parts/SRV-2288-PSU")  # fmt: skip
    assert refused.status_code == 422 and "40" in refused.get_data(as_text=True)


def test_the_console_counts_a_successors_stock_for_a_superseded_part(client, as_role, db):
    from inventory.supersession import set_supersession
    from models import Part

    old = db.scalar(
        select(Part.part_number).where(Part.part_number != "SRV-2288-PSU").order_by(Part.id)
    )
    db.rollback()
    set_supersession(db, old, "SRV-2288-PSU", two_way=False, actor="admin")
    as_role("warehouse")
    page = client.get(f"/warehouse/?q={old}").get_data(as_text=True)
    assert 'class="small muted substitute-stock" data-part="SRV-2288-PSU"' in page
    assert "含替代料号 SRV-2288-PSU" in page


def test_a_contracts_complaint_hours_are_set_on_its_page(client, as_role, db):
    as_role("admin")
    _new_contract(client, **{"complaint_hours.response.urgent": "2",
                             "complaint_hours.resolution.very_urgent": "12"})  # fmt: skip
    contract = db.scalar(select(Contract).where(Contract.code == "C001-GOLD"))
    assert contract.complaint_hours == {"response": {"urgent": 2.0},
                                        "resolution": {"very_urgent": 12.0}}  # fmt: skip
    db.rollback()
    page = client.get("/admin/contracts/C001-GOLD").get_data(as_text=True)
    assert 'name="complaint_hours.response.urgent"' in page and 'value="2"' in page
