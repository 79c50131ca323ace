"""Customer tracking page: no sign-in, by unguessable tracking code."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from app.web.auth import roles_page

bp = Blueprint("tracking", __name__)


@bp.get("/track")
def track_form():
    return render_template("track/form.html", code="", not_found=False)


@bp.get("/track/lookup")
def track_lookup():
    code = (request.args.get("code") or "").strip()
    if not code:
        return redirect(url_for("tracking.track_form"))
    return redirect(url_for("tracking.track_page", code=code))


@bp.get("/track/<code>")
def track_page(code: str):
    return render_template("track/form.html", code=code, not_found=True), 404


@bp.get("/my/rmas")
@roles_page("customer")
def my_rmas():
    return render_template("track/my_rmas.html", rmas=[])
