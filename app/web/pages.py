from __future__ import annotations

from flask import Blueprint, redirect

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    return redirect("/api/docs")
