"""Each PDF is offered on the screen it belongs to, only when it exists, and the link
downloads it: the dispatcher's ticket page, the warehouse RMA card, the customer's list."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from models import Rma, Ticket
from tests.web.conftest import delivered_rma, open_ticket, post_form


def href(page: str, element_id: str) -> str | None:
    match = re.search(rf'<a id="{element_id}" href="([^"]+)"', page)
    return match.group(1).replace("&amp;", "&") if match else None


def pdf_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf", (
        url,
        response.status_code,
    )
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)


def _resolved_ticket_with_rma(db) -> tuple[str, str]:
    """The demo's C001 ticket whose replacement was delivered and whose fix was recorded."""
    ticket, rma = db.execute(
        select(Ticket.number, Rma.number)
        .join(Rma, Rma.ticket_id == Ticket.id)
        .where(Ticket.status == "resolved")
    ).one()
    db.rollback()
    return ticket, rma


def test_the_ticket_page_offers_the_rmas_papers_and_the_fault_report_once_resolved(
    app, as_role, db
):
    client = as_role("dispatcher")
    ticket, rma = _resolved_ticket_with_rma(db)
    page = client.get(f"/dispatch/tickets/{ticket}").get_data(as_text=True)
    assert href(page, "doc-repair-form") == f"/documents/rma/{rma}/repair-form.pdf"
    assert href(page, "doc-packing-slip") == f"/documents/rma/{rma}/packing-slip.pdf"
    assert href(page, "doc-fault-report") == f"/documents/ticket/{ticket}/fault-report.pdf"
    assert ticket in pdf_text(client, href(page, "doc-fault-report"))
    assert "装箱单" in pdf_text(client, href(page, "doc-packing-slip"))


def test_a_new_ticket_offers_no_papers_yet(app, as_role, db):
    client = as_role("dispatcher")
    with app.app_context():
        number = open_ticket(db)
    page = client.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    assert 'id="ticket-documents"' not in page and "fault-report.pdf" not in page
    assert client.get(f"/documents/ticket/{number}/fault-report.pdf").status_code == 409


def test_the_ticket_page_links_the_customers_monthly_reports(app, as_role, db):
    client = as_role("dispatcher")
    with app.app_context():
        number = open_ticket(db)
    page = client.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    links = re.findall(r'href="(/documents/customer/C001/monthly-report\.pdf\?[^"]+)"', page)
    assert len(links) == 2  # this month and the previous one
    assert "月度服务报告" in pdf_text(client, links[0].replace("&amp;", "&"))


def test_the_warehouse_rma_card_offers_the_packing_slip_and_the_return_label(app, as_role, db):
    client = as_role("warehouse")
    rma = delivered_rma(db, "DOC-WH-0001")
    page = client.get(f"/warehouse/?q={rma.number}").get_data(as_text=True)
    assert href(page, "doc-packing-slip") == f"/documents/rma/{rma.number}/packing-slip.pdf"
    assert href(page, "doc-return-label") == f"/documents/rma/{rma.number}/return-label.pdf"
    text = pdf_text(client, href(page, "doc-return-label"))
    assert rma.number in text and "DOC-WH-0001" in text
    assert rma.replacement_serial in pdf_text(client, href(page, "doc-packing-slip"))


def test_a_unit_sent_for_repair_has_a_return_label_but_no_packing_slip(app, as_role, db):
    client = as_role("warehouse")
    rtf = db.scalar(
        select(Rma.number).where(Rma.kind == "return_for_repair", Rma.status == "awaiting_return")
    )
    db.rollback()
    page = client.get(f"/warehouse/?q={rtf}").get_data(as_text=True)
    assert (
        href(page, "doc-repair-form")
        and href(page, "doc-return-label")
        and not href(page, "doc-packing-slip")
    )
    assert client.get(f"/documents/rma/{rtf}/packing-slip.pdf").status_code == 409


def test_the_customer_list_offers_form_label_fault_report_and_monthly_reports(app, as_role, db):
    client = as_role("customer")
    mine = delivered_rma(db, "DOC-CU-0001")
    _ticket, with_ticket = _resolved_ticket_with_rma(db)
    page = client.get("/my/rmas").get_data(as_text=True)
    assert f"/documents/rma/{mine.number}/repair-form.pdf" in page
    assert f"/track/{mine.tracking_code}/return-label.pdf" in page
    row = page[page.index(with_ticket) :].split("</tr>")[0]
    assert "fault-report.pdf" in row
    months = re.findall(r'href="(/documents/customer/C001/monthly-report\.pdf\?[^"]+)"', page)
    assert len(months) == 2
    assert "月度服务报告" in pdf_text(client, months[1].replace("&amp;", "&"))


def test_a_customer_cannot_fetch_another_customers_papers(app, as_role, db):
    client = as_role("customer")
    other = delivered_rma(db, "DOC-CU-0002", site="C002-S1")
    for url in (
        f"/documents/rma/{other.number}/repair-form.pdf",
        f"/documents/rma/{other.number}/packing-slip.pdf",
        f"/documents/rma/{other.number}/return-label.pdf",
        "/documents/customer/C002/monthly-report.pdf?year=2026&month=1",
    ):
        assert client.get(url).status_code == 404, url
    assert "C002" not in client.get("/my/rmas").get_data(as_text=True)


@pytest.mark.parametrize("query", ["year=2026&month=13", "year=x&month=1", "year=2199&month=1", ""])
def test_a_bad_month_is_explained_not_rendered(app, as_role, query):
    client = as_role("customer")
    response = client.get(f"/documents/customer/C001/monthly-report.pdf?{query}")
    assert response.status_code == 422 and response.mimetype == "text/html"


def test_the_documents_follow_the_pages_language(app, as_role, db):
    client = as_role("customer")
    mine = delivered_rma(db, "DOC-CU-0003")
    assert "设备维修申请表" in pdf_text(client, f"/documents/rma/{mine.number}/repair-form.pdf")
    post_form(client, "/prefs", {"lang": "en"}, page="/my/rmas")
    assert "Equipment Repair Request Form" in pdf_text(
        client, f"/documents/rma/{mine.number}/repair-form.pdf"
    )
