"""The inspection pages on the demo data, in both languages: the admin's programme form
(the demo contract's quarterly programme; a bad time named), the month calendar per
engineer and per customer, the engineer's phone page with its checklist, the board's
report clock after the signature, and the customer's report download once issued."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from inventory import inspections as ins
from models import Engineer, Inspection, User
from tests.web.conftest import pass_and_sign_inspection, post_form


def _assert_rendered_in(html: str, lang: str, url: str) -> None:
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html, url
    leaked = re.findall(r">\s*(?:ins|doc|clock)\.[a-z_.]+\s*<", html)
    assert not leaked, (url, leaked[:5])


def _zhangs_first(db) -> Inspection:
    """The demo programme's first visit, given to zhang.eng (the demo's engineer login)."""
    zhang = db.scalar(
        select(Engineer).join(User, User.id == Engineer.user_id).where(User.username == "zhang.eng")
    )
    row = db.scalar(select(Inspection).order_by(Inspection.day, Inspection.number))
    row.engineer_id = zhang.id
    db.commit()
    return row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_inspection_pages_render_in_both_languages(app, client, as_role, db, lang):
    with app.app_context():
        row = _zhangs_first(db)
        number, contract, customer = row.number, row.contract.code, row.site.customer.code
        month = row.day.strftime("%Y-%m")
        db.rollback()
    as_role("admin")
    post_form(client, "/prefs", {"lang": lang}, page="/track")
    urls = [
        f"/inspections/programme/{contract}",
        f"/inspections/calendar?customer={customer}&month={month}",
        f"/inspections/calendar?engineer=NONE&month={month}",
        f"/engineer/inspections/{number}",
        f"/admin/contracts/{contract}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_rendered_in(response.get_data(as_text=True), lang, url)
    programme = client.get(urls[0]).get_data(as_text=True)
    assert 'value="quarterly" selected' in programme
    assert number in client.get(urls[1]).get_data(as_text=True)
    phone = client.get(urls[3]).get_data(as_text=True)
    assert 'data-queue="checklist"' in phone and "o:*:env-temp" in phone


def test_a_programme_saved_with_a_bad_time_names_the_field_and_changes_nothing(
    app, client, as_role, db
):
    with app.app_context():
        contract = _zhangs_first(db).contract.code
        db.rollback()
    as_role("admin")
    url = f"/inspections/programme/{contract}"
    form = {
        "frequency": "monthly",
        "mode": "on_site",
        "report_days": "7",
        "visit_minutes": "90",
        "preferred_start": "9am",
        "preferred_end": "17:00",
        "weekday": ["2", "4"],
        "checklist": "* | environment | 温度 | 18-27",
    }
    html = post_form(client, url, form, follow_redirects=True).get_data(as_text=True)
    assert "preferred_start_min" in html
    with app.app_context():
        assert ins.get_programme(db, contract).frequency == "quarterly"
        db.rollback()
    form["preferred_start"] = "08:30"
    post_form(client, url, form, follow_redirects=True)
    with app.app_context():
        saved = ins.get_programme(db, contract)
        assert (saved.frequency, saved.preferred_start_min) == ("monthly", 510)
        assert saved.checklists == {
            "*": [{"key": "env-1", "group": "environment", "item": "温度", "expected": "18-27"}]
        }
        db.rollback()


def test_the_board_runs_the_report_clock_and_the_customer_downloads_the_issued_report(
    app, client, as_role, db
):
    with app.app_context():
        row = _zhangs_first(db)
        number = row.number
        view = pass_and_sign_inspection(db, row)
        assert view.status == "in_progress"
    as_role("dispatcher")
    board = client.get("/dispatch/").get_data(as_text=True)
    assert f'data-inspection="{number}"' in board and 'data-clock="inspection_report"' in board
    with app.app_context():
        ins.issue_report(db, number, engineer_id=None, actor="li.disp")
    board = client.get("/dispatch/").get_data(as_text=True)
    assert f'data-inspection="{number}"' not in board
    post_form(client, "/logout", {}, page="/dispatch/")
    as_role("customer")
    mine = client.get("/my/").get_data(as_text=True)
    assert f"/documents/inspection/{number}/report.pdf" in mine
    pdf = client.get(f"/documents/inspection/{number}/report.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
