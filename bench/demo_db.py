"""The seeded demo network on a throw-away SQLite database, for benches that read it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session


@contextmanager
def demo_session(prefix: str, now: datetime) -> Iterator[Session]:
    """A session (inside the app's context) on a new SQLite database in a temporary folder
    named ``prefix…``, holding the demo data set with its service flow seeded at ``now``."""
    from app import create_app
    from app.demo.seed import seed_demo
    from app.demo.service_flow import seed_service_flow
    from models.migrate import upgrade

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix=prefix)) / 'demo.db'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "TESTING": True,
            "SECRET_KEY": "bench",
            "PUBLIC_BASE_URL": "http://localhost",
        }
    )
    try:
        with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
            seed_demo(session)
            seed_service_flow(session, now=now)
            yield session
    finally:
        app.extensions["sparelog.db"].engine.dispose()
