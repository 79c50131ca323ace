"""The baseline for bench/throughput.py: a bare Flask app that answers a constant.

Served exactly like the real app (``gunicorn bench.bare_app:app`` with the same workers,
threads and keep-alive, see bench/live_server.py), so the throughput of a real endpoint
divided by this one's is what our code costs on top of Flask and gunicorn: routing,
authentication, the database, validation and serialization.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/api/health")  # what LiveServer waits for
@app.get("/api/bare")
def constant():
    return {"status": "ok"}
