"""The visit API as the phone's queue uses it: each step with an Idempotency-Key, retried
after a lost answer without doing anything twice; photos kept in the photo store, size
limited; the signature ending in the service sheet and the fault report."""

from __future__ import annotations

import base64
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from inventory.dispatch_service import confirm_dispatch
from models import Movement, VisitPart, VisitPhoto
from tests.builders import bearer, jpeg_data_url, make_user, post_with_key, signature_png
from tests.service_builders import make_world, open_fault


@pytest.fixture
def job(app, db, tmp_path):
    app.config.update(PHOTO_DIR=str(tmp_path / "photos"), PHOTO_MAX_BYTES=200_000)
    world = make_world(db)
    _user, token = make_user(db, "engineer", "zhang.eng", engineer=world.engineer)
    number = open_fault(db, world, severity="P1", symptom="电源告警").number
    confirm_dispatch(
        db, number, engineer_code=world.engineer, depot_code=world.depot, actor="li.disp"
    )
    db.rollback()
    return world, number, bearer(token)


def test_a_retried_part_record_is_answered_again_and_moves_the_stock_once(client, db, job):
    world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    assert post_with_key(client, url + "/arrival", {}, headers, "k-arrive").status_code == 201
    body = {"installed_serial": world.spares[0], "removed_serial": world.equipment_serial}
    first = post_with_key(client, url + "/parts", body, headers, "k-parts")
    moved = db.scalar(select(func.count()).select_from(Movement))
    db.rollback()
    again = post_with_key(client, url + "/parts", body, headers, "k-parts")  # the answer was lost
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert db.scalar(select(func.count()).select_from(VisitPart)) == 1
    assert db.scalar(select(func.count()).select_from(Movement)) == moved


def test_photos_are_kept_in_the_store_and_a_too_large_one_is_refused_naming_the_field(
    client, db, job, tmp_path
):
    _world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {}, headers, "a")
    small = post_with_key(client, url + "/photos", {"data": jpeg_data_url(64)}, headers, "p1")
    assert small.status_code == 201 and len(small.json["photos"]) == 1
    key, photo_id = db.execute(select(VisitPhoto.storage_key, VisitPhoto.id)).one()
    db.rollback()
    assert (tmp_path / "photos" / key).read_bytes()[:2] == b"\xff\xd8"
    shown = client.get(f"{url}/photos/{photo_id}", headers=headers)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    big = post_with_key(
        client, url + "/photos", {"data": jpeg_data_url(900, noise=True)}, headers, "p2"
    )
    assert big.status_code == 422 and "data" in big.json["errors"]
    not_image = post_with_key(client, url + "/photos", {"data": "aGVsbG8="}, headers, "p3")
    assert not_image.status_code == 422 and "data" in not_image.json["errors"]


def test_the_signed_visit_prints_on_the_service_sheet_and_the_fault_report(client, db, job):
    world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {"device_time": "2026-01-05T01:00:00Z"}, headers, "1")
    work = {
        "diagnosis": "电源模块烧毁",
        "actions": "更换电源模块并测试",
        "open_issues": "机房温度偏高",
    }
    assert post_with_key(client, url + "/work", work, headers, "2").status_code == 200
    parts = {"installed_serial": world.spares[0], "removed_serial": world.equipment_serial}
    assert post_with_key(client, url + "/parts", parts, headers, "3").status_code == 201
    png = base64.b64encode(signature_png()).decode()
    signed = post_with_key(
        client, url + "/signature", {"signer_name": "韩梅", "png": png}, headers, "4"
    )
    assert signed.status_code == 200 and signed.json["ticket_status"] == "resolved"
    assert signed.json["observation_until"] is not None  # a P1: watched for 72 h

    sheet = client.get(f"/api/tickets/{number}/service-sheet.pdf", headers=headers)
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(sheet.data))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("技术服务单", "更换电源模块并测试", "机房温度偏高", world.spares[0], "韩梅"):
        assert expected in text, expected
    assert any(page.images for page in reader.pages)  # the drawn signature is on it

    report = client.get(f"/api/tickets/{number}/fault-report.pdf", headers=headers)
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(report.data)).pages)
    assert "更换电源模块并测试" in text and "电源模块烧毁" in text
    assert world.equipment_serial in text and world.spares[0] in text
