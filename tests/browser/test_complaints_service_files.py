"""Issue 17: a customer files a complaint on their pages; a dispatcher sends it to a
department; its resolution clock runs out and the SLA sweep (run as of that moment through
its ``now`` argument, whatever the hour: the complaint clocks are wall-clock) escalates it
to the department head; the last quarter's service file, made by ``flask reports generate``,
is downloaded from the customer's page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from inventory.service_files import previous_periods
from inventory.sweep import sweep
from models import Complaint, Customer, User, utcnow
from models.db import make_engine, make_session_factory
from tests.browser.conftest import ROOT, shot, sign_in


def test_a_complaint_runs_its_clock_and_escalates_and_the_quarterly_file_is_downloaded(
    live_server, desktop, browser
):
    from playwright.sync_api import expect

    page = desktop
    sign_in(page, live_server, "customer.sgcc", "customer-demo-pass")
    page.goto(live_server + "/my/complaints")
    page.locator("#kind-complaint").check()
    page.locator("#urgency-very_urgent").check()
    page.locator("#subject").fill("备件多次未按承诺时间送达")
    page.locator("#description").fill("本月两次故障，备件均晚于承诺时间一天以上送达。")
    page.locator("#complaint-submit").click()
    expect(page.locator(".flash.success")).to_contain_text("CPL-")
    number = re.search(r"CPL-\d{4}-\d{6}", page.locator(".flash.success").inner_text()).group(0)
    expect(page.locator('#complaint [data-clock="complaint_response"]')).to_be_visible()
    expect(page.locator('#complaint [data-clock="complaint_resolution"]')).to_be_visible()

    staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    sign_in(staff, live_server, "li.disp", "dispatcher-demo-pass")
    staff.goto(live_server + f"/complaints/{number}")
    staff.locator("#department").select_option("SVC")
    staff.locator("#planned_measures").fill("核查物流记录，调整该地区备件库存")
    staff.locator("#respond-submit").click()
    expect(staff.locator("#c-status")).to_contain_text("处理中")
    expect(staff.locator('#c-clocks [data-clock="complaint_response"]')).to_contain_text("达成")

    # the resolution clock (very urgent: 24 h) runs out: the sweep as of 25 h later
    engine = make_engine(live_server.database_url)
    with make_session_factory(engine)() as session:
        received = session.scalar(select(Complaint.received_at).where(Complaint.number == number))
        report = sweep(session, now=received + timedelta(hours=25))
        assert (number, "breach:complaint_resolution") in [
            (f.subject_ref, f.step) for f in report.escalations
        ]
        customer = session.scalar(
            select(Customer).join(User, User.customer_id == Customer.id)
            .where(User.username == "customer.sgcc")
        )  # fmt: skip
        code = customer.code
    engine.dispose()
    staff.goto(live_server + "/complaints/")
    expect(staff.locator(f'tr[data-complaint="{number}"][data-escalated="1"]')).to_be_visible()
    staff.goto(live_server + f"/complaints/{number}")
    expect(staff.locator("#c-escalated")).to_contain_text("已升级至部门负责人")
    expect(staff.locator('#complaint-log li[data-kind="escalated"]')).to_contain_text("周敏")
    shot(staff, "complaint-escalated")
    # the indicators a service manager watches, drawn without any script from elsewhere
    staff.goto(live_server + "/reports/indicators")
    expect(staff.locator("#chart-compliance rect.bar").first).to_be_visible()
    expect(staff.locator("#kpi-ftf .value")).to_contain_text("%")
    shot(staff, "service-indicators")
    staff.close()
    # the customer follows it: still in progress, the supervision log and escalation are staff's
    page.goto(live_server + f"/my/complaints/{number}")
    expect(page.locator("#c-status")).to_contain_text("处理中")
    expect(page.locator('#complaint-log li[data-kind="escalated"]')).to_have_count(0)

    # the last quarter's service file, made by the command line, on the customer's page
    quarter = previous_periods(utcnow(), "Asia/Shanghai")[0].code
    env = {**os.environ, "DATABASE_URL": live_server.database_url, "FLASK_APP": "wsgi",
           "SPARELOG_ENV": "development", "SECRET_KEY": "browser-tests",
           "PUBLIC_BASE_URL": str(live_server)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "flask", "reports", "generate", "--quarter", quarter,
         "--customer", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    page.goto(live_server + "/my/service-files/")
    row = page.locator(f'#service-files tr[data-period="{quarter}"]')
    expect(row).to_contain_text("季度服务档案")
    shot(page, "customer-service-files")
    with page.expect_download() as got:
        row.locator(".sf-download").click()
    path = got.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
