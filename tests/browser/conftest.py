"""Browser journeys: Playwright (Python) driving Debian's chromium, headless, against a real
server process started here on a free port with its own SQLite database, migrated and
seeded with the demo exactly as `make run` does.

The browser is the system's `chromium` (scripts/ensure-browser installs it from Debian);
Playwright never downloads one. Without it the tests FAIL (never skip), so a missing
browser cannot pass unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.builders import free_port, wait_until_serving
from tests.conftest import in_folder

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    # one process runs the journeys: they share one demo server and one chromium
    in_folder(items, Path(__file__).parent, pytest.mark.browser, pytest.mark.xdist_group("browser"))


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing_browser(what: str):
    """A missing browser fails the run, locally as in CI: `make test` installs it."""
    pytest.fail(f"{what} is required for the browser tests (scripts/ensure-browser installs it)")


class LiveServer(str):
    """The served app's base URL (a str), with the database it serves (``database_url``)
    for checks a user cannot make on a page, such as the ledger verification."""

    def __new__(cls, base: str, database_url: str):
        made = super().__new__(cls, base)
        made.database_url = database_url
        return made


JOURNEY_ENGINEER = "ENG-001"  # the demo's zhang.eng, to whom most journeys dispatch


def _room_for_the_journeys(db_file: Path) -> None:
    """The journeys share one demo server and most dispatch to zhang.eng; the demo's limit of
    3 open jobs per engineer would make a later journey find him full (409 on dispatch, or no
    option for his van) depending on the order the tests run in. His limit is raised here, in
    the open, rather than each journey closing the others' jobs."""
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        changed = conn.execute(
            "UPDATE engineers SET max_open_jobs = 50 WHERE code = ?", (JOURNEY_ENGINEER,)
        ).rowcount
    assert changed == 1, f"the demo has no engineer {JOURNEY_ENGINEER}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by `flask run` on a free port, on a fresh demo database."""
    work = tmp_path_factory.mktemp("live")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'demo.db'}",
        "FLASK_APP": "wsgi",
        "SPARELOG_ENV": "development",  # the demo as `make run` serves it (plain HTTP cookies)
        "SECRET_KEY": "browser-tests",
        "PUBLIC_BASE_URL": base,
        "JOBS_BACKEND": "inprocess",
        "RATELIMIT_STORAGE_URI": "memory://",
        # every browser test signs in from 127.0.0.1 on this one server: on a quiet machine
        # the journeys sign in more than 20 times a minute (the default limit per address,
        # tested in tests/api/test_security.py) and the next sign-in got 429
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PYTHONUNBUFFERED": "1",
    }
    flask = [sys.executable, "-m", "flask"]
    for step in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(
            flask + step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == 0, f"flask {' '.join(step)} failed:\n{done.stdout}\n{done.stderr}"
    _room_for_the_journeys(work / "demo.db")
    log = open(work / "server.log", "w")
    server = subprocess.Popen(
        flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(server, base + "/api/health", "the server", work / "server.log")
        yield LiveServer(base, env["DATABASE_URL"])
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _warn_without_cjk_font() -> None:
    """Chinese screenshots need a CJK font (Debian: fonts-wqy-microhei or fonts-noto-cjk)."""
    import warnings

    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        found = ""
    if not found.strip():
        warnings.warn(
            "no CJK font installed: Chinese text in the screenshots shows as boxes "
            "(apt-get install fonts-wqy-microhei)",
            stacklevel=2,
        )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        missing_browser("Debian's chromium")
    _warn_without_cjk_font()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_browser("the playwright Python package")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, **screen):
    """A page of its own browser context on ``screen``, in Chinese and Shanghai time."""
    context = browser.new_context(
        **screen, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    yield from _page(browser, viewport={"width": 1366, "height": 900})


@pytest.fixture
def phone(browser):
    yield from _page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot: into test-artifacts/screenshots/ (untracked) during a test run, or
    into docs/screenshots/ for the README when asked explicitly (`make screenshots` sets
    SPARELOG_SCREENSHOTS=docs). The test suite never rewrites tracked files."""
    folder = SCREENSHOTS if os.environ.get("SPARELOG_SCREENSHOTS") == "docs" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in with the keyboard: type, Tab, type, Enter."""
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def draw_signature(page) -> None:
    """Sign on the signature pad with the mouse: a zigzag across it."""
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * box["width"] / 14,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
        )
    page.mouse.up()


class Api:
    """The JSON API with a demo bearer token, to arrange what a journey starts from."""

    def __init__(self, base: str, role: str):
        self.base, self.token = base, f"demo-{role}-token"

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")


@pytest.fixture(scope="session")
def api(live_server):
    return lambda role: Api(live_server, role)
