"""The service files through the API: a dispatcher makes a customer's quarterly file, the
customer lists and downloads their own (another customer's answers like one that does not
exist); bad or future periods are 422 naming the field."""

from __future__ import annotations

from tests.builders import bearer, make_user
from tests.service_builders import make_customer

PROBLEM = "application/problem+json"


def _setup(db):
    make_customer(db, "C001")
    make_customer(db, "C002")
    h = {"dispatcher": bearer(make_user(db, "dispatcher", "disp.sf")[1])}
    for code in ("C001", "C002"):
        h[code] = bearer(make_user(db, "customer", f"cust.sf.{code}", customer=code)[1])
    return h


def test_a_file_made_listed_and_downloaded(client, db):
    h = _setup(db)
    made = client.post("/api/customers/C001/service-files", headers=h["dispatcher"],
                       json={"period": "2026Q3", "lang": "en"})  # fmt: skip
    assert made.status_code == 201, made.json
    assert (made.json["kind"], made.json["period"], made.json["reports"]) == (
        "quarterly",
        "2026Q3",
        0,
    )
    listed = client.get("/api/customers/C001/service-files", headers=h["C001"])
    assert [f["period"] for f in listed.json] == ["2026Q3"]
    pdf = client.get(listed.json[0]["href"], headers=h["C001"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    theirs = client.get("/api/customers/C001/service-files", headers=h["C002"])
    assert theirs.status_code == 404 and theirs.mimetype == PROBLEM
    none = client.get("/api/customers/C001/service-files/2025Q1.pdf", headers=h["C001"])
    assert none.status_code == 404 and none.mimetype == PROBLEM


def test_bad_and_future_periods(client, db):
    h = _setup(db)
    bad = client.post("/api/customers/C001/service-files", headers=h["dispatcher"],
                      json={"period": "2026Q5"})  # fmt: skip
    assert bad.status_code == 422 and "period" in bad.json["errors"]
    future = client.post("/api/customers/C001/service-files", headers=h["dispatcher"],
                         json={"period": "2199"})  # fmt: skip
    assert future.status_code == 422 and "period" in future.json["errors"]
    denied = client.post("/api/customers/C001/service-files", headers=h["C001"],
                         json={"period": "2026Q3"})  # fmt: skip
    assert denied.status_code == 403
