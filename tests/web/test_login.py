"""Signing in and out, CSRF on every form, role gates, the language switch."""

from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of, post_form, sign_in
from tests.web.pages import ROLE_PAGES


def test_anonymous_start_page_leads_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/login")


def test_warehouse_user_signs_in_and_lands_on_the_scan_console(client):
    response = sign_in(client, "wang.wh", "warehouse")
    assert response.status_code == 302 and response.location.endswith("/warehouse/")
    page = client.get("/warehouse/").get_data(as_text=True)
    assert "王库管" in page and 'id="logout"' in page


def test_each_role_lands_on_its_own_start_page(client):
    for username, role, start in [
        ("li.disp", "dispatcher", "/dispatch/"),
        ("zhang.eng", "engineer", "/engineer/"),
        ("customer.sgcc", "customer", "/my/"),
    ]:
        response = sign_in(client, username, role)
        assert response.location.endswith(start), (role, response.location)
        post_form(client, "/logout", {}, page=start)


def test_wrong_password_is_refused_with_a_message_and_no_session(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "wang.wh", "password": "nope", "csrf_token": csrf_of(page)}
    )
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/warehouse/").status_code == 302


def test_sign_in_without_the_csrf_token_is_rejected(client):
    client.get("/login")
    response = client.post(
        "/login", data={"username": "wang.wh", "password": "warehouse-demo-pass"}
    )
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert client.get("/warehouse/").status_code == 302  # still signed out


def test_sign_out_needs_a_post_with_the_csrf_token(client, as_role):
    as_role("warehouse")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/warehouse/").status_code == 200
    response = post_form(client, "/logout", {}, page="/warehouse/")
    assert response.status_code == 302
    assert client.get("/warehouse/").status_code == 302


def test_pages_of_another_role_answer_403(client, as_role):
    as_role("warehouse")
    response = client.get("/dispatch/")
    assert response.status_code == 403
    assert "无权" in response.get_data(as_text=True)


def test_customer_cannot_open_staff_pages(client, as_role):
    as_role("customer")
    for url in ("/warehouse/", "/warehouse/import", "/dispatch/", "/dispatch/alerts", "/engineer/"):
        assert client.get(url).status_code == 403, url


def test_admin_may_open_every_role_page(client, as_role):
    as_role("admin")
    for url in ROLE_PAGES:
        assert client.get(url).status_code == 200, url


def test_a_page_asked_for_while_signed_out_opens_after_sign_in(client):
    response = client.get("/warehouse/reorder?depot=BJ01")
    assert response.status_code == 302 and "next=" in response.location
    page = client.get(response.location).get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "username": "wang.wh",
            "password": "warehouse-demo-pass",
            "next": "/warehouse/reorder?depot=BJ01",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.location.endswith("/warehouse/reorder?depot=BJ01")


def test_sign_in_never_redirects_off_site(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "username": "wang.wh",
            "password": "warehouse-demo-pass",
            "next": "//evil.example/x",
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 302 and response.location.endswith("/warehouse/")


def test_the_session_changes_on_sign_in(client):
    client.get("/login")
    before = client.get_cookie("session").value
    sign_in(client, "wang.wh", "warehouse")
    assert client.get_cookie("session").value != before


def test_language_switch_is_remembered_in_the_session(client, as_role):
    as_role("warehouse")
    assert '<html lang="zh-CN">' in client.get("/warehouse/").get_data(as_text=True)
    response = post_form(
        client, "/prefs", {"lang": "en", "next": "/warehouse/"}, page="/warehouse/"
    )
    assert response.status_code == 302 and response.location.endswith("/warehouse/")
    page = client.get("/warehouse/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Scan console" in page
    assert '<html lang="en">' in client.get("/warehouse/reorder").get_data(as_text=True)


def test_language_switch_works_without_an_account(client):
    response = post_form(client, "/prefs", {"lang": "en", "next": "/track"}, page="/track")
    assert response.location.endswith("/track")
    assert "Track your RMA" in client.get("/track").get_data(as_text=True)


def test_language_switch_without_csrf_token_is_rejected(client):
    client.get("/track")
    assert client.post("/prefs", data={"lang": "en"}).status_code == 400


def test_time_zone_choice_is_remembered(client):
    post_form(client, "/prefs", {"tz": "Europe/Berlin"}, page="/track")
    assert "Europe/Berlin" in client.get("/track").get_data(as_text=True).split("selected>")[1][:40]
    post_form(client, "/prefs", {"tz": "Not/AZone"}, page="/track")
    page = client.get("/track").get_data(as_text=True)
    assert 'value="Europe/Berlin" selected' in page


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_api_tokens_keep_working_beside_the_web_session(client):
    response = client.get(
        "/api/stock/below-reorder", headers={"Authorization": "Bearer demo-warehouse-token"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\n/evil.example",
        "/x\r\nSet-Cookie: a=b",
        " //evil.example",
    ],
)
def test_sign_in_with_a_crafted_next_goes_to_the_start_page_never_off_site(client, target):
    """A tab or newline is dropped by browsers (``/<TAB>/evil.example`` became
    ``//evil.example``); a newline in ``next`` answered 500."""
    from urllib.parse import quote

    shown = client.get("/login?next=" + quote(target, safe=""))
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={
            "username": "wang.wh",
            "password": "warehouse-demo-pass",
            "next": target,
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 302 and response.location == "/warehouse/"
    # signed in, the sign-in page sends them on at once: to the start page too
    again = client.get("/login?next=" + quote(target, safe=""))
    assert again.status_code == 302 and again.location == "/warehouse/"
