"""The engineer's jobs: the site, the part to carry, the return deadline."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.web.auth import roles_page

bp = Blueprint("engineer", __name__, url_prefix="/engineer")


@bp.get("/")
@roles_page("engineer")
def jobs():
    return render_template("engineer/jobs.html", jobs=[])
