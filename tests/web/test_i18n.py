"""Every page renders in zh-CN and English with no untranslated key.

The app runs with I18N_STRICT under TESTING: a template asking for a key the catalogue
lacks raises, so a 200 in both languages proves the page is fully translated."""

from __future__ import annotations

import re
import string

import pytest

from app.web.i18n import MESSAGES
from tests.web.conftest import post_form
from tests.web.pages import ROLE_PAGES, data_page_urls


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert _placeholders(zh) == _placeholders(en), key


def test_chinese_texts_are_chinese_and_english_texts_are_not():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    # the switch names the other language in that language; the rest are symbols or codes
    other_language = {"prefs.switch_to", "prefs.switch_to_label"}
    # a dash, a list separator, the punctuation joining a sentence's parts or a label to its value
    no_words = {
        "common.none",
        "doc.none",
        "dsp.x.list_sep",
        "dsp.x.sentence",
        "mail.line.service_file",
        "mail.subject",
    }
    for key, (zh, en) in MESSAGES.items():
        if key in other_language:
            continue
        assert not cjk.search(en), key
        assert cjk.search(zh) or key in no_words, key


def test_every_customer_timeline_event_and_status_has_words():
    from inventory.rmas import RmaKind, RmaStatus
    from inventory.tickets import TicketStatus
    from inventory.tracking import LABELS
    from models.enums import Condition, ItemStatus, LocationKind, MovementReason

    for kind in LABELS:
        assert f"trk.event.{kind}" in MESSAGES, kind
    for prefix, codes in [
        ("rma_status", RmaStatus),
        ("rma_kind", RmaKind),
        ("ticket_status", TicketStatus),
        ("status", ItemStatus),
        ("condition", Condition),
        ("location_kind", LocationKind),
        ("reason", MovementReason),
    ]:
        for code in codes:
            assert f"{prefix}.{code.value}" in MESSAGES, (prefix, code)


PUBLIC_PAGES = ["/login", "/track", "/track/NO-SUCH-CODE"]
STAFF_PAGES = [
    "/vans/",
    "/rtv/",
    *ROLE_PAGES,
    "/my/rmas",
    "/my/",
    "/my/report",
    "/my/repair",
    "/my/complaints",
    "/my/service-files/",
    "/complaints/",
    "/complaints/departments",
    "/reports/indicators",
]


def _page_urls(db) -> list[str]:
    """Staff pages plus pages reached from data (a scanned serial, a part, a ticket)."""
    return STAFF_PAGES + data_page_urls(db)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_fully_translated(app, client, as_role, db, lang):
    for url in PUBLIC_PAGES:
        post_form(client, "/prefs", {"lang": lang}, page="/login")
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_rendered_in(response.get_data(as_text=True), lang, url)
    as_role("admin")
    post_form(client, "/prefs", {"lang": lang}, page="/track")
    with app.app_context():
        urls = _page_urls(db)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _assert_rendered_in(response.get_data(as_text=True), lang, url)


def _assert_rendered_in(html: str, lang: str, url: str) -> None:
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html, url
    assert "Internal Server Error" not in html, url
    prefixes = sorted({k.split(".")[0] for k in MESSAGES})
    leaked = re.findall(r">\s*(?:{})\.[a-z_.]+\s*<".format("|".join(prefixes)), html)
    assert not leaked, (url, leaked[:5])


def test_the_import_report_and_error_pages_render_in_english(client, as_role):
    from tests.web.conftest import csrf_of, upload_delivery

    as_role("warehouse")
    post_form(client, "/prefs", {"lang": "en"}, page="/warehouse/")
    csv = b"depot,part_number,serial\nBJ01,NO-SUCH,1\n"
    response = upload_delivery(client, csv)
    html = response.get_data(as_text=True)
    assert "Errors by row" in html and "Nothing was booked." in html
    _assert_rendered_in(html, "en", "/warehouse/import")
    forbidden = client.get("/dispatch/")
    assert (
        forbidden.status_code == 403
        and "Your role may not open this page." in forbidden.get_data(as_text=True)
    )
    missing = client.post("/warehouse/act/no-such-action", data={"csrf_token": csrf_of(html)})
    assert missing.status_code == 404 and "This page does not exist." in missing.get_data(
        as_text=True
    )
