"""The inspection API: an admin sets a contract's programme, a dispatcher generates the
year (twice: nothing added), the engineer records the visit step by step with idempotency
keys (a finding opens a ticket once even when retried), the signature starts the report
clock, the report is issued and the customer downloads the PDF in both languages."""

from __future__ import annotations

import base64
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Engineer, Inspection, Ticket
from tests.builders import bearer, make_user, post_with_key, signature_png
from tests.service_builders import make_world

CHECKLIST = {
    "server": [
        {"group": "hardware", "item": "电源冗余", "expected": "2/2"},
        {"group": "software", "item": "系统日志", "expected": "无告警"},
    ],
    "*": [{"group": "environment", "item": "机房温度", "expected": "18–27 °C"}],
}


@pytest.fixture
def world(app, db, tmp_path):
    app.config.update(PHOTO_DIR=str(tmp_path / "photos"), PHOTO_MAX_BYTES=200_000)
    world = make_world(db)
    _engineer, eng_token = make_user(db, "engineer", "zhang.eng", engineer=world.engineer)
    _admin, admin_token = make_user(db, "admin", "root")
    _disp, disp_token = make_user(db, "dispatcher", "li.disp")
    _customer, cust_token = make_user(db, "customer", "cust", customer=world.customer)
    return world, {
        "admin": bearer(admin_token),
        "dispatcher": bearer(disp_token),
        "engineer": bearer(eng_token),
        "customer": bearer(cust_token),
    }


def _programme(client, world, who):
    answer = client.put(
        f"/api/contracts/{world.contract}/inspection-programme",
        json={
            "frequency": "quarterly",
            "checklists": CHECKLIST,
            "preferred_weekdays": "24",
            "report_days": 7,
            "training": True,
        },
        headers=who["admin"],
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_only_an_admin_sets_the_programme_and_a_bad_item_is_named(client, world):
    world, who = world
    url = f"/api/contracts/{world.contract}/inspection-programme"
    denied = client.put(url, json={"frequency": "yearly"}, headers=who["dispatcher"])
    assert denied.status_code == 403
    bad = client.put(
        url,
        json={"frequency": "yearly", "checklists": {"server": [{"group": "network", "item": "x"}]}},
        headers=who["admin"],
    )
    assert bad.status_code == 422
    assert bad.content_type == "application/problem+json"
    assert "checklists" in str(bad.json["errors"])
    assert client.get(url, headers=who["dispatcher"]).status_code == 404
    made = _programme(client, world, who)
    assert made["frequency"] == "quarterly" and made["preferred_weekdays"] == "24"
    changed = client.put(url, json={"report_days": 5}, headers=who["admin"])
    assert changed.status_code == 200 and changed.json["report_days"] == 5
    assert changed.json["frequency"] == "quarterly"


def test_generating_a_year_twice_adds_nothing(client, db, world):
    world, who = world
    _programme(client, world, who)
    url = f"/api/contracts/{world.contract}/inspections"
    first = client.post(url, json={"year": 2099}, headers=who["dispatcher"])
    again = client.post(url, json={"year": 2099}, headers=who["dispatcher"])
    assert first.status_code == again.status_code == 201
    assert len(first.json["created"]) == 4 and again.json == {
        "year": 2099,
        "created": [],
        "existing": 4,
        "unplaced": [],
    }
    listed = client.get(
        "/api/inspections", query_string={"customer": world.customer}, headers=who["dispatcher"]
    ).json
    assert listed["total"] == 4
    assert all(item["day"][:4] == "2099" for item in listed["items"])
    assert {int(_weekday(item["day"])) for item in listed["items"]} <= {2, 4}
    mine = client.get("/api/inspections", headers=who["engineer"]).json
    assert mine["total"] == 4  # they are all given to the one engineer


def _visits_of_2099(client, world, who) -> None:
    """The programme, and its visits of 2099 generated (one a quarter)."""
    _programme(client, world, who)
    client.post(
        f"/api/contracts/{world.contract}/inspections",
        json={"year": 2099},
        headers=who["dispatcher"],
    )


def _weekday(iso: str) -> int:
    from datetime import date

    return date.fromisoformat(iso).isoweekday()


def _png_data() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def test_the_engineer_records_the_visit_and_the_customer_gets_the_report(client, db, world):
    world, who = world
    _visits_of_2099(client, world, who)
    number = db.scalar(select(Inspection.number).where(Inspection.period == "2099-Q1"))
    db.rollback()
    base = f"/api/inspections/{number}"
    eng = who["engineer"]

    assert post_with_key(client, base + "/arrival", {}, eng, "a1").status_code == 201
    view = client.get(base, headers=eng).json
    assert [i["group"] for i in view["checklist"]] == ["software", "hardware", "environment"]
    finding = {"text": "风扇异响", "severity": "P3", "equipment_serial": world.equipment_serial}
    first = post_with_key(client, base + "/findings", finding, eng, "f1")
    again = post_with_key(client, base + "/findings", finding, eng, "f1")  # the answer was lost
    assert first.status_code == 201 and again.json == first.json
    assert db.scalar(select(func.count()).select_from(Ticket)) == 1
    db.rollback()
    ticket = first.json["findings"][0]["ticket_number"]
    assert client.get(f"/api/tickets/{ticket}", headers=who["dispatcher"]).json["severity"] == "P3"

    early = post_with_key(
        client, base + "/signature", {"signer_name": "韩梅", "png": _png_data()}, eng, "s0"
    )
    assert early.status_code == 422 and "results" in early.json["errors"]
    results = [
        {"key": i["key"], "outcome": "fail" if n == 0 else "pass", "reading": f"{n}"}
        for n, i in enumerate(view["checklist"])
    ]
    body = {"results": results, "recommendations": "更换风扇", "training_given": True}
    assert post_with_key(client, base + "/checklist", body, eng, "c1").status_code == 200
    signed = post_with_key(
        client, base + "/signature", {"signer_name": "韩梅", "png": _png_data()}, eng, "s1"
    )
    assert signed.status_code == 200 and signed.json["status"] == "done"
    assert signed.json["report_due"] is not None

    pdf_url = f"{base}/report.pdf"
    assert client.get(pdf_url, headers=who["customer"]).status_code == 409  # not issued yet
    issued = post_with_key(client, base + "/report", {}, who["dispatcher"], "r1")
    assert issued.status_code == 200 and issued.json["report_issued_at"] is not None
    for lang, title in (("zh", "巡检报告"), ("en", "Inspection Report")):
        pdf = client.get(pdf_url, query_string={"lang": lang}, headers=who["customer"])
        assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
        assert title in text and ticket in text and number in text


def test_another_engineers_inspection_answers_like_an_unknown_one(client, db, world):
    world, who = world
    _visits_of_2099(client, world, who)
    row = db.scalar(select(Inspection).where(Inspection.period == "2099-Q2"))
    number = row.number
    db.rollback()
    other = Engineer(
        code="ENG-9",
        name="李工",
        home_city="Beijing",
        home_lat=39.9,
        home_lon=116.4,
        skills=["server"],
        work_days="12345",
    )
    db.add(other)
    db.commit()
    given = client.put(
        f"/api/inspections/{number}/engineer", json={"engineer": "ENG-9"}, headers=who["dispatcher"]
    )
    assert given.status_code == 200 and given.json["engineer"] == "ENG-9"
    answer = post_with_key(client, f"/api/inspections/{number}/arrival", {}, who["engineer"], "x")
    assert answer.status_code == 404
    assert answer.content_type == "application/problem+json"
