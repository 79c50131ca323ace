"""Every page and every document, rendered in zh-CN, carries no English words.

The sweep walks every GET route of the app's URL map (the JSON API, static files and the
spreadsheet exports aside), for every role that may open it, with the demo data plus a
ticket, a signed visit, RMAs, a transfer, a count, a webhook and a password link, so each
page shows data. The visible text (text nodes and the title / placeholder / aria-label /
alt attributes; not scripts, styles or the language switch) may hold Chinese, codes,
numbers, units and the few proper nouns in ``ALLOWED``; any other Latin word is an
untranslated message. The same holds for the text of every PDF document."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from inventory import visits
from inventory.stock_counts import start_count
from inventory.transfers import LineRequest, ship_transfer
from inventory.webhooks import create_endpoint
from models import Depot, Part, SerialItem, Ticket, User
from tests.builders import signature_png
from tests.web.conftest import DEMO_LOGINS, pass_and_sign_inspection, post_form, sign_in

# A Latin word: letters with at least one lower-case letter, not part of a code, a serial, a
# user name, an e-mail address, a file name or a URL (no letter, digit, '.', '@', '/', '_',
# '-' on either side, no '://' after).
WORD = re.compile(r"(?<![\w.@/\-])[A-Za-z]*[a-z][A-Za-z]*(?![\w.@/\-]|:/)")

# Units, proper nouns and product names a Chinese page shows as they are.
ALLOWED = {
    "km",
    "kg",
    "mm",
    "min",
    "h",
    "x",  # 60 x 40
    "Leaflet",
    "OpenStreetMap",
    "contributors",  # © OpenStreetMap contributors (the map tiles' licence)
    "AMap",
    "Baidu",
    "Excel",
    "Code",  # Code 128
    "Asia",
    "Shanghai",  # the time zone's IANA name, Asia/Shanghai
    "Webhook",
    "erp",  # the sweep's webhook, by its name (an identifier)
    "demo",  # the demo engineer's API token, by its name
    "Huawei",  # a vendor's brand
    "English",  # the language switch names English in English
    "Switch",
    "to",
}

# Routes that are not pages to read.
NOT_PAGES = {
    "static",
    "leaflet_assets",
    "engineer.service_worker",
    "engineer.csrf",
    "tracking.track_lookup",  # redirects to the tracking page
    "web_auth.index",  # redirects to the role's home page
    "warehouse.import_template",  # CSV
    "warehouse.reorder_csv",
    "warehouse.reorder_xlsx",
}


# Documents the API serves that a page links to (the planning page's plan PDF); the other
# API PDFs have a page route of their own that the sweep opens.
PAGE_LINKED_API_PDFS = {"planning.plan_pdf"}


class _VisibleText(HTMLParser):
    """The text a reader sees. Skipped: scripts and styles, the language switch, and what
    the page marks as not to translate (``translate="no"`` or the ``mono`` class: a code,
    a serial, a user name or a stored record shown as it is)."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "wbr",
    }
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._depth = 0  # > 0 inside a skipped element

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID and self._depth == 0:
            self._attributes(tag, dict(attrs))
            return
        if tag in self.VOID:
            return
        if self._depth:
            self._depth += 1
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if (
            tag in self.SKIP
            or attributes.get("id") == "lang-switch"
            or attributes.get("hreflang")
            or attributes.get("translate") == "no"
            or "mono" in classes
        ):
            self._depth = 1
            return
        self._attributes(tag, attributes)

    def _attributes(self, tag, attributes):
        if attributes.get("translate") == "no" or "mono" in (attributes.get("class") or "").split():
            return
        for name, value in attributes.items():
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self._depth and tag not in self.VOID:
            self._depth -= 1

    def handle_data(self, data):
        if not self._depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words(text: str, allowed: set[str] = ALLOWED) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w not in allowed})


def _where(text: str, words: list[str]) -> list[str]:
    """The words with a little of the text around the first one (for the failure)."""
    at = text.find(words[0])
    return [*words, "…" + " ".join(text[max(0, at - 40) : at + 40].split()) + "…"]


def test_the_english_word_finder_finds_words_and_passes_codes():
    text = "服务器 SRV-2288-PSU 在 BJ01，zhang.eng 12 km, TKT-2026-000001 Asia/Shanghai"
    assert english_words(text) == []
    assert english_words("缺件：no spare within reach") == ["no", "reach", "spare", "within"]
    assert english_words("Unserved: outside the window") == ["Unserved", "outside", "the", "window"]


# --- the data the pages show --------------------------------------------------------------


def _signed_visit(db) -> str:
    """A demo job the engineer arrived at, recorded and had signed: its service sheet."""
    ticket = db.scalar(
        select(Ticket).where(Ticket.status == "dispatched").order_by(Ticket.number).limit(1)
    )
    number, engineer = ticket.number, ticket.engineer_id
    db.rollback()
    visits.record_arrival(db, number, engineer_id=engineer, actor="zhang.eng")
    visits.record_work(
        db,
        number,
        engineer_id=engineer,
        actor="zhang.eng",
        diagnosis="电源模块损坏",
        actions="更换电源模块，开机自检通过",
        open_issues="观察72小时",
    )
    visits.sign_visit(
        db,
        number,
        engineer_id=engineer,
        actor="zhang.eng",
        signer_name="韩梅",
        signature_png=signature_png(),
    )
    return number


def _issued_inspection(db) -> tuple[str, str]:
    """The demo programme's first visit, checked, signed and its report issued: (its
    number, the programme's contract)."""
    from inventory import inspections as ins
    from models import Inspection

    row = db.scalar(select(Inspection).order_by(Inspection.day, Inspection.number))
    number, contract = row.number, row.contract.code
    pass_and_sign_inspection(db, row)
    ins.issue_report(db, number, engineer_id=None, actor="li.disp")
    return number, contract


def _rtv_claim(db) -> str:
    from inventory.receiving import receive_from_supplier
    from inventory.rtv import create_rtv

    receive_from_supplier(db, depot_code="BJ01", part_number="SRV-2288-PSU", actor="wang.wh",
                          serial="ZH-RTV-0001", condition="faulty")  # fmt: skip
    db.rollback()
    return create_rtv(
        db,
        vendor="Huawei",
        vendor_rma="HW-RMA-1",
        failure="无输出",
        depot_code="BJ01",
        serials=["ZH-RTV-0001"],
        actor="wang.wh",
    ).number


def _service_file(db) -> str:
    """C001's service file for the last quarter, generated in Chinese: its period."""
    from app.documents.files import generate_service_file
    from inventory.service_files import previous_periods
    from models import Customer, utcnow

    quarter = previous_periods(utcnow(), "Asia/Shanghai")[0].code
    customer = db.scalar(select(Customer).where(Customer.code == "C001"))
    generate_service_file(db, customer, quarter, lang="zh", actor="test")
    db.rollback()
    return quarter


def _complaint(app) -> str:
    client = app.test_client()
    sign_in(client, DEMO_LOGINS["customer"], "customer")
    data = {
        "kind": "complaint",
        "urgency": "urgent",
        "subject": "工程师未按约定时间到场",
        "description": "约定上午九点，实际十一点到场。",
    }
    return post_form(client, "/my/complaints", data).headers["Location"].rsplit("/", 1)[1]


def _planning_run(db) -> str:
    """The demo network's plan, finished as the background job would: its run's id."""
    from app.geo import travel_model
    from inventory.jobs import claim_job, create_job, finish_job
    from inventory.planning import PlanSettings, recommend_plan
    from models import utcnow

    settings = PlanSettings(label="基准方案")
    plan = recommend_plan(db, travel_model(), settings, now=utcnow())
    db.rollback()
    job = create_job(db, "planning_run", settings.as_dict(), actor="admin", time_limit_s=60)
    claim_job(db, job.id)
    finish_job(db, job.id, result=plan)
    return job.id


def _transfer(db) -> str:
    location = db.scalar(select(Depot.location_id).where(Depot.code == "BJ01"))
    serial, part_number = db.execute(
        select(SerialItem.serial, Part.part_number)
        .join(Part, Part.id == SerialItem.part_id)
        .where(SerialItem.location_id == location, SerialItem.status == "in_stock")
        .order_by(SerialItem.id)
        .limit(1)
    ).one()
    db.rollback()
    lines = [LineRequest(part_number, serial=serial)]
    return ship_transfer(
        db, from_depot="BJ01", to_depot="SH01", lines=lines, actor="wang.wh"
    ).number


@pytest.fixture
def pages(app, db):
    """``{endpoint: [url, ...]}`` for every page, and the documents' URLs."""
    from app.web.auth import password_link
    from tests.web.pages import data_page_urls

    with app.app_context():
        urls = data_page_urls(db)
        job = _signed_visit(db)
        transfer = _transfer(db)
        count = start_count(db, depot_code="BJ01", actor="wang.wh").number
        create_endpoint(db, name="erp", url="https://erp.example/hook", actor="admin")
        inspection, programme = _issued_inspection(db)
        claim = _rtv_claim(db)
        quarter = _service_file(db)
        run = _planning_run(db)
        user = db.scalar(select(User).where(User.username == "zhang.eng"))
        with app.test_request_context():
            link = password_link(user)
        db.rollback()
    complaint = _complaint(app)
    track = next(u for u in urls if u.startswith("/track/"))
    rma = track.rsplit("/", 1)[1]
    with app.app_context():
        from models import Rma

        rma_number = db.scalar(
            select(Rma.number).where(Rma.tracking_code == rma.replace("-", "").upper())
        ) or db.scalar(select(Rma.number).order_by(Rma.id.desc()).limit(1))
        contract = db.scalar(select(__import__("models").Contract.code).limit(1))
        db.rollback()
    by_endpoint: dict[str, list[str]] = {
        "admin.contract_edit": [f"/admin/contracts/{contract}"],
        "admin_network.customer_page": ["/admin/customers/C001"],
        "admin_network.depot_page": ["/admin/depots/BJ01"],
        "admin.part_page": ["/admin/parts/SRV-2288-PSU"],
        "admin_network.site_page": ["/admin/sites/C001-S1"],
        "admin.user_page": ["/admin/users/zhang.eng"],
        "admin_settings.webhook_page": ["/admin/webhooks/erp"],
        "dispatch.ticket": [u for u in urls if u.startswith("/dispatch/tickets/")]
        + [f"/dispatch/tickets/{job}"],
        "engineer.job": [u for u in urls if u.startswith("/engineer/")] + [f"/engineer/{job}"],
        "tracking.track_page": [u for u in urls if u.startswith("/track/")],
        "wh_counts.page": [f"/warehouse/counts/{count}"],
        "warehouse.transfer_page": [f"/warehouse/transfers/{transfer}"],
        "web_auth.set_password": [link[link.index("/welcome/") :]],
        "warehouse.console": [u for u in urls if u.startswith("/warehouse/?")] + ["/warehouse/"],
        "warehouse.reorder": ["/warehouse/reorder", "/warehouse/reorder?depot=BJ01"],
        "dispatch.routes": ["/dispatch/routes", "/dispatch/routes?depot=BJ01"],
        "documents.monthly_report": [],
        "complaints.staff_complaint": [f"/complaints/{complaint}"],
        "complaints.my_complaint": [f"/my/complaints/{complaint}"],
        "inspections_web.phone_page": [f"/engineer/inspections/{inspection}"],
        "inspections_web.programme": [f"/inspections/programme/{programme}"],
        "rtv.claim": [f"/rtv/{claim}"],
    }
    documents = {
        "documents.service_sheet": f"/documents/ticket/{job}/service-sheet.pdf",
        "documents.fault_report": f"/documents/ticket/{job}/fault-report.pdf",
        "documents.packing_slip": f"/documents/rma/{rma_number}/packing-slip.pdf",
        "documents.repair_form": f"/documents/rma/{rma_number}/repair-form.pdf",
        "documents.return_label": f"/documents/rma/{rma_number}/return-label.pdf",
        "documents.monthly_report": "/documents/customer/C001/monthly-report.pdf",
        "documents.bin_labels": "/documents/depot/BJ01/bin-labels.pdf",
        "documents.pick_list": f"/documents/transfer/{transfer}/pick-list.pdf",
        "documents.delivery_note": f"/documents/transfer/{transfer}/delivery-note.pdf",
        "documents.item_labels": f"/documents/transfer/{transfer}/item-labels.pdf",
        "tracking.return_label": f"{track}/return-label.pdf",
        "documents.inspection_report": f"/documents/inspection/{inspection}/report.pdf",
        "service_files.download": f"/my/service-files/{quarter}.pdf",
        # the one document only the API serves, linked from the planning page
        "planning.plan_pdf": f"/api/planning/runs/{run}/plan.pdf?lang=zh",
    }
    return by_endpoint, documents


def _routes(app) -> dict[str, str]:
    """Every GET route that is a page or a document: endpoint -> rule."""
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in NOT_PAGES
        and not rule.rule.endswith((".csv", ".xlsx"))  # spreadsheets, not pages
    }


def _as(client, role: str) -> None:
    response = sign_in(client, DEMO_LOGINS[role], role)
    assert response.status_code == 302
    post_form(client, "/prefs", {"lang": "zh"}, page="/track")


def test_every_page_in_chinese_has_no_english_words(app, pages):
    by_endpoint, documents = pages
    routes = _routes(app)
    untranslated: dict[str, list[str]] = {}
    seen: set[str] = set()
    for role in ("admin", "dispatcher", "warehouse", "engineer", "customer", None):
        client = app.test_client()
        if role:
            _as(client, role)
        else:
            post_form(client, "/prefs", {"lang": "zh"}, page="/track")
        for endpoint, rule in sorted(routes.items()):
            if endpoint in documents or rule.endswith(".pdf"):
                continue
            urls = by_endpoint.get(endpoint, [rule] if "<" not in rule else [])
            assert urls or endpoint in by_endpoint, f"no URL for {endpoint} ({rule})"
            for url in urls:
                response = client.get(url)
                if response.status_code in (302, 403, 404) and response.status_code != 200:
                    continue
                assert response.status_code == 200, (role, url, response.status_code)
                seen.add(endpoint)
                html = response.get_data(as_text=True)
                assert '<html lang="zh-CN">' in html, (role, url)
                text = visible_text(html)
                words = english_words(text)
                if words:
                    untranslated[f"{role} {url}"] = _where(text, words)
    pages_ = {e for e in routes if e not in documents and not routes[e].endswith(".pdf")}
    assert pages_ - seen == set(), "pages no role could open"
    assert untranslated == {}


def test_every_document_in_chinese_has_no_english_words(app, pages):
    _by_endpoint, documents = pages
    routes = _routes(app)
    pdf_routes = {e for e, r in routes.items() if r.endswith(".pdf")} | PAGE_LINKED_API_PDFS
    assert pdf_routes == set(documents)
    untranslated: dict[str, list[str]] = {}
    opened: set[str] = set()
    for role in ("warehouse", "dispatcher", "customer", "engineer", None):
        client = app.test_client()
        if role:
            _as(client, role)
        else:
            post_form(client, "/prefs", {"lang": "zh"}, page="/track")
        for endpoint, url in documents.items():
            if endpoint == "documents.monthly_report":
                url += "?year=2026&month=11"
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert response.mimetype == "application/pdf", (role, url)
            opened.add(endpoint)
            reader = PdfReader(BytesIO(response.data))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
            words = english_words(text)
            if words:
                untranslated[f"{role} {url}"] = _where(text, words)
    assert set(documents) - opened == set(), "documents no role could open"
    assert untranslated == {}


def test_a_refused_import_and_a_refused_call_speak_chinese_on_a_chinese_page(client, as_role):
    from tests.web.conftest import upload_delivery

    as_role("warehouse")
    csv = (
        b"depot,part_number,serial,qty,condition\n"
        b"BJ01,NO-SUCH-PART,ZH-1,1,good\n"
        b"XX99,SRV-2288-PSU,ZH-2,1,good\n"
        b"BJ01,SRV-2288-PSU,,2,shiny\n"
    )
    response = upload_delivery(client, csv)
    html = response.get_data(as_text=True)
    assert "找不到备件 NO-SUCH-PART" in html and "找不到备件库 XX99" in html
    assert "按序列号管理的备件必须填写序列号" in html
    # the condition column's values are written in the file as they are: good, faulty
    assert english_words(visible_text(html), ALLOWED | {"good", "faulty"}) == []
    # a page's own call to the API (the session's cookie) is answered in the page's language
    problem = client.get("/api/rmas/RMA-2099-000001").get_json()
    assert problem["detail"] == "找不到RMA单 RMA-2099-000001"
