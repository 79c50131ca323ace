"""URLs of pages that show one thing from the demo data (for the i18n sweep)."""

from __future__ import annotations

from sqlalchemy import select

from models import Location, Part, SerialItem
from tests.web.conftest import delivered_rma


def data_page_urls(db) -> list[str]:
    serial = db.scalar(select(SerialItem.serial).join(Location, Location.id == SerialItem.location_id)
                       .where(Location.code == "BJ01", SerialItem.status == "in_stock").order_by(SerialItem.id))
    at_vendor = db.scalar(select(SerialItem.serial).where(SerialItem.status == "at_vendor").order_by(SerialItem.id))
    counted = db.scalar(select(Part.part_number).where(Part.tracking == "counted").order_by(Part.id))
    db.rollback()
    urls = [f"/warehouse/?q={serial}", "/warehouse/?q=SRV-2288-PSU", f"/warehouse/?q={counted}",
            "/warehouse/?q=UNKNOWN-CODE", "/warehouse/reorder?depot=BJ01"]
    if at_vendor:
        urls.append(f"/warehouse/?q={at_vendor}")
    rma = delivered_rma(db, "I18N-FAULTY-1")
    urls += [f"/track/{rma.tracking_code}", f"/warehouse/?q={rma.number}"]
    return urls
