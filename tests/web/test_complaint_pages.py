"""Customer problems on the pages: the customer files one on their own pages and follows
it; a dispatcher answers, supervises and resolves it; the customer gives an opinion. Both
languages; another customer never sees it."""

from __future__ import annotations

import pytest

from tests.web.conftest import post_form, sign_in


def _file(client, **extra):
    data = {
        "kind": "complaint",
        "urgency": "urgent",
        "subject": "工程师未按约定时间到场",
        "description": "约定上午九点，实际十一点到场。",
    } | extra
    return post_form(client, "/my/complaints", data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_customer_files_a_complaint_and_follows_it_to_its_close(app, client, as_role, lang):
    as_role("customer")
    post_form(client, "/prefs", {"lang": lang}, page="/my/")
    answer = _file(client)
    assert answer.status_code == 302
    number = answer.headers["Location"].rsplit("/", 1)[1]
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert number.startswith("CPL-") and 'data-clock="complaint_response"' in page
    assert ("紧急" if lang == "zh" else "Urgent") in page
    listing = client.get("/my/complaints").get_data(as_text=True)
    assert f'data-complaint="{number}"' in listing

    staff = app.test_client()
    sign_in(staff, "li.disp", "dispatcher")
    board = staff.get("/complaints/").get_data(as_text=True)
    assert f'data-complaint="{number}"' in board
    url = f"/complaints/{number}"
    post_form(staff, f"{url}/respond", {"department": "SVC", "planned_measures": "约谈工程师",
              "expected_resolution_date": "2026-12-31"}, page=url)  # fmt: skip
    post_form(staff, f"{url}/supervise", {"text": "INTERNAL-FOLLOW-UP"}, page=url)
    post_form(staff, f"{url}/resolve", {"resolution": "已调整排班并致歉"}, page=url)
    record = staff.get(url).get_data(as_text=True)
    assert "INTERNAL-FOLLOW-UP" in record and 'data-status="resolved"' in record

    mine = client.get(f"/my/complaints/{number}").get_data(as_text=True)
    assert "INTERNAL-FOLLOW-UP" not in mine and "已调整排班并致歉" in mine
    post_form(client, f"/my/complaints/{number}/opinion",
              {"satisfaction": "4", "opinion": "满意"}, page=f"/my/complaints/{number}")  # fmt: skip
    closed = client.get(f"/my/complaints/{number}").get_data(as_text=True)
    assert 'data-status="closed"' in closed and "满意" in closed


def test_a_complaint_without_a_subject_names_the_field(client, as_role):
    as_role("customer")
    answer = _file(client, subject="  ")
    assert answer.status_code == 422
    assert "主题" in answer.get_data(as_text=True)


def test_another_customer_cannot_open_it(app, client, as_role, db):
    from inventory import complaints
    from models import Customer

    other = db.query(Customer).filter(Customer.code != "C001").order_by(Customer.code).first()
    filed = complaints.file_complaint(
        db, customer_code=other.code, kind="request", urgency="normal", subject="s",
        description="d", actor="li.disp", channel="phone",
    )  # fmt: skip
    as_role("customer")
    assert client.get(f"/my/complaints/{filed.number}").status_code == 404
    assert filed.number not in client.get("/my/complaints").get_data(as_text=True)


def test_the_admin_adds_a_department_that_complaints_can_be_sent_to(app, client, as_role):
    as_role("admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'id="admin-departments"' in home
    page = client.get("/complaints/departments").get_data(as_text=True)
    assert 'data-department="SVC"' in page  # the demo's
    added = post_form(client, "/complaints/departments", {"code": "QA", "name": "质量部",
                      "head_name": "赵强", "head_email": "qa@example.com"})  # fmt: skip
    assert added.status_code == 302
    assert 'data-department="QA"' in client.get("/complaints/departments").get_data(as_text=True)
    twice = post_form(
        client, "/complaints/departments", {"code": "QA", "name": "x", "head_name": "y"}
    )
    assert twice.status_code == 422 and "代码" in twice.get_data(as_text=True)


def test_a_dispatcher_may_not_keep_the_departments(client, as_role):
    as_role("dispatcher")
    assert client.get("/complaints/departments").status_code == 403
