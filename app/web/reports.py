"""Reports pages: the performance indicators for service managers (dispatchers and
admins), drawn as SVG bars on the server, with their CSV and Excel downloads. The figures
are inventory/indicators.py's."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from sqlalchemy import select

from app.api.indicators import download, indicators_for
from app.db import get_session
from app.web.auth import roles_page
from app.web.i18n import duration_text, error_text, number_text, percent_text, t_code
from inventory.errors import DomainError
from models import Customer

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _query() -> dict:
    """The page's query as the indicators take it (a bad date is the default's)."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name) or "")
        except ValueError:
            return None

    args: dict[str, date | str | None] = {"first_day": day("from"), "last_day": day("to")}
    if request.args.get("customer"):
        args["customer"] = request.args["customer"][:32]
    return args


def _score(value: float | None) -> str:
    return number_text(value, places=2)


@bp.get("/indicators")
@roles_page("dispatcher")
def indicators():
    try:
        ind = indicators_for(_query())
    except DomainError as error:
        return render_template("error.html", code=422, message=error_text(error)), 422
    mttr = [r.mean_minutes for r in ind.restore if r.mean_minutes is not None]
    return render_template(
        "reports/indicators.html",
        ind=ind,
        first_day=request.args.get("from") or "",
        last_day=request.args.get("to") or "",
        customer=request.args.get("customer") or "",
        customers=list(get_session().scalars(select(Customer).order_by(Customer.code))),
        query={k: v for k, v in request.args.items() if k in ("from", "to", "customer") and v},
        pct=percent_text,
        score=_score,
        mttr_scale=max(mttr, default=0),
        mttr_rows=[
            (
                t_code("severity", r.severity),
                r.mean_minutes,
                duration_text(r.mean_minutes * 60) if r.mean_minutes is not None else "—",
            )
            for r in ind.restore
        ],
        compliance_rows=[
            (t_code("clock", r.clock), r.rate, f"{percent_text(r.rate)} ({r.met}/{r.total})")
            for r in ind.clock_totals()
        ],
        engineer_rows=[
            (
                f"{s.name} ({s.engineer})",
                s.mean_overall,
                f"{_score(s.mean_overall)} · {s.responses}",
            )
            for s in ind.satisfaction
        ],
    )


def _download(fmt: str):
    try:
        ind = indicators_for(_query())
    except DomainError as error:
        return render_template("error.html", code=422, message=error_text(error)), 422
    return download(ind, fmt)


@bp.get("/indicators.csv")
@roles_page("dispatcher")
def indicators_csv():
    return _download("csv")


@bp.get("/indicators.xlsx")
@roles_page("dispatcher")
def indicators_xlsx():
    return _download("xlsx")
