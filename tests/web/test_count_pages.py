"""The count pages as a clerk uses them: start at my depot, scan and count, submit, see
each variance with its value, recount, post; a second clerk approves instead."""

from __future__ import annotations

import re

from sqlalchemy import select

from inventory import receiving
from inventory.verify import verify_ledger
from models import Depot, Part, SerialItem, StockQuantity
from tests.web.conftest import csrf_of, sign_in

FAN = "SRV-FAN-80"  # counted


def _bj01_fans(db) -> int:
    db.expire_all()
    depot = db.scalar(select(Depot).where(Depot.code == "BJ01"))
    part = db.scalar(select(Part).where(Part.part_number == FAN))
    qty = db.scalar(
        select(StockQuantity.qty).where(
            StockQuantity.part_id == part.id,
            StockQuantity.location_id == depot.location_id,
            StockQuantity.condition == "good",
        )
    )
    db.rollback()
    return qty or 0


def _post(client, url: str, page_url: str, data: dict):
    html = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_of(html)})


def test_a_count_with_a_variance_is_recounted_and_posted(as_role, db):
    staff = as_role("warehouse")  # wang.wh at BJ01
    books = _bj01_fans(db)
    started = _post(staff, "/warehouse/counts/", "/warehouse/counts/", {"parts": FAN})
    url = started.location
    number = url.rsplit("/", 1)[-1]
    page = staff.get(url).get_data(as_text=True)
    line = re.search(r'id="qty-(\d+)"', page).group(1)
    _post(staff, f"{url}/record", url, {f"qty_{line}": str(books + 5)})
    _post(staff, f"{url}/submit", url, {})
    page = staff.get(url).get_data(as_text=True)
    assert 'data-status="review"' in page and 'data-variance="5"' in page
    assert "超限：须复盘或批准" in page and 'id="count-post-submit" disabled' in page
    refused = staff.get(_post(staff, f"{url}/post", url, {}).location).get_data(as_text=True)
    assert "复盘" in refused and _bj01_fans(db) == books

    _post(staff, f"{url}/recount", url, {"part": FAN})
    page = staff.get(url).get_data(as_text=True)
    assert 'data-status="counting"' in page and "复盘：首次" in page
    _post(staff, f"{url}/record", url, {f"qty_{line}": str(books + 1)})
    _post(staff, f"{url}/submit", url, {})
    posted = staff.get(_post(staff, f"{url}/post", url, {}).location).get_data(as_text=True)
    assert f"盘点单 {number} 已过账" in posted and 'data-status="posted"' in posted
    assert _bj01_fans(db) == books + 1
    assert verify_ledger(db) == []


def test_a_second_clerk_approves_and_most_serials_missing_needs_confirmation(client, db, as_role):
    staff = as_role("warehouse")
    for i in range(3):
        receiving.receive_from_supplier(
            db, depot_code="BJ01", part_number="SRV-2288-PSU", serial=f"CNT-WEB-{i}", actor="t"
        )
    depot = db.scalar(select(Depot).where(Depot.code == "BJ01"))
    shelf: dict[str, list[str]] = {}
    for serial, part_number in db.execute(
        select(SerialItem.serial, Part.part_number)
        .join(Part, Part.id == SerialItem.part_id)
        .where(
            SerialItem.location_id == depot.location_id,
            SerialItem.status.in_(("in_stock", "reserved")),
        )
    ):
        shelf.setdefault(part_number, []).append(serial)
    part_number, serials = "SRV-2288-PSU", shelf["SRV-2288-PSU"]
    serials.sort()
    db.rollback()
    assert len(serials) >= 3
    url = _post(staff, "/warehouse/counts/", "/warehouse/counts/", {"parts": part_number}).location
    _post(staff, f"{url}/record", url, {"serials": serials[0] + "\nNOT-IN-BOOKS-1"})
    _post(staff, f"{url}/submit", url, {})
    page = staff.get(url).get_data(as_text=True)
    assert 'data-finding="unknown"' in page and "账上无此序列号" in page
    assert 'id="count-approve"' not in page  # wang counted: a second person approves
    other = client.application.test_client()
    sign_in(other, "zhao.wh", "warehouse")  # not assigned to BJ01
    assert other.get(url).status_code == 403
    admin = client.application.test_client()
    sign_in(admin, "admin")
    if 'id="count-needs-check"' in page:
        _post(admin, f"{url}/approve", url, {})
    asked = staff.get(_post(staff, f"{url}/post", url, {}).location).get_data(as_text=True)
    assert 'id="count-confirm-warning"' in asked and 'data-status="review"' in asked
    done = staff.get(_post(staff, f"{url}/post", url, {"confirm": "1"}).location)
    assert 'data-status="posted"' in done.get_data(as_text=True)
