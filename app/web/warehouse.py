"""Warehouse console (扫描台): scan a serial or part number, act on it in one click;
supplier delivery import; stock below reorder point."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.web.auth import roles_page

bp = Blueprint("warehouse", __name__, url_prefix="/warehouse")


@bp.get("/")
@roles_page("warehouse")
def console():
    return render_template("warehouse/console.html")


@bp.get("/import")
@roles_page("warehouse")
def delivery_import():
    return render_template("warehouse/import.html")


@bp.get("/reorder")
@roles_page("warehouse", "dispatcher")
def reorder():
    return render_template("warehouse/reorder.html")
