"""Dispatcher board (调度看板)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.web.auth import roles_page

bp = Blueprint("dispatch", __name__, url_prefix="/dispatch")


@bp.get("/")
@roles_page("dispatcher")
def board():
    return render_template("dispatch/board.html")


@bp.get("/routes")
@roles_page("dispatcher")
def routes():
    return render_template("dispatch/routes.html")


@bp.get("/alerts")
@roles_page("dispatcher")
def alerts():
    return render_template("dispatch/alerts.html")
