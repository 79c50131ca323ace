"""The replacement's waybill and the faulty part's waybill are two numbers: the packing
slip keeps the outbound one after the faulty part went back, the return label shows the
return one, and a database from before the split gets both back from the RMA's events."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import create_engine, select, text

from inventory import rmas
from models import Rma
from models.migrate import downgrade, upgrade
from tests.web.conftest import delivered_rma


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def _sent_back(db, serial: str) -> str:
    """An advance replacement shipped with waybill SF1234567890 whose faulty part the
    customer sent back with EMS waybill EMS-BACK-777."""
    number = delivered_rma(db, serial).number
    rmas.move_rma(
        db,
        number,
        "return_faulty",
        actor="customer",
        given=rmas.MoveInput(carrier="EMS", waybill="EMS-BACK-777"),
    )
    db.rollback()
    return number


def test_the_return_waybill_does_not_replace_the_outbound_one(db) -> None:
    number = _sent_back(db, "WAY-0001")

    rma = db.scalar(select(Rma).where(Rma.number == number))
    assert (rma.carrier, rma.waybill) == ("顺丰速运", "SF1234567890")
    assert (rma.return_carrier, rma.return_waybill) == ("EMS", "EMS-BACK-777")


def test_the_packing_slip_and_the_return_label_each_show_their_own_waybill(as_role, db) -> None:
    number = _sent_back(db, "WAY-0002")
    staff = as_role("warehouse")

    slip = _text(staff.get(f"/documents/rma/{number}/packing-slip.pdf").data)
    label = _text(staff.get(f"/documents/rma/{number}/return-label.pdf").data)

    above_the_cut = slip.split("沿虚线剪下")[0]
    assert "SF1234567890" in above_the_cut and "EMS-BACK-777" not in above_the_cut
    assert "EMS-BACK-777" in label and "SF1234567890" not in label


def test_the_migration_gives_back_the_outbound_waybill_the_return_had_overwritten(
    app, database_url, db
) -> None:
    number = _sent_back(db, "WAY-0003")
    db.close()
    app.extensions["sparelog.db"].engine.dispose()
    downgrade(database_url, "0008_places")
    engine = create_engine(database_url)
    with engine.begin() as connection:  # what the old code stored: the return leg only,
        connection.execute(  # and a return event without its carrier
            text("UPDATE rmas SET carrier = 'EMS', waybill = 'EMS-BACK-777' WHERE number = :n"),
            {"n": number},
        )
        old_event = connection.execute(
            text(
                "UPDATE events SET data = :data WHERE kind = 'return_faulty' AND subject_ref = :n"
            ),
            {"n": number, "data": '{"serial": "WAY-0003", "waybill": "EMS-BACK-777"}'},
        )
        assert old_event.rowcount == 1

    upgrade(database_url)

    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT carrier, waybill, return_carrier, return_waybill FROM rmas"
                " WHERE number = :n"
            ),
            {"n": number},
        ).one()
    engine.dispose()
    assert tuple(row) == ("顺丰速运", "SF1234567890", "EMS", "EMS-BACK-777")
