"""The customer's quarterly service file and annual summary on the small history of
tests/db/test_indicators.py (SQLite and PostgreSQL): the summary's figures read back from
the PDF with pdftotext, the quarter's fault handling reports behind it, the file kept and the
customer e-mailed; the schedule makes each file once; ``flask reports generate``."""

from __future__ import annotations

import io
import subprocess
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.documents.files import generate_due_service_files, generate_service_file
from app.jobs.mails import render_mail
from models import Customer, OutboxMessage, Part, ServiceFile, Ticket, Visit, VisitPart
from tests.builders import make_part
from tests.db.test_indicators import history  # noqa: F401  (the fixture)

AFTER_Q4 = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def c001(db, history):  # noqa: F811
    """C001 with its email, and a power supply replaced on ticket A's visit."""
    customer = db.scalar(select(Customer).where(Customer.code == "C001"))
    customer.email = "it@c001.example.com"
    part = make_part(db, "SRV-PSU")
    first = db.scalar(select(Ticket).where(Ticket.severity == "P1"))
    visit = db.scalar(select(Visit).where(Visit.ticket_id == first.id))
    db.add(VisitPart(visit_id=visit.id, part_id=part.id, qty=1, installed_serial="NEW-1",
                     removed_serial="OLD-1", recorded_by="e"))  # fmt: skip
    db.commit()
    return customer


def test_the_quarterly_file_summarises_the_quarter_and_encloses_its_reports(
    app, db, c001, tmp_path
):
    with app.app_context():
        kept = generate_service_file(db, c001, "2026Q4", lang="en", actor="test", now=AFTER_Q4)
    assert (kept.kind, kept.period, kept.lang, kept.reports) == ("quarterly", "2026Q4", "en", 2)
    text = _text(kept.pdf, tmp_path)
    assert "Quarterly service file" in text and "2026Q4 (1 Oct 2026 – 31 Dec 2026)" in text
    # A (P1, restored in 50 min), F (P4, cancelled), B (P2, restored in 200 min)
    assert "Faults reported 3" in text and "Restored 2" in text
    assert "Fixed at the first" in text and "1 / 2 (50.0%)" in text
    assert "3.5 (Survey responses: 2)" in text  # the surveys' overall 5 and 2
    assert "P1 system down / data loss 1 50 min" in text
    assert "P2 severe, degraded 1 3 h 20 min" in text
    assert "SRV-PSU 1 Not recorded 1" in text  # by cause: A's power supply, B unknown
    assert "First response 1 1 50.0%" in text and "Service restored 1 1 50.0%" in text
    assert "SRV-PSU SRV-PSU test part 1" in text  # the part replaced
    assert "Advance 0 Faulty parts 0 back, 0 late" in text
    numbers = sorted(db.scalars(select(Ticket.number).where(Ticket.severity.in_(("P1", "P2")),
                                                            Ticket.customer_id == c001.id)))  # fmt: skip
    assert " · ".join(numbers) in text
    pages = len(PdfReader(io.BytesIO(kept.pdf)).pages)
    assert (
        pages >= 3
        and text.count("Fault Handling Report") + text.count("Fault handling report") >= 2
    )
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "it@c001.example.com"))
    body = render_mail(mail.mail)[1]  # c001 reads the deployment's Chinese
    assert "/my/service-files" in body and "季度服务档案：2026Q4" in body


def test_the_chinese_file_reads_in_chinese(app, db, c001, tmp_path):
    with app.app_context():
        kept = generate_service_file(db, c001, "2026Q4", lang="zh", actor="test", now=AFTER_Q4)
    text = _text(kept.pdf, tmp_path)
    assert "季度服务档案" in text and "故障处理报告" in text


def test_the_annual_summary_gives_the_months_and_the_inspections(app, db, c001, tmp_path):
    with app.app_context():
        kept = generate_service_file(db, c001, "2026", lang="en", actor="test", now=AFTER_Q4)
    text = _text(kept.pdf, tmp_path)
    assert "Annual service summary" in text and "The year month by month" in text
    assert "October 2026 3 2" in text  # October: 3 tickets, 2 restored
    assert "No inspection this year." in text


def test_the_schedule_makes_each_file_once_and_refuses_nothing_twice(app, db, c001):
    with app.app_context():
        made = generate_due_service_files(db, now=AFTER_Q4)
        again = generate_due_service_files(db, now=AFTER_Q4)
    assert "C001 2026Q4" in made and "C001 2026" in made and again == []
    kept = db.scalars(select(ServiceFile.period).where(ServiceFile.customer_id == c001.id))
    assert sorted(kept) == ["2026", "2026Q4"]


def test_the_command_line_generates_a_quarter(app, db, c001, runner):
    result = runner.invoke(
        args=["reports", "generate", "--quarter", "2026Q4", "--customer", "C001"]
    )
    assert result.exit_code == 0, result.output
    assert "C001 2026Q4 zh: 2 fault report(s)" in result.output
    bad = runner.invoke(args=["reports", "generate", "--quarter", "2026Q9"])
    assert bad.exit_code != 0 and "YYYYQn" in bad.output
    future = runner.invoke(args=["reports", "generate", "--year", "2199"])
    assert future.exit_code != 0 and "not begun" in future.output
    assert db.scalar(select(Part.part_number)) == "SRV-PSU"
