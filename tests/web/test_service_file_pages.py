"""The customer's service files on their pages: the files kept for them listed and
downloaded as PDFs; another customer's are not theirs."""

from __future__ import annotations

from sqlalchemy import select

from app.documents.files import generate_service_file
from inventory.service_files import previous_periods
from models import Customer, utcnow


def test_the_customer_downloads_the_last_quarters_file(app, client, as_role, db):
    quarter = previous_periods(utcnow(), "Asia/Shanghai")[0].code
    mine = db.scalar(select(Customer).where(Customer.code == "C001"))
    theirs = db.scalar(select(Customer).where(Customer.code == "C002"))
    with app.app_context():
        generate_service_file(db, mine, quarter, lang="zh", actor="test")
        generate_service_file(db, theirs, str(utcnow().year - 1), lang="zh", actor="test")
    db.rollback()  # let the page's writes through (SQLite)
    as_role("customer")
    page = client.get("/my/service-files/").get_data(as_text=True)
    assert f'data-period="{quarter}"' in page and "季度服务档案" in page
    assert f'data-period="{utcnow().year - 1}"' not in page
    pdf = client.get(f"/my/service-files/{quarter}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get(f"/my/service-files/{utcnow().year - 1}.pdf").status_code == 404
    assert client.get("/my/service-files/nonsense.pdf").status_code == 404
