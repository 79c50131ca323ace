"""PostgreSQL restarting under the app: every answer in the meantime is a 503 page (in the
viewer's language) or a 503 problem document, with Retry-After, never a bare 500; once the
database is back, the same sessions and tokens work again. The outage is a TCP proxy in
front of the real server that drops every connection and refuses new ones."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import suppress

import pytest
from sqlalchemy.engine import make_url

from app.auth import issue_token, set_password
from models import User


class OutageProxy:
    """127.0.0.1:<port> → the PostgreSQL server; ``down()`` closes every connection and
    answers new ones by hanging up (as a restarting server does), ``up()`` forwards again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_down = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.is_down:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def down(self) -> None:
        self.is_down = True
        with self.lock:
            for s in self.sockets:
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def up(self) -> None:
        self.is_down = False

    def close(self) -> None:
        self.down()
        self.listener.close()


@pytest.fixture
def proxied_app(pg_database_url) -> Iterator:
    from app import create_app
    from tests.conftest import truncate_pg

    truncate_pg(pg_database_url)
    url = make_url(pg_database_url)
    proxy = OutageProxy((url.host or "127.0.0.1", url.port or 5432))
    app = create_app(
        {
            "DATABASE_URL": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False
            ),
            "TESTING": True,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.proxy = proxy
    yield app
    app.extensions["sparelog.db"].engine.dispose()
    proxy.close()


def test_while_postgresql_restarts_pages_and_the_api_answer_503_never_a_bare_500(proxied_app):
    app = proxied_app
    with app.extensions["sparelog.db"].sessions() as db:
        user = User(username="li.disp", display_name="李调度", role="dispatcher")
        set_password(user, "correct horse battery")
        db.add(user)
        db.flush()
        token = {"Authorization": f"Bearer {issue_token(db, user)}"}
        db.commit()
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    signed_in = browser.post(
        "/login",
        data={"username": "li.disp", "password": "correct horse battery", "csrf_token": csrf},
    )
    assert signed_in.status_code == 302
    board = browser.get("/dispatch/")
    assert board.status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', board.get_data(as_text=True)).group(1)
    api = app.test_client()
    assert api.get("/api/tickets", headers=token).status_code == 200

    app.proxy.down()
    anonymous = app.test_client()
    pages = {
        "/dispatch/": browser.get("/dispatch/"),
        "/login": browser.get("/login"),
        "/track/NO-SUCH-CODE-000000000000": anonymous.get("/track/NO-SUCH-CODE-000000000000"),
        "POST /login": browser.post(
            "/login", data={"username": "li.disp", "password": "x", "csrf_token": csrf}
        ),
    }
    stale = browser.post("/login", data={"username": "li.disp", "password": "x"})  # no token
    assert stale.status_code == 400 and "安全令牌" in stale.get_data(as_text=True)
    for name, response in pages.items():
        assert response.status_code == 503, (name, response.status_code)
        assert response.mimetype == "text/html", name
        assert int(response.headers["Retry-After"]) > 0
        assert "服务暂时不可用" in response.get_data(as_text=True), name
    for path in ("/api/tickets", "/api/me"):
        answer = api.get(path, headers=token)
        assert answer.status_code == 503 and answer.mimetype == "application/problem+json", path
        assert int(answer.headers["Retry-After"]) > 0
    health = anonymous.get("/api/health")
    assert health.status_code == 503 and health.mimetype == "application/problem+json"
    assert "database" in health.json["detail"]
    assert health.json["checks"]["database"].startswith("does not answer")

    app.proxy.up()
    assert browser.get("/dispatch/").status_code == 200
    assert api.get("/api/tickets", headers=token).status_code == 200
    assert anonymous.get("/api/health").json == {"status": "ok", "checks": {"database": "ok"}}
