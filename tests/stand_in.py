"""A local HTTP stand-in for an outside service (OSRM, Baidu Maps …): a request handler
that answers JSON quietly, served on a free port for the length of a test module."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn(BaseHTTPRequestHandler):
    """Subclass with ``do_GET``; answer with ``send_json`` or ``send_body``."""

    def send_json(self, body: dict[str, object], status: int = 200) -> None:
        self.send_body(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

    def send_body(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on 127.0.0.1 (a free port) in a thread; yields "127.0.0.1:<port>"."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
