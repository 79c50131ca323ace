"""Accounts and the doors around them: tokens that can be revoked, users that can be cut
off, passwords hashed with Argon2id, a SECRET_KEY that production insists on, and rate
limits on signing in and tracking — counted in Redis so that every worker shares them."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth import issue_token, set_password
from app.config import ConfigError, load_config
from app.ratelimit import backoff_seconds
from models import Event, User
from tests.builders import app_in, bearer, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery"


def csrf_token(client) -> str:
    html = client.get("/track").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str = PASSWORD, **kw):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        **kw,
    )


def user_with_password(
    db, username: str, role: str = "warehouse", password: str = PASSWORD
) -> User:
    user = User(username=username, display_name=username, role=role)
    set_password(user, password)
    db.add(user)
    db.commit()
    return user


def user_events(db, username: str) -> list[tuple[str, str]]:
    db.rollback()
    events = [
        (e.kind, e.actor)
        for e in db.scalars(
            select(Event)
            .where(Event.subject_type == "user", Event.subject_ref == username)
            .order_by(Event.id)
        )
    ]
    db.rollback()  # SQLite: no read transaction left open while the app writes
    return events


def stored_hash(db, user: User) -> str:
    db.refresh(user)
    value = user.password_hash
    db.rollback()
    return value


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# --- tokens ----------------------------------------------------------------------------------


def test_an_admin_revokes_a_token_and_the_next_request_with_it_is_refused(client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    make_user(db, "warehouse", "wang.wh")
    admin = bearer(admin_token)
    issued = client.post("/api/users/wang.wh/tokens", json={"name": "scanner-3"}, headers=admin)
    assert issued.status_code == 201 and issued.json["token"].startswith("slg_")
    scanner = bearer(issued.json["token"])
    assert client.get("/api/me", headers=scanner).json["username"] == "wang.wh"

    listed = client.get("/api/users/wang.wh/tokens", headers=admin).json["items"]
    assert [(t["name"], t["active"]) for t in listed] == [("scanner-3", True), ("test", True)]
    assert issued.json["token"] not in json.dumps(listed)  # only its hash is kept
    token_id = listed[0]["id"]
    assert client.delete(f"/api/users/wang.wh/tokens/{token_id}", headers=admin).status_code == 204

    refused = client.get("/api/me", headers=scanner)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    after = client.get("/api/users/wang.wh/tokens", headers=admin).json["items"]
    assert after[0]["active"] is False and after[0]["revoked_at"] is not None
    assert after[1]["active"] is True  # the user's other token still works
    # again: nothing more to do; someone else's token number: not found
    assert client.delete(f"/api/users/wang.wh/tokens/{token_id}", headers=admin).status_code == 204
    assert client.delete(f"/api/users/root/tokens/{token_id}", headers=admin).status_code == 404
    assert user_events(db, "wang.wh") == [("token_issued", "root"), ("token_revoked", "root")]


def test_a_caller_revokes_their_own_token(client, db):
    user, token = make_user(db, "dispatcher", "li.disp")
    other = issue_token(db, user, "laptop")
    db.commit()
    assert client.delete("/api/me/token", headers=bearer(token)).status_code == 204
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/me", headers=bearer(other)).status_code == 200
    assert user_events(db, "li.disp") == [("token_revoked", "li.disp")]


def test_revoking_ones_own_token_from_a_web_session_is_refused_as_there_is_none(app, db):
    user_with_password(db, "zhang.eng", "engineer")
    client = app.test_client()
    sign_in(client, "zhang.eng")
    response = client.delete("/api/me/token", headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 400 and "/logout" in response.json["detail"]


def test_deactivating_a_user_cuts_off_their_tokens_and_sessions(app, client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    user = user_with_password(db, "wang.wh")
    token = issue_token(db, user, "scanner")
    db.commit()
    browser = app.test_client()
    assert sign_in(browser, "wang.wh").status_code == 302
    assert browser.get("/warehouse/").status_code == 200

    admin = bearer(admin_token)
    off = client.patch("/api/users/wang.wh", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json["active"] is False
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    page = browser.get("/warehouse/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), "wang.wh").status_code == 401

    # coming back does not bring the old token or the old session back
    assert (
        client.patch("/api/users/wang.wh", json={"active": True}, headers=admin).json["active"]
        is True
    )
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert browser.get("/warehouse/").status_code == 302
    assert (
        sign_in(browser, "wang.wh").status_code == 302
        and browser.get("/warehouse/").status_code == 200
    )
    assert user_events(db, "wang.wh") == [("deactivated", "root"), ("reactivated", "root")]


def test_a_new_password_ends_the_users_api_tokens_too(app, client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    user = user_with_password(db, "li.disp", "dispatcher")
    token = issue_token(db, user, "laptop")
    db.commit()
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    changed = client.patch(
        "/api/users/li.disp", json={"password": "a-brand-new-one"}, headers=bearer(admin_token)
    )
    assert changed.status_code == 200
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    listed = client.get("/api/users/li.disp/tokens", headers=bearer(admin_token)).json["items"]
    assert [t["active"] for t in listed] == [False]


def test_a_session_cookie_copied_before_sign_out_no_longer_opens_pages_or_the_api(app, db):
    user_with_password(db, "li.disp", "dispatcher")
    browser = app.test_client()
    assert sign_in(browser, "li.disp").status_code == 302
    copied = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dispatch/").status_code == 200
    assert thief.get("/api/me").status_code == 200

    out = browser.post("/logout", headers={"X-CSRFToken": csrf_token(browser)})
    assert out.status_code == 302
    assert browser.get("/dispatch/").status_code == 302
    page = thief.get("/dispatch/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert thief.get("/api/me").status_code == 401
    # signing in again opens a new session
    assert sign_in(browser, "li.disp").status_code == 302
    assert browser.get("/dispatch/").status_code == 200


def test_a_new_password_ends_the_users_web_sessions(app, client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    user_with_password(db, "li.disp", "dispatcher")
    browser = app.test_client()
    sign_in(browser, "li.disp")
    assert browser.get("/dispatch/").status_code == 200
    changed = client.patch(
        "/api/users/li.disp", json={"password": "a-brand-new-one"}, headers=bearer(admin_token)
    )
    assert changed.status_code == 200
    assert browser.get("/dispatch/").status_code == 302
    assert sign_in(app.test_client(), "li.disp").status_code == 401
    assert sign_in(app.test_client(), "li.disp", "a-brand-new-one").status_code == 302


@pytest.mark.parametrize("name", ["", "   "])
def test_a_user_cannot_be_given_an_empty_name_to_show(client, db, name):
    """An empty display name used to be stored and then broke the documented response."""
    _admin, admin_token = make_user(db, "admin", "root")
    admin = bearer(admin_token)
    changed = client.patch("/api/users/root", json={"display_name": name}, headers=admin)
    assert changed.status_code == 422 and "display_name" in changed.json["errors"]
    created = client.post(
        "/api/users",
        json={"username": "chen.wh", "display_name": name, "role": "warehouse"},
        headers=admin,
    )
    assert created.status_code == 422 and "display_name" in created.json["errors"]
    assert client.get("/api/users/root", headers=admin).json["display_name"] == "Admin"


def test_an_admin_cannot_lock_themselves_out(client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    admin = bearer(admin_token)
    for change, field in (({"active": False}, "active"), ({"role": "warehouse"}, "role")):
        refused = client.patch("/api/users/root", json=change, headers=admin)
        assert refused.status_code == 409 and set(refused.json["errors"]) == {field}
    assert client.get("/api/me", headers=admin).json["role"] == "admin"


def test_an_unknown_username_is_the_same_404_wherever_an_admin_names_it(client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    admin = bearer(admin_token)
    for method, path, body in (
        ("get", "/api/users/nobody", None),
        ("patch", "/api/users/nobody", {"display_name": "Nobody"}),
        ("get", "/api/users/nobody/tokens", None),
        ("post", "/api/users/nobody/tokens", {"name": "scanner-3"}),
    ):
        answer = getattr(client, method)(path, json=body, headers=admin)
        assert answer.status_code == 404, path
        assert answer.content_type == "application/problem+json", path
        assert answer.json["detail"] == "no user 'nobody'", path
    assert db.scalar(select(User).where(User.username == "nobody")) is None


def test_creating_and_changing_users_is_recorded_with_the_admin_as_actor(client, db):
    _admin, admin_token = make_user(db, "admin", "root")
    admin = bearer(admin_token)
    created = client.post(
        "/api/users",
        json={
            "username": "chen.wh",
            "display_name": "Chen",
            "role": "warehouse",
            "password": "initial-pass-1",
        },
        headers=admin,
    )
    assert created.status_code == 201 and "password" not in created.json
    changed = client.patch(
        "/api/users/chen.wh", json={"role": "dispatcher", "display_name": "Chen Jie"}, headers=admin
    )
    assert changed.json["role"] == "dispatcher"
    assert user_events(db, "chen.wh") == [("created", "root"), ("updated", "root")]
    event = db.scalars(
        select(Event).where(Event.subject_ref == "chen.wh", Event.kind == "updated")
    ).one()
    assert event.data["changes"]["role"] == ["warehouse", "dispatcher"]
    db.rollback()
    assert (
        client.patch("/api/users/nobody", json={"active": False}, headers=admin).status_code == 404
    )


# --- passwords ---------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_and_only_the_right_one_signs_in(app, db):
    user = user_with_password(db, "wang.wh")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    wrong, unknown = (
        sign_in(app.test_client(), "wang.wh", "not it"),
        sign_in(app.test_client(), "nobody", "not it"),
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(
        as_text=True
    )  # the same words: no hint which part was wrong
    assert sign_in(app.test_client(), "WANG.WH").status_code == 302


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256"])
def test_an_older_werkzeug_hash_still_signs_in_and_is_upgraded_to_argon2id(app, db, method):
    user = user_with_password(db, "li.disp", "dispatcher")
    user.password_hash = old = generate_password_hash(PASSWORD, method=method)
    db.commit()
    assert sign_in(app.test_client(), "li.disp", "not it").status_code == 401
    assert stored_hash(db, user) == old  # a wrong password changes nothing
    assert sign_in(app.test_client(), "li.disp").status_code == 302
    assert stored_hash(db, user).startswith("$argon2id$")
    assert sign_in(app.test_client(), "li.disp").status_code == 302
    assert sign_in(app.test_client(), "li.disp", "not it").status_code == 401


# --- SECRET_KEY and the environment ---------------------------------------------------------------


@pytest.fixture
def bare_env(monkeypatch):
    """No SECRET_KEY, SPARELOG_ENV, REDIS_URL or RATELIMIT_STORAGE_URI from the shell."""
    for name in ("SECRET_KEY", "SPARELOG_ENV", "REDIS_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_to_start_without_a_secret_key(bare_env, tmp_path, sqlite_template):
    from app import create_app

    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": f"sqlite:///{sqlite_template}"})  # production is the default
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": f"sqlite:///{sqlite_template}", "SPARELOG_ENV": "production"})


def test_the_server_process_stops_at_start_naming_secret_key(tmp_path, sqlite_template):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SPARELOG_ENV")}
    env |= {"DATABASE_URL": f"sqlite:///{sqlite_template}", "JOBS_BACKEND": "none"}
    done = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert (
        "ConfigError: SECRET_KEY is not set" in done.stderr
        and "SPARELOG_ENV=development" in done.stderr
    )


def test_development_generates_a_key_once_readable_by_its_owner_only(bare_env, tmp_path):
    first = load_config(str(tmp_path), "development")["SECRET_KEY"]
    again = load_config(str(tmp_path), "development")["SECRET_KEY"]
    assert first == again and len(first) == 64
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_config(str(tmp_path / "prod"), "production")["SECRET_KEY"] is None


def test_a_secret_key_from_the_environment_wins(bare_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_config(str(tmp_path), "production")["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_an_unknown_environment_is_refused_naming_the_variable(bare_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SPARELOG_ENV", "prod")
    with pytest.raises(
        ConfigError, match="SPARELOG_ENV must be one of production, development, testing"
    ):
        load_config(str(tmp_path))


def test_production_counts_in_redis_and_sends_cookies_over_https_only(
    bare_env, monkeypatch, tmp_path
):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    production = load_config(str(tmp_path), "production")
    development = load_config(str(tmp_path), "development")
    assert production["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert development["RATELIMIT_STORAGE_URI"] == "memory://"
    assert (
        production["SESSION_COOKIE_SECURE"] is True
        and development["SESSION_COOKIE_SECURE"] is False
    )
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://limits.internal:6379/0")
    assert (
        load_config(str(tmp_path), "production")["RATELIMIT_STORAGE_URI"]
        == "redis://limits.internal:6379/0"
    )


@pytest.mark.parametrize(("environment", "secure"), [("production", True), ("development", False)])
def test_the_session_cookie_is_httponly_lax_and_secure_in_production(
    database_url, db, environment, secure
):
    with app_in(environment, database_url) as app:
        user_with_password(db, "wang.wh")
        cookie = sign_in(app.test_client(), "wang.wh").headers["Set-Cookie"]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and flags["samesite"] == "SameSite=Lax"
    assert ("secure" in flags) is secure


# --- rate limits -------------------------------------------------------------------------------


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_repeated_sign_ins_from_one_address_get_429_with_retry_after(app, db):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user_with_password(db, "wang.wh")
    client = app.test_client()
    statuses = [sign_in(client, "wang.wh", f"guess-{i}").status_code for i in range(3)]
    blocked = sign_in(client, "wang.wh")  # even the right password waits now
    assert statuses == [401, 401, 401] and blocked.status_code == 429
    assert 0 < _retry_after(blocked) <= 60
    assert "尝试次数过多" in blocked.get_data(as_text=True) and blocked.mimetype == "text/html"
    assert sign_in(from_address(app, "10.9.8.7"), "wang.wh").status_code == 302


def test_a_password_guesser_is_slowed_but_the_user_still_signs_in_from_their_own_browser(
    app, db, monkeypatch
):
    """Guessing one user's password from many addresses: after the free failures every
    further guess waits (429 with Retry-After); the rightful user's browser, which signed
    in before, is not held up. Until this was fixed, ten wrong passwords a minute locked
    anyone out of any account. The holds are stretched to a minute here so that a slow
    machine cannot outwait a one-second hold between two guesses (the doubling itself is
    the next tests' subject)."""
    import app.ratelimit as ratelimit

    def stretched(failures: int, free: int, cap: int) -> int:
        return min(cap, 60 * backoff_seconds(failures, free, cap))

    monkeypatch.setattr(ratelimit, "backoff_seconds", stretched)
    user_with_password(db, "li.disp", "dispatcher")
    user_with_password(db, "wang.wh")
    own_browser = from_address(app, "10.1.1.1")
    assert sign_in(own_browser, "li.disp").status_code == 302
    own_browser.post("/logout", headers={"X-CSRFToken": csrf_token(own_browser)})

    def guess(i: int, username: str = "li.disp"):
        return sign_in(from_address(app, f"10.0.{i // 250}.{i % 250}"), username, f"guess-{i}")

    answers = [guess(i) for i in range(30)]
    statuses = [r.status_code for r in answers]
    free = app.config["LOGIN_USER_FREE_FAILURES"]
    assert statuses[:free] == [401] * free and set(statuses[free + 1 :]) == {429}
    assert all(
        0 < _retry_after(r) <= app.config["LOGIN_BACKOFF_MAX_SECONDS"] for r in answers[free + 1 :]
    )
    # a new browser, even with the right password, waits too (the guesser could be anyone)
    assert sign_in(from_address(app, "10.7.7.7"), "LI.DISP ").status_code == 429
    # the user's own browser signs in at once; other accounts are not held up
    assert sign_in(own_browser, "li.disp").status_code == 302
    assert own_browser.get("/dispatch/").status_code == 200
    assert guess(99, "wang.wh").status_code == 401


def test_failed_sign_ins_from_one_address_slow_that_address_only(app, db):
    user_with_password(db, "wang.wh")
    user_with_password(db, "li.disp", "dispatcher")
    attacker = from_address(app, "10.6.6.6")
    free = app.config["LOGIN_ADDRESS_FREE_FAILURES"]
    statuses = [
        sign_in(attacker, f"user{i}", "guess").status_code for i in range(free + 2)
    ]  # a different (unknown) user name each time: only the address is counted
    assert statuses == [401] * free + [401, 429]
    assert sign_in(from_address(app, "10.5.5.5"), "wang.wh").status_code == 302


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(1, 0), (5, 0), (6, 1), (7, 2), (8, 4), (12, 64), (14, 256), (15, 300), (400, 300)],
)
def test_the_wait_after_failed_sign_ins_doubles_up_to_five_minutes(failures, wait):
    assert backoff_seconds(failures, free=5, cap_s=300) == wait


def test_tracking_answers_429_with_retry_after_on_the_api_and_the_page(app, client):
    app.config["TRACKING_RATE_LIMIT"] = "2 per minute"
    api = [client.get(f"/api/track/GUESS{i:020d}") for i in range(3)]
    assert [r.status_code for r in api] == [404, 404, 429]
    assert api[2].mimetype == "application/problem+json" and api[2].json["status"] == 429
    assert _retry_after(api[2]) > 0
    browser = from_address(app, "10.3.3.3")  # the API's requests used this address's budget
    page = [browser.get(f"/track/GUESS{i:020d}") for i in range(3)]
    assert [r.status_code for r in page] == [404, 404, 429]
    assert page[2].mimetype == "text/html" and _retry_after(page[2]) > 0


def test_tracking_look_ups_share_one_budget_per_address_across_api_page_and_label(app, client):
    """Three routes used to count separately: 3 × the limit per address and minute."""
    app.config["TRACKING_RATE_LIMIT"] = "3 per minute"
    answers = [
        client.get("/api/track/GUESS00000000000000000001"),
        client.get("/track/GUESS00000000000000000002"),
        client.get("/track/GUESS00000000000000000003/return-label.pdf"),
    ]
    assert [r.status_code for r in answers] == [404, 404, 404]
    for url in (
        "/api/track/GUESS00000000000000000004",
        "/track/GUESS00000000000000000005",
        "/track/GUESS00000000000000000006/return-label.pdf",
    ):
        assert client.get(url).status_code == 429, url
    assert from_address(app, "10.4.4.4").get("/track/GUESS00000000000000000007").status_code == 404


@pytest.fixture
def redis_prefix():
    """A key prefix of this test alone on the real Redis; its keys are deleted afterwards.
    Redis unreachable: the test fails (never skips)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required for this test and is unreachable at {REDIS_URL}: {error}")
    prefix = f"sparelog-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


# One server process: the app as production builds it (the counters' storage comes from
# REDIS_URL), asked ``n`` times for an unknown tracking code; prints the statuses.
SERVER = """
import json, sys
from app import create_app
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
print(json.dumps([client.get("/api/track/NO-SUCH-CODE-00000000").status_code for _ in range(int(sys.argv[2]))]))
"""


def _process(config: dict, n: int, env: dict) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", SERVER, json.dumps(config), str(n)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_server_processes_share_the_tracking_count_through_redis(redis_prefix, sqlite_template):
    """As two gunicorn workers (or two hosts) would: the limit holds across processes
    because the counters live in Redis; with in-memory counters each would allow its own."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("RATELIMIT_STORAGE_URI", "SPARELOG_ENV")
    }
    env["REDIS_URL"] = REDIS_URL
    config = {
        "DATABASE_URL": f"sqlite:///{sqlite_template}",
        "SECRET_KEY": "test",
        "JOBS_BACKEND": "none",
        "TRACKING_RATE_LIMIT": "3 per minute",
        "RATELIMIT_KEY_PREFIX": redis_prefix,
    }
    assert _process(config, 2, env) == [404, 404]
    assert _process(config, 2, env) == [404, 429]  # the third request overall was the last allowed

    in_memory = config | {
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": redis_prefix + "-m",
    }
    assert _process(in_memory, 2, env) == [404, 404]
    assert _process(in_memory, 2, env) == [404, 404]


def test_with_redis_unreachable_tracking_and_sign_in_still_answer_and_still_limit(sqlite_template):
    """Production counts in Redis; when it is down the limits fall back to each worker's
    memory instead of turning every tracking lookup and sign-in into a server error."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("RATELIMIT_STORAGE_URI", "SPARELOG_ENV")
    }
    env["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    config = {
        "DATABASE_URL": f"sqlite:///{sqlite_template}",
        "SECRET_KEY": "test",
        "JOBS_BACKEND": "none",
        "TRACKING_RATE_LIMIT": "2 per minute",
    }
    assert _process(config, 3, env) == [404, 404, 429]
