"""The customer's tracking page: no account, by code, only this RMA's public facts."""

from __future__ import annotations

import pytest

from app.formatting import format_deadline
from inventory.tracking import grouped
from tests.web.conftest import delivered_rma, post_form


def test_the_tracking_form_leads_to_the_page_of_the_code(client, db):
    rma = delivered_rma(db, "TRK-0001")
    response = client.get(f"/track/lookup?code=+{rma.tracking_code}+")
    assert response.status_code == 302
    assert response.location.endswith(f"/track/{grouped(rma.tracking_code)}")


def test_a_code_read_out_on_the_phone_finds_the_rma_in_lower_case_with_look_alikes(client, db):
    rma = delivered_rma(db, "TRK-0011")
    code = grouped(rma.tracking_code)  # e.g. 7K3M-9Q2X-HD4T-PR8A
    spoken = code.lower().replace("-", " ").replace("1", "l").replace("0", "o")
    response = client.get("/track/lookup", query_string={"code": spoken})
    assert response.location.endswith(f"/track/{code}")
    page = client.get(response.location).get_data(as_text=True)
    assert rma.number in page and f'id="tracking-code">{code}<' in page


def test_a_code_issued_before_the_readable_codes_keeps_working_exactly_as_issued(client, db):
    from sqlalchemy import update

    from models import Rma

    rma = delivered_rma(db, "TRK-0012")
    old = "Zx-3_q9PLmN0aB7cD2eFgH"  # 22 URL-safe characters, as codes were issued before
    db.execute(update(Rma).where(Rma.number == rma.number).values(tracking_code=old))
    db.commit()
    assert rma.number in client.get(f"/track/{old}").get_data(as_text=True)
    assert client.get(f"/track/{old.lower()}").status_code == 404  # old codes stay exact


def test_the_page_shows_status_timeline_and_the_return_deadline_with_a_countdown(client, db):
    rma = delivered_rma(db, "TRK-0002")
    page = client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)
    assert rma.number in page and 'data-status="delivered"' in page
    assert f'data-deadline="{rma.return_due_at.isoformat().replace("+00:00", "Z")}"' in page
    for kind in ("opened", "approve", "allocate", "ship", "deliver"):
        assert f'data-event="{kind}"' in page
    assert "SF1234567890" in page and "已送达" in page


@pytest.mark.parametrize(("lang", "charge"), [("zh", "¥880.50"), ("en", "CN¥880.50")])
def test_a_late_return_charge_reads_as_money_in_the_readers_locale(client, db, lang, charge):
    from decimal import Decimal

    from sqlalchemy import update

    from models import Rma

    rma = delivered_rma(db, f"TRK-0020-{lang}")
    db.execute(
        update(Rma)
        .where(Rma.number == rma.number)
        .values(late_charge=Decimal("880.50"), charge_currency="CNY")
    )
    db.commit()
    post_form(client, "/prefs", {"lang": lang}, page="/track")

    assert charge in client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)


def test_times_are_shown_in_the_viewers_zone(client, db):
    rma = delivered_rma(db, "TRK-0003")
    page = client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)
    assert format_deadline(rma.return_due_at, "Asia/Shanghai", "zh") in page
    post_form(client, "/prefs", {"tz": "Europe/London"}, page="/track")
    london = format_deadline(rma.return_due_at, "Europe/London", "zh")
    assert london in client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)


def test_the_page_reads_in_english_after_the_switch(client, db):
    rma = delivered_rma(db, "TRK-0004")
    post_form(client, "/prefs", {"lang": "en"}, page="/track")
    page = client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)
    assert "Return the faulty part by" in page and "Delivered" in page and "已送达" not in page


def test_no_staff_names_internal_notes_or_other_customers(client, db):
    mine = delivered_rma(db, "TRK-0005")
    other = delivered_rma(db, "TRK-0006", site="C002-S1")
    page = client.get(f"/track/{mine.tracking_code}").get_data(as_text=True)
    assert "test.staff" not in page and "INTERNAL-NOTE-XYZ" not in page
    assert other.number not in page and "TRK-0006" not in page


def test_unknown_and_malformed_codes_answer_the_same_404(client):
    unknown = client.get("/track/AAAAAAAAAAAAAAAAAAAAAA")
    malformed = client.get("/track/x")
    assert unknown.status_code == malformed.status_code == 404
    assert "没有找到该跟踪码" in unknown.get_data(as_text=True)


def test_guessing_codes_is_rate_limited(app, client):
    app.config["TRACKING_RATE_LIMIT"] = "5 per minute"
    codes = [client.get(f"/track/GUESS{i:020d}").status_code for i in range(7)]
    assert codes[:5] == [404] * 5 and codes[-1] == 429


def test_the_page_fits_a_phone(client, db):
    rma = delivered_rma(db, "TRK-0007")
    page = client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_a_customer_lists_only_their_own_rmas(client, db, as_role):
    mine = delivered_rma(db, "TRK-0008")
    other = delivered_rma(db, "TRK-0009", site="C002-S1")
    as_role("customer")
    page = client.get("/my/rmas").get_data(as_text=True)
    assert mine.number in page and mine.tracking_code in page
    assert other.number not in page


def test_the_repair_request_form_downloads_for_staff_and_the_owning_customer_only(
    client, db, as_role
):
    mine = delivered_rma(db, "DOC-0001")
    other = delivered_rma(db, "DOC-0002", site="C002-S1")
    as_role("customer")
    response = client.get(f"/documents/rma/{mine.number}/repair-form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/documents/rma/{other.number}/repair-form.pdf").status_code == 404


def test_the_repair_form_needs_a_sign_in(client, db):
    rma = delivered_rma(db, "DOC-0003")
    assert client.get(f"/documents/rma/{rma.number}/repair-form.pdf").status_code == 302


def test_the_return_label_data_is_filled_from_the_rma(app, db):
    from sqlalchemy import select

    from app.documents.builders import packing_slip_for
    from app.documents.data import PackingSlipData
    from models import Rma

    view = delivered_rma(db, "LBL-0001")
    rma = db.scalar(select(Rma).where(Rma.number == view.number))
    data = packing_slip_for(db, rma, "https://service.example.cn/")
    db.rollback()
    assert isinstance(data, PackingSlipData)
    assert data.rma_number == view.number and data.faulty_serial == "LBL-0001"
    assert (
        data.replacement_serial == view.replacement_serial
        and data.return_deadline == view.return_due_at
    )
    assert data.tracking_url == f"https://service.example.cn/track/{view.tracking_code}"
    assert data.return_destination.name  # the depot the faulty unit goes back to


def test_the_label_link_downloads_the_return_label_of_this_rma(client, db):
    import io

    from pypdf import PdfReader

    rma = delivered_rma(db, "LBL-0002")
    page = client.get(f"/track/{rma.tracking_code}").get_data(as_text=True)
    assert 'id="return-label"' in page
    response = client.get(f"/track/{rma.tracking_code}/return-label.pdf")
    assert response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert rma.number in text and "LBL-0002" in text
