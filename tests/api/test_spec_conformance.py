"""What the fuzzer found answering differently from /api/openapi.json, pinned one by one.

Each test makes a real call and validates the answer against the app's own spec with
schemathesis (status documented, media type documented, body valid for its schema).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.builders import bearer, make_depot, make_part, make_user

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def spec(app):
    config = schemathesis.config.SchemathesisConfig.from_dict({"generation": {"database": "none"}})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)


@pytest.fixture
def admin(db):
    make_depot(db, "BJ01")
    make_part(db, "SRV-PSU")
    _user, token = make_user(db, "admin")
    db.commit()
    return bearer(token)


def _conforms(spec, template: str, method: str, *, headers=None, path_parameters=None, body=None):
    """Call through schemathesis and check the answer against the spec; the response."""
    operation = spec[template][method]
    kwargs = {"path_parameters": path_parameters or {}}
    if body is not None:
        kwargs.update(body=body, media_type="application/json")
    case = operation.Case(**kwargs)
    response = case.call(headers=headers or {})
    case.validate_response(response, checks=CHECKS, headers=headers or {})
    return response


def test_errors_are_documented_as_problem_json_and_answered_so(spec, client, admin):
    """The spec said application/json with flask-smorest's own error body; we answer RFC 9457."""
    missing = _conforms(
        spec,
        "/api/parts/{part_number}",
        "GET",
        headers=admin,
        path_parameters={"part_number": "NOPE"},
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"][0].startswith("application/problem+json")
    bad = _conforms(spec, "/api/stock/receipts", "POST", headers=admin, body={"depot": 7})
    assert bad.status_code == 422 and "depot" in bad.json()["errors"]
    anonymous = _conforms(spec, "/api/parts", "GET")
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "Unauthorized"


def test_amounts_are_exchanged_and_documented_as_decimal_strings(spec, client, admin):
    """Costs and charges went out as "2400.00" while the spec promised a JSON number."""
    created = _conforms(
        spec,
        "/api/parts",
        "POST",
        headers=admin,
        body={
            "part_number": "SRV-FAN",
            "description": "Fan",
            "description_zh": "风扇",
            "category": "server",
            "tracking": "serialized",
            "kind": "repairable",
            "unit_cost": "2400",
        },
    )
    assert created.status_code == 201 and created.json()["unit_cost"] == "2400.00"
    listed = _conforms(spec, "/api/parts", "GET", headers=admin)
    assert {p["part_number"]: p["unit_cost"] for p in listed.json()["items"]}[
        "SRV-FAN"
    ] == "2400.00"
    too_much = client.post(
        "/api/parts",
        headers=admin,
        json={
            "part_number": "SRV-GOLD",
            "description": "Gold",
            "category": "server",
            "tracking": "serialized",
            "kind": "repairable",
            "unit_cost": "10000000.01",
        },
    )
    assert too_much.status_code == 422 and "unit_cost" in too_much.json["errors"]


def test_a_counts_variance_at_cost_is_documented_as_a_signed_decimal_string(spec, client, admin):
    """The count document sent "-2400.00" where the spec promised a JSON number."""
    received = {"depot": "BJ01", "part_number": "SRV-PSU", "serial": "P1"}
    assert client.post("/api/stock/receipts", json=received, headers=admin).status_code == 201
    started = _conforms(spec, "/api/counts", "POST", headers=admin, body={"depot": "BJ01"})
    assert started.status_code == 201 and started.json()["limit_value"] == "1000.00"
    number = started.json()["number"]
    review = _conforms(
        spec,
        "/api/counts/{number}/submit",
        "POST",
        headers=admin,
        path_parameters={"number": number},
    )
    assert review.status_code == 200
    assert review.json()["variance_value"].startswith("-")  # the unit not counted, at cost


def test_the_vendor_report_documents_both_its_json_and_its_csv(spec, admin):
    """The CSV was documented in place of the JSON (flask-smorest's alt_response on 200)."""
    as_json = _conforms(spec, "/api/rtvs/vendor-report", "GET", headers=admin)
    assert as_json.status_code == 200 and as_json.json() == []
    operation = spec["/api/rtvs/vendor-report"]["GET"]
    case = operation.Case(query={"format": "csv"})
    as_csv = case.call(headers=admin)
    case.validate_response(as_csv, checks=CHECKS, headers=admin)
    assert as_csv.headers["content-type"][0].startswith("text/csv")


def test_health_answers_the_documented_body_and_media_type(spec):
    health = _conforms(spec, "/api/health", "GET")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_the_spec_asks_for_a_body_only_where_the_server_needs_one(client):
    """schemathesis (--checks all) found bodies documented as required that the server did
    without (every field optional: PATCH of users and contracts, token and allocation and
    planning requests): a client reading the spec would send what is not needed."""
    document = client.get("/api/openapi.json").json
    schemas = document["components"]["schemas"]
    wrong = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body or "application/json" not in body["content"]:
                continue
            ref = body["content"]["application/json"]["schema"].get("$ref", "")
            schema = schemas.get(ref.rsplit("/", 1)[-1], {})
            if body.get("required") and not schema.get("required"):
                wrong.append(f"{method.upper()} {path}")
    assert wrong == []


def test_public_tracking_is_documented_without_credentials(client):
    document = client.get("/api/openapi.json").json
    assert document["paths"]["/api/track/{code}"]["get"]["security"] == []


def test_a_document_download_does_not_advertise_the_rma_moves_post(client):
    """The RMA move route (POST /api/rmas/<ref>/<action>) took any action name, so the
    downloads under /api/rmas/<number>/ advertised POST in Allow."""
    for url in ("/api/rmas/X/packing-slip.pdf", "/api/rmas/X/events"):
        allow = client.delete(url).headers["Allow"].replace(" ", "").split(",")
        assert "POST" not in allow and "GET" in allow, url
    assert "POST" in client.delete("/api/rmas/X/approve").headers["Allow"]


def test_a_number_where_the_spec_says_boolean_is_refused(client, db, admin):
    """``"active": 0`` deactivated a user although the spec documents a boolean."""
    make_user(db, "warehouse", "wang.wh")
    answer = client.patch("/api/users/wang.wh", json={"active": 0}, headers=admin)
    assert answer.status_code == 422 and "active" in answer.json["errors"]
    assert client.get("/api/users/wang.wh", headers=admin).json["active"] is True


def test_the_spec_says_an_idempotency_key_is_not_empty(client):
    """An empty key is refused (400), so the spec must not offer it as valid."""
    document = client.get("/api/openapi.json").json
    parameter = next(
        p
        for p in document["paths"]["/api/stock/receipts"]["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert parameter["schema"]["minLength"] == 1


def test_every_operation_documents_the_errors_it_can_answer(client):
    """Clients generated from the spec learn of 401/403/404/409 from the document, not from
    the first failure: 401 wherever credentials are needed, 403 where a role may not call,
    404 where a path names something, 409 on every write."""
    spec = client.get("/api/openapi.json").json
    operations = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    for path, method, op in operations:
        answers = op["responses"]
        if op.get("security") != []:
            assert "401" in answers, (method, path)
        if "{" in path:
            assert "404" in answers, (method, path)
        if method != "get":
            assert "409" in answers, (method, path)
    public = {path for path, _m, op in operations if op.get("security") == []}
    assert public == {"/api/health", "/api/track/{code}"}
    assert "403" in spec["paths"]["/api/counts"]["post"]["responses"]  # customers may not
    assert "403" not in spec["paths"]["/api/me"]["get"]["responses"]  # everyone may
    conflict = spec["components"]["responses"]["CONFLICT"]["content"]
    assert list(conflict) == ["application/problem+json"]


def test_statuses_kinds_and_conditions_are_documented_with_their_values(client):
    """A client switches over a ticket's status or a movement's reason: the document lists
    every value the server answers (the vocabularies of models.enums and logistics.sla)."""
    from logistics.sla import Severity
    from models.enums import Condition, MovementReason, RmaStatus, TicketStatus, TransferStatus

    schemas = client.get("/api/openapi.json").json["components"]["schemas"]

    def values(schema: str, field: str) -> set[str]:
        return set(schemas[schema]["properties"][field]["enum"])

    assert values("Ticket", "status") == values("TicketListItem", "status") == set(TicketStatus)
    assert values("Ticket", "severity") == set(Severity)
    assert values("Rma", "status") == values("Tracking", "status") == set(RmaStatus)
    assert values("Transfer", "status") == set(TransferStatus)
    assert values("Movement", "reason") == set(MovementReason)
    assert values("History", "condition") == values("CountLine", "condition") == set(Condition)
    assert values("Discrepancy", "kind") == {"missing", "short", "over", "unexpected"}
