"""Server-rendered pages for the roles."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from app.web import pages

    app.register_blueprint(pages.bp)
