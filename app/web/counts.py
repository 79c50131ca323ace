"""Warehouse console: stock counts as documents (盘点单). Start a count of some parts or the
whole depot, scan serials and enter quantities (several people, each line records who),
submit for review, recount or have a second person approve, post.

Each form is checked by the same marshmallow schema as ``/api/counts`` and calls one
service of ``inventory.stock_counts``; then post/redirect/get back to the count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.api.counts import (
    CountRecordRequest,
    CountRecountRequest,
    CountStartRequest,
    configured_limits,
)
from app.auth import actor_name, current_user
from app.db import get_session
from app.web.auth import not_found_page, roles_page
from app.web.i18n import error_text, money_text, t
from app.web.warehouse import WAREHOUSE, my_depot
from inventory import depot_access, stock_counts
from inventory.errors import DomainError, Forbidden, NotFound
from inventory.stock_counts import QuantityCount
from models import Part
from models.enums import CountStatus

bp = Blueprint("wh_counts", __name__, url_prefix="/warehouse/counts")
MAX_SHOWN = 400  # lines on the page; the variances and findings first


def _lines_of(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").replace(",", "\n").splitlines() if s.strip()][:5_000]


def _schema_message(error: ma.ValidationError) -> str:
    parts = []
    for name, messages in sorted(error.normalized_messages().items()):
        text = messages if isinstance(messages, str) else " ".join(map(str, _flat(messages)))
        parts.append(f"{name}: {text}")
    return "; ".join(parts)


def _flat(messages) -> list:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list | tuple):
        return [m for v in messages for m in _flat(v)]
    return [messages]


def _fail(message: str) -> None:
    flash(t("cnt.failed", message=message), "error")


@bp.get("/")
@roles_page(*WAREHOUSE)
def index():
    db = get_session()
    user = current_user()
    ids = depot_access.depot_ids_of(db, user) if user is not None else None
    return render_template(
        "warehouse/counts.html",
        counts=stock_counts.list_counts(db, depot_ids=ids),
        depot=my_depot(),
        limits_now=configured_limits(),
    )


@bp.post("/")
@roles_page(*WAREHOUSE)
def start():
    """Start a count at the console's depot: the parts listed, or every part with stock."""
    db = get_session()
    depot = my_depot()
    if depot is None:
        _fail(t("cnt.no_depot"))
        return redirect(url_for("wh_counts.index"))
    payload: dict = {"depot": depot.code, "part_numbers": _lines_of(request.form.get("parts"))}
    if not payload["part_numbers"]:
        payload.pop("part_numbers")
    try:
        data = CountStartRequest().load(payload)
        count = stock_counts.start_count(
            db,
            depot_code=depot.code,
            actor=actor_name(),
            part_numbers=data.get("part_numbers"),
            limits=configured_limits(),
        )
    except ma.ValidationError as error:
        _fail(_schema_message(error))
    except DomainError as error:
        _fail(error_text(error))
    else:
        flash(t("cnt.started_flash_ok", ref=count.number), "success")
        return redirect(url_for("wh_counts.page", number=count.number))
    back = request.form.get("back")
    return redirect(back if back and back.startswith("/warehouse/") else url_for("wh_counts.index"))


@bp.get("/<number>")
@roles_page(*WAREHOUSE)
def page(number: str):
    db = get_session()
    try:
        stock_counts.check_count_scope(db, number)
        view = stock_counts.view_count(db, number)
    except NotFound:
        return not_found_page()
    except Forbidden:
        return render_template("error.html", code=403, message=t("error.forbidden")), 403
    interesting = [
        line for line in view.lines if line.variance or line.finding or line.moved_since_start
    ]
    rest = [line for line in view.lines if line not in interesting]
    shown = (interesting + rest)[:MAX_SHOWN]
    quantity_lines = [line for line in view.lines if line.serial is None]
    me = actor_name()
    return render_template(
        "warehouse/count.html",
        count=view,
        lines=shown,
        hidden=len(view.lines) - len(shown),
        quantity_lines=quantity_lines,
        has_serials=any(line.serial is not None for line in view.lines),
        serial_parts=sorted({line.part_number for line in view.lines if line.serial is not None}),
        may_approve=view.status == CountStatus.REVIEW.value
        and view.approved_by is None
        and me not in view.counters
        and me != view.submitted_by,
        scanned=sum(1 for line in view.lines if line.serial and line.counted),
    )


def _back(number: str):
    return redirect(url_for("wh_counts.page", number=number[:24]))


def _step(number: str, action: Callable[[], Any], done: Callable[[Any], str]):
    """One step of the count's life: run ``action``, flash its domain error or ``done`` of
    its result, and go back to the count."""
    try:
        result = action()
    except DomainError as error:
        _fail(error_text(error))
    else:
        flash(done(result), "success")
    return _back(number)


@bp.post("/<number>/record")
@roles_page(*WAREHOUSE)
def record(number: str):
    """The serials scanned (one per line) and each quantity line's count."""
    db = get_session()
    try:
        count = stock_counts.count_by_number(db, number)
    except NotFound:
        return not_found_page()
    parts = {
        p.id: p.part_number
        for p in db.scalars(select(Part).where(Part.id.in_({line.part_id for line in count.lines})))
    }
    payload: dict = {
        "serials": _lines_of(request.form.get("serials")),
        "quantities": [
            {"part_number": parts[line.part_id], "qty": raw, "condition": line.condition}
            for line in count.lines
            if line.serial is None and (raw := (request.form.get(f"qty_{line.id}") or "").strip())
        ],
    }
    if request.form.get("part_number"):
        payload["part_number"] = request.form["part_number"].strip()
    try:
        data = CountRecordRequest().load(payload)
        result = stock_counts.record_counts(
            db,
            number,
            actor=actor_name(),
            serials=data["serials"],
            quantities=[
                QuantityCount(q["part_number"], q["qty"], q["condition"])
                for q in data["quantities"]
            ],
            part_number=data.get("part_number"),
        )
    except ma.ValidationError as error:
        _fail(_schema_message(error))
    except DomainError as error:
        _fail(error_text(error))
    else:
        flash(
            t(
                "cnt.recorded",
                matched=result.matched,
                qty=result.quantities,
                n=len(result.findings),
            ),
            "success",
        )
        for serial, kind, where in result.findings[:20]:
            flash(t(f"cnt.finding.{kind}", serial=serial, where=where or "—"), "error")
    return _back(number)


@bp.post("/<number>/submit")
@roles_page(*WAREHOUSE)
def submit(number: str):
    return _step(
        number,
        lambda: stock_counts.submit_count(get_session(), number, actor=actor_name()),
        lambda view: t("cnt.submitted", ref=view.number),
    )


@bp.post("/<number>/recount")
@roles_page(*WAREHOUSE)
def recount(number: str):
    try:
        data = CountRecountRequest().load({"part_numbers": request.form.getlist("part")})
    except ma.ValidationError:
        _fail(t("cnt.pick_parts"))
        return _back(number)
    return _step(
        number,
        lambda: stock_counts.request_recount(
            get_session(), number, actor=actor_name(), part_numbers=data["part_numbers"]
        ),
        lambda _: t("cnt.recount_asked"),
    )


@bp.post("/<number>/approve")
@roles_page(*WAREHOUSE)
def approve(number: str):
    return _step(
        number,
        lambda: stock_counts.approve_count(get_session(), number, actor=actor_name()),
        lambda _: t("cnt.approved"),
    )


@bp.post("/<number>/post")
@roles_page(*WAREHOUSE)
def post(number: str):
    db = get_session()
    try:
        posted = stock_counts.post_count(
            db, number, actor=actor_name(), confirm_missing=bool(request.form.get("confirm"))
        )
    except DomainError as error:
        if error.field == "confirm":
            _fail(
                t(
                    "cnt.confirm_needed",
                    missing=error.details.get("missing"),
                    expected=error.details.get("expected"),
                )
            )
        else:
            _fail(error_text(error))
    else:
        flash(
            t(
                "cnt.posted",
                ref=posted.number,
                out=posted.units_out,
                into=posted.units_in,
                value=money_text(posted.value),
            ),
            "success",
        )
    return _back(number)


@bp.post("/<number>/cancel")
@roles_page(*WAREHOUSE)
def cancel(number: str):
    reason = (request.form.get("reason") or "")[:500]
    return _step(
        number,
        lambda: stock_counts.cancel_count(get_session(), number, actor=actor_name(), reason=reason),
        lambda _: t("cnt.cancelled"),
    )
