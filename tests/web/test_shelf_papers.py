"""Labels, pick lists and delivery notes from the warehouse pages and the API: what a
scanner reads off them, and that a clerk prints only their own depots' papers."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from app.auth import issue_token
from inventory.transfers import LineRequest, ship_transfer
from models import Depot, Part, SerialItem, User
from tests.unit.test_documents import page_images


def _scanned(pdf: bytes) -> list[str]:
    import zxingcpp  # a barcode reader, standing in for the warehouse's scanner

    return [
        code.text
        for image in page_images(pdf, scale=3)
        for code in zxingcpp.read_barcodes(image)
        if "128" in str(code.format)
    ]


def _a_transfer(db, from_depot: str = "BJ01", to_depot: str = "SH01") -> tuple[str, str]:
    """A transfer of one serialized unit in stock at ``from_depot``: (number, serial)."""
    location = db.scalar(select(Depot.location_id).where(Depot.code == from_depot))
    item, part_number = db.execute(
        select(SerialItem, Part.part_number)
        .join(Part, Part.id == SerialItem.part_id)
        .where(SerialItem.location_id == location, SerialItem.status == "in_stock")
        .order_by(SerialItem.id)
        .limit(1)
    ).one()
    serial = item.serial
    db.rollback()
    result = ship_transfer(
        db,
        from_depot=from_depot,
        to_depot=to_depot,
        lines=[LineRequest(part_number, serial=serial)],
        actor="wang.wh",
    )
    return result.number, serial


def test_the_console_offers_its_depots_bin_labels_and_a_scanner_reads_them(client, as_role):
    as_role("warehouse")  # wang.wh works at BJ01 and TJ01
    page = client.get("/warehouse/").get_data(as_text=True)
    assert 'id="bin-labels-link"' in page
    response = client.get("/documents/depot/BJ01/bin-labels.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 60
    scanned = _scanned(response.data[: len(response.data)])
    assert scanned[0] == "BJ01" and len(scanned) == len(reader.pages) > 1
    assert client.get("/documents/depot/SH01/bin-labels.pdf").status_code == 404  # not theirs


def test_a_transfers_papers_are_linked_from_its_page_for_its_depots_staff_only(client, as_role, db):
    number, serial = _a_transfer(db)
    as_role("warehouse")
    page = client.get(f"/warehouse/transfers/{number}").get_data(as_text=True)
    for link in ("pick-list-link", "delivery-note-link", "item-labels-link"):
        assert f'id="{link}"' in page
    pick = client.get(f"/documents/transfer/{number}/pick-list.pdf")
    assert pick.status_code == 200
    text = PdfReader(BytesIO(pick.data)).pages[0].extract_text()
    assert "调拨拣货单" in text and serial in text and "BJ01" in text
    assert number in _scanned(pick.data)
    note = client.get(f"/documents/transfer/{number}/delivery-note.pdf?lang=en")
    assert "Transfer Delivery Note" in PdfReader(BytesIO(note.data)).pages[0].extract_text()
    labels = client.get(f"/documents/transfer/{number}/item-labels.pdf")
    assert _scanned(labels.data) == [serial]

    elsewhere, _ = _a_transfer(db, "NJ01", "HZ01")  # between two of zhao.wh's depots
    assert client.get(f"/documents/transfer/{elsewhere}/pick-list.pdf").status_code == 404


def test_the_api_gives_the_same_papers_under_the_same_binding(client, db):
    number, serial = _a_transfer(db)
    clerk = db.scalar(select(User).where(User.username == "zhao.wh"))  # SH01: the receiver
    headers = {"Authorization": f"Bearer {issue_token(db, clerk)}"}
    db.commit()
    labels = client.get(f"/api/transfers/{number}/item-labels.pdf", headers=headers)
    assert labels.status_code == 200 and _scanned(labels.data) == [serial]
    note = client.get(f"/api/transfers/{number}/delivery-note.pdf", headers=headers)
    assert note.status_code == 200
    assert client.get("/api/depots/BJ01/bin-labels.pdf", headers=headers).status_code == 404
    mine = client.get("/api/depots/SH01/bin-labels.pdf?part=SRV-2288-PSU", headers=headers)
    assert mine.status_code == 200 and _scanned(mine.data) == ["SH01", "SRV-2288-PSU"]
    unknown = client.get("/api/depots/SH01/bin-labels.pdf?part=NOPE", headers=headers)
    assert unknown.status_code == 422 and "part" in str(unknown.json)
