"""What a browser is told about each answer: pages run only their own scripts, are never
framed, sniffed, cached or followed by a referrer off the site, use no device features,
and production insists on HTTPS; JSON is data that loads and frames nothing."""

from __future__ import annotations

import re

import pytest

from app.web import WEB_BLUEPRINTS
from tests.builders import app_in

ADMIN = {"Authorization": "Bearer demo-admin-token"}


def assert_page_headers(response, what: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp, what
    assert "unsafe-inline" not in csp and "default-src 'self'" in csp, what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert {"camera=()", "geolocation=()", "microphone=()"} <= set(
        re.split(r",\s*", headers.get("Permissions-Policy", ""))
    ), what
    assert headers.get("Cache-Control") == "no-store", what


def page_urls(app) -> list[str]:
    """Every GET page of the web blueprints; a page about a record gets a made-up one (its
    404 page is a page too)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint.split(".")[0] in WEB_BLUEPRINTS:
            urls.append(re.sub(r"<[^>]+>", "NO-SUCH-9", rule.rule))
    return sorted(urls)


def test_every_page_carries_the_security_headers(app, client, as_role):
    checked = 0
    for signed_in in (False, True):
        if signed_in:
            as_role("admin")  # the admin may open every page
        for url in page_urls(app):
            response = client.get(url)
            if response.mimetype == "text/html":
                assert_page_headers(response, f"{url} ({'admin' if signed_in else 'anonymous'})")
                checked += 1
    assert checked >= 2 * 12


def test_error_pages_carry_them_too(client, as_role):
    as_role("customer")
    assert_page_headers(client.get("/warehouse/"), "403 page")
    assert_page_headers(client.get("/track/NO-SUCH-CODE"), "404 page")


def test_api_answers_load_and_frame_nothing_and_are_not_cached_when_personal(client):
    mine = client.get("/api/me", headers=ADMIN)
    refused = client.get("/api/me")
    health = client.get("/api/health")
    for response in (mine, refused, health):
        assert (
            response.headers["Content-Security-Policy"]
            == "default-src 'none'; frame-ancestors 'none'"
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert mine.headers["Cache-Control"] == "no-store"
    assert "no-store" not in health.headers.get("Cache-Control", "")


def test_the_api_docs_page_may_run_its_inline_start_script_and_nothing_else_may(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "SwaggerUIBundle" in docs.get_data(as_text=True)
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    assert docs.headers["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in client.get("/login").headers["Content-Security-Policy"]


@pytest.mark.parametrize(("environment", "hsts"), [("production", True), ("development", False)])
def test_production_tells_browsers_to_use_https_only(database_url, environment, hsts):
    with app_in(environment, database_url) as app:
        client = app.test_client()
        for url in ("/login", "/api/health", "/track"):
            value = client.get(url).headers.get("Strict-Transport-Security")
            if hsts:
                assert value == "max-age=31536000; includeSubDomains", url
            else:
                assert value is None, url
