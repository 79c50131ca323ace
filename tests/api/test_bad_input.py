"""Bad input found by fuzzing the API (tests/api/test_fuzz.py): each answered 500 before its
fix, or let through a request that could only fail later. Each now gets a 4xx
application/problem+json naming the field, and nothing is written. Run on SQLite and
PostgreSQL: some (NUL characters, offsets past 64 bits) failed on one backend only."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from models import Depot, Equipment, Job, Movement, Site, Ticket, User
from tests.builders import bearer, make_part, make_user
from tests.service_builders import make_world, repair_request

PROBLEM = "application/problem+json"


@pytest.fixture
def world(db):
    w = make_world(db)
    headers = {
        role: bearer(make_user(db, role)[1]) for role in ("dispatcher", "warehouse", "admin")
    }
    headers["customer"] = bearer(make_user(db, "customer", customer=w.customer)[1])
    return w, headers


def count(db, model) -> int:
    db.rollback()
    n = db.scalar(select(func.count()).select_from(model))
    db.rollback()  # no read transaction may stay open under the app's writes (SQLite)
    return n


def problem_naming(r, status: int, field: str) -> bool:
    return r.status_code == status and r.mimetype == PROBLEM and field in r.json.get("errors", {})


@pytest.mark.parametrize(
    "url",
    [
        "/api/rmas",
        "/api/contracts",
        "/api/customers",
        "/api/equipment",
        "/api/movements",
        "/api/depots",
    ],
)
def test_a_page_number_too_large_for_a_row_offset_is_422_naming_page(client, world, url):
    _w, h = world
    r = client.get(f"{url}?page={10**30}", headers=h["admin"])
    assert problem_naming(r, 422, "page"), r.get_data(as_text=True)
    assert client.get(f"{url}?page=1000000000", headers=h["admin"]).json["items"] == []


def test_a_customer_reads_the_customer_visible_events_of_its_ticket_and_rma(client, world):
    w, h = world
    ticket = client.post(
        "/api/tickets",
        json={"site": w.site, "severity": "P3", "symptom": "fan noise"},
        headers=h["customer"],
    ).json["number"]
    rma = client.post(
        "/api/rmas", json=repair_request(w, fault_symptom="dead"), headers=h["customer"]
    )
    assert rma.status_code == 201, rma.json
    for url in (f"/api/tickets/{ticket}/events", f"/api/rmas/{rma.json['number']}/events"):
        r = client.get(url, headers=h["customer"])
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.json and all(set(e) == {"kind", "from_state", "to_state", "at"} for e in r.json)
        assert "actor" in client.get(url, headers=h["dispatcher"]).json[0]


@pytest.mark.parametrize("customer_id", [999_999, 10**30, 0])
def test_a_user_linked_to_a_customer_that_does_not_exist_is_422_naming_customer_id(
    client, db, world, customer_id
):
    _w, h = world
    before = count(db, User)
    r = client.post(
        "/api/users",
        json={
            "username": "cust.x",
            "display_name": "X",
            "role": "customer",
            "customer_id": customer_id,
        },
        headers=h["admin"],
    )
    assert problem_naming(r, 422, "customer_id"), r.get_data(as_text=True)
    assert count(db, User) == before


def test_money_in_the_openapi_document_is_a_decimal_string_without_string_bounds(client):
    """Amounts travel as "2400.00"; numeric bounds on a string field are invalid OpenAPI."""
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    for schema, field in (("Part", "unit_cost"), ("ContractSettings", "late_return_charge")):
        prop = schemas[schema]["properties"][field]
        assert (prop["type"], prop["format"]) == ("string", "decimal"), (schema, prop)
        assert "minimum" not in prop and "maximum" not in prop, (schema, prop)


def _equipment(w, **changes) -> dict:
    """A registration of unit EQ-9 at the world's site that the API accepts, with ``changes``."""
    return {
        "site_code": w.site,
        "part_number": w.part,
        "serial": "EQ-9",
        "acceptance_date": "2026-01-05",
        **changes,
    }


def test_text_holding_a_nul_character_is_422_naming_the_field_and_writes_nothing(client, db, world):
    w, h = world
    before = count(db, Movement)
    r = client.post(
        "/api/stock/receipts",
        json={"depot": w.depot, "part_number": w.part, "serial": "A\x00B"},
        headers=h["warehouse"],
    )
    assert problem_naming(r, 422, "serial"), r.get_data(as_text=True)
    r = client.post(
        "/api/equipment", json=_equipment(w, contract_code="K\x00"), headers=h["dispatcher"]
    )
    assert problem_naming(r, 422, "contract_code")
    assert problem_naming(client.get("/api/parts?q=%00", headers=h["admin"]), 422, "q")
    assert count(db, Movement) == before


def test_a_json_string_with_an_unpaired_surrogate_is_422_naming_the_field(client, db, world):
    w, h = world
    before = count(db, Movement)
    body = f'{{"depot": "{w.depot}", "part_number": "{w.part}", "serial": "A\\ud800"}}'
    r = client.post(
        "/api/stock/receipts", data=body, content_type="application/json", headers=h["warehouse"]
    )
    assert problem_naming(r, 422, "serial"), r.get_data(as_text=True)
    assert count(db, Movement) == before


@pytest.mark.parametrize("url", ["/api/depots/BJ%0001", "/api/items/%00", "/api/tickets/TKT%00"])
def test_a_nul_character_in_a_path_segment_is_a_problem_not_a_server_error(client, world, url):
    _w, h = world
    r = client.get(url, headers=h["admin"])
    assert r.status_code in (404, 422) and r.mimetype == PROBLEM


def test_an_idempotency_key_holding_a_nul_character_is_400_naming_the_header(client, db, world):
    w, h = world
    before = count(db, Ticket)
    r = client.post(
        "/api/tickets",
        json={"site": w.site, "severity": "P3", "symptom": "x"},
        headers={**h["dispatcher"], "Idempotency-Key": "k\x00"},
    )
    assert problem_naming(r, 400, "Idempotency-Key"), r.get_data(as_text=True)
    assert count(db, Ticket) == before


def test_a_json_body_nested_deeper_than_the_parser_goes_is_400(client, world):
    w, h = world
    r = client.post(
        "/api/stock/receipts",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers=h["warehouse"],
    )
    assert r.status_code == 400 and r.mimetype == PROBLEM


def test_dates_outside_1970_to_2199_are_422_naming_the_field(client, db, world):
    w, h = world
    r = client.post(
        "/api/equipment", json=_equipment(w, acceptance_date="9999-12-31"), headers=h["dispatcher"]
    )
    assert problem_naming(r, 422, "acceptance_date"), r.get_data(as_text=True)
    assert count(db, Equipment) == 1
    r = client.get("/api/movements?until=0001-01-01T00:00:00%2B14:00", headers=h["admin"])
    assert problem_naming(r, 422, "until"), r.get_data(as_text=True)
    r = client.post(
        "/api/route-plans",
        json={
            "date": "9999-12-31",
            "engineers": [w.engineer],
            "stops": [{"id": "a", "site": w.site, "service_minutes": 30}],
        },
        headers=h["dispatcher"],
    )
    assert problem_naming(r, 422, "date")


@pytest.mark.parametrize(
    "stops, field",
    [
        ([{"id": "a", "skill": ""}], "stops.0.skill"),
        ([{"id": "a", "pickup_depot": "BJ01"}, {"id": "a@pickup"}], "stops"),
    ],
)
def test_a_route_plan_the_solver_would_refuse_is_422_before_a_job_is_queued(
    client, db, world, stops, field
):
    w, h = world
    r = client.post(
        "/api/route-plans",
        json={
            "date": "2026-11-23",
            "engineers": [w.engineer],
            "stops": [{"site": w.site, "service_minutes": 30, **s} for s in stops],
        },
        headers=h["dispatcher"],
    )
    assert problem_naming(r, 422, field), r.get_data(as_text=True)
    assert count(db, Job) == 0


@pytest.mark.parametrize(
    "ref", ["%C2%B3", "99999999999999999999"]
)  # "³" passes str.isdigit; an id no column holds
def test_a_ticket_or_rma_reference_that_only_looks_numeric_is_404(client, world, ref):
    _w, h = world
    for url in (f"/api/tickets/{ref}", f"/api/tickets/{ref}/events", f"/api/rmas/{ref}"):
        r = client.get(url, headers=h["admin"])
        assert problem_naming(r, 404, "ref"), (url, r.get_data(as_text=True))


@pytest.mark.parametrize("zone", ["America", "Nowhere/Land", "zone1970.tab"])
def test_an_unknown_time_zone_is_422_naming_timezone_and_stores_nothing(client, db, world, zone):
    w, h = world
    sites, depots = count(db, Site), count(db, Depot)
    place = {"name": "n", "city": "Beijing", "lat": 39.9, "lon": 116.4}
    site = {**place, "code": "S-TZ", "customer_code": w.customer, "address": "a"}
    depot = {**place, "code": "TZ01", "address": "1 Main Rd"}
    for send, url, body in [
        (client.post, "/api/sites", site),
        (client.post, "/api/depots", depot),
        (client.patch, f"/api/contracts/{w.contract}", {}),
    ]:
        r = send(url, json={**body, "timezone": zone}, headers=h["admin"])
        assert problem_naming(r, 422, "timezone"), (url, r.get_data(as_text=True))
    assert (count(db, Site), count(db, Depot)) == (sites, depots)
    assert (
        client.post(
            "/api/tickets",
            json={"site": w.site, "severity": "P2", "symptom": "x"},
            headers=h["dispatcher"],
        ).status_code
        == 201
    )


def test_a_contract_country_without_a_holiday_calendar_is_422_naming_country(client, world):
    w, h = world
    r = client.patch(f"/api/contracts/{w.contract}", json={"country": "ZZ"}, headers=h["admin"])
    assert problem_naming(r, 422, "country"), r.get_data(as_text=True)


def upload(client, headers, data: bytes, name: str = "delivery.csv"):
    return client.post(
        "/api/stock/receipts/import",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), name)},
    )


@pytest.mark.parametrize("qty", ["99999999999999999999999", "9000000000000000000", "1000001"])
def test_a_delivery_row_with_an_absurd_quantity_is_rejected_by_row_number(client, db, world, qty):
    w, h = world
    make_part(db, "NET-SFP", tracking="counted", category="network", kind="consumable")
    before = count(db, Movement)
    r = upload(
        client,
        h["warehouse"],
        f"depot,part_number,qty\n{w.depot},NET-SFP,{qty}\n{w.depot},NET-SFP,5\n".encode(),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(2, "qty")]
    assert r.json["units"] == 5 and count(db, Movement) == before + 1


def test_a_delivery_file_holding_nul_characters_is_422_and_books_nothing(client, db, world):
    w, h = world
    before = count(db, Movement)
    r = upload(
        client,
        h["warehouse"],
        f"depot,part_number,serial\n{w.depot},{w.part},N1\n{w.depot},{w.part},N\x002\n".encode(),
    )
    assert problem_naming(r, 422, "file") and "row 3" in r.json["detail"]
    assert count(db, Movement) == before


def test_an_excel_delivery_with_a_broken_sheet_is_422_naming_the_file(client, db, world):
    from openpyxl import Workbook

    w, h = world
    book = Workbook()
    book.active.append(["depot", "part_number", "serial"])
    book.active.append([w.depot, w.part, "X1"])
    whole = io.BytesIO()
    book.save(whole)
    broken = io.BytesIO()
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(broken, "w") as dst:
        for entry in src.infolist():
            data = src.read(entry.filename)
            dst.writestr(
                entry,
                data[: len(data) // 2] if entry.filename == "xl/worksheets/sheet1.xml" else data,
            )
    r = upload(client, h["warehouse"], broken.getvalue(), "delivery.xlsx")
    assert problem_naming(r, 422, "file"), r.get_data(as_text=True)


def test_a_fractional_quantity_is_refused_not_booked_as_one_unit(client, db, world):
    _w, h = world
    make_part(db, "NET-SFP", tracking="counted")
    before = count(db, Movement)
    for url, body, field in [
        ("/api/stock/receipts", {"depot": "BJ01", "part_number": "NET-SFP", "qty": 1.9}, "qty"),
        ("/api/stock/receipts", {"depot": "BJ01", "part_number": "NET-SFP", "qty": "2.5"}, "qty"),
        (
            "/api/stock/adjustments",
            {"depot": "BJ01", "part_number": "NET-SFP", "delta": 0.5, "reason": "r"},
            "delta",
        ),
        (
            "/api/stock/counts",
            {"depot": "BJ01", "part_number": "NET-SFP", "counted_qty": 3.2},
            "counted_qty",
        ),
    ]:
        r = client.post(url, json=body, headers=h["warehouse"])
        assert problem_naming(r, 422, field), (url, body, r.get_data(as_text=True))
    assert count(db, Movement) == before
    whole = client.post(
        "/api/stock/receipts",
        json={"depot": "BJ01", "part_number": "NET-SFP", "qty": 2.0},
        headers=h["warehouse"],
    )
    assert whole.status_code == 201 and whole.json["qty"] == 2


def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(client, world):
    _w, h = world
    part = {
        "part_number": "SRV-RAID",
        "description": "RAID card",
        "category": "server",
        "tracking": "serialized",
        "kind": "repairable",
    }
    for cost in ("2400.005", 2400.005, "0.001"):
        r = client.post("/api/parts", json={**part, "unit_cost": cost}, headers=h["admin"])
        assert problem_naming(r, 422, "unit_cost"), r.get_data(as_text=True)
    assert "2 decimal places" in r.json["errors"]["unit_cost"][0]
    ok = client.post("/api/parts", json={**part, "unit_cost": "2400.50"}, headers=h["admin"])
    assert ok.status_code == 201 and ok.json["unit_cost"] == "2400.50"


def test_minus_zero_amount_comes_back_as_zero_without_a_sign(client, world):
    _w, h = world
    r = client.post(
        "/api/parts",
        json={
            "part_number": "SRV-FREE",
            "description": "free sample",
            "category": "server",
            "tracking": "counted",
            "kind": "consumable",
            "unit_cost": "-0",
        },
        headers=h["admin"],
    )
    assert r.status_code == 201 and r.json["unit_cost"] == "0.00"
    listed = client.get("/api/parts?q=SRV-FREE", headers=h["admin"]).json["items"]
    assert [p["unit_cost"] for p in listed] == ["0.00"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/tickets/{ticket}/visit/photos/99999999999999999999999",
        "/api/users/nobody/tokens/18446744073709551616",
        "/api/calendar/exceptions/9223372036854775808",
    ],
)
def test_an_id_in_a_path_too_long_for_a_database_integer_is_404_not_a_driver_error(
    client, world, url
):
    w, headers = world
    method = client.delete if "/tokens/" in url or "/exceptions/" in url else client.get
    r = method(url.format(ticket="TKT-2026-000001"), headers=headers["admin"])
    assert r.status_code == 404, r.get_data(as_text=True)
    assert r.content_type == PROBLEM


def test_an_integer_path_parameter_documents_the_range_a_database_id_holds(client):
    spec = client.get("/api/openapi.json").get_json()
    params = spec["paths"]["/api/tickets/{ref}/visit/photos/{photo_id}"]["parameters"]
    photo_id = next(p for p in params if p["name"] == "photo_id")
    assert photo_id["schema"]["maximum"] == 2**63 - 1
