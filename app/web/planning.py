"""The planning page (备件规划): the service-versus-stock-value curve with the current
position, fill rates per class before and after, what-if runs side by side, the top
moves, a map of sites coloured by fill rate, and accepting a plan.

Runs are the same background jobs as ``POST /api/planning/runs``; the plan is the job's
result. The view reads, calls one service, and renders.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth import actor_name, current_user
from app.background import submit_planning_run
from app.db import get_session
from app.web.auth import roles_page
from app.web.i18n import t
from inventory.errors import DomainError
from inventory.jobs import create_job
from inventory.planning import DEFAULT_TARGETS, accept_plan
from models.enums import Role
from models.jobs import Job

bp = Blueprint("planning_page", __name__, url_prefix="/planning")
PLANNING_JOB = "planning_run"
CLASSES = ("7x24", "7x8", "5x8")
CHART_W, CHART_H, PAD = 640, 280, 44


def _runs(limit: int = 8) -> list[Job]:
    return list(
        get_session().scalars(
            select(Job)
            .where(Job.kind == PLANNING_JOB)
            .order_by(Job.created_at.desc(), Job.id)
            .limit(limit)
        )
    )


def curve_svg(plan: dict) -> dict:
    """Chart geometry (SVG units) of the plan's curve and the current position."""
    points = plan.get("curve") or []
    now = plan.get("current_position") or {"stock_value": 0.0, "fill_rate": 0.0}
    top = max([p["stock_value"] for p in points] + [now["stock_value"], 1.0])

    def xy(value: float, rate: float) -> tuple[float, float]:
        x = PAD + (CHART_W - 2 * PAD) * value / top
        y = CHART_H - PAD - (CHART_H - 2 * PAD) * rate
        return round(x, 1), round(y, 1)

    path = " ".join(f"{x},{y}" for x, y in (xy(p["stock_value"], p["fill_rate"]) for p in points))
    cx, cy = xy(now["stock_value"], now["fill_rate"])
    ticks = [(xy(top * k / 4, 0)[0], round(top * k / 4)) for k in range(5)]
    rates = [(xy(0, r / 100)[1], r) for r in (0, 25, 50, 75, 100)]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "pad": PAD,
        "path": path,
        "current": (cx, cy),
        "xticks": ticks,
        "yticks": rates,
    }


def map_svg(plan: dict) -> list[dict]:
    """Sites as dots on a lon/lat frame (China's extent), coloured by 6 h fill rate."""
    out = []
    for s in plan.get("sites", []):
        rate = s["fill_rate_after"]["replacement"]
        out.append(
            {
                "x": round(20 + (s["lon"] - 73) / (135 - 73) * 600, 1),
                "y": round(20 + (54 - s["lat"]) / (54 - 18) * 340, 1),
                "site": s["site"],
                "rate": rate,
                "band": "good" if rate >= 0.95 else ("warn" if rate >= 0.8 else "late"),
            }
        )
    return out


@bp.get("")
@roles_page("warehouse")
def page():
    runs = _runs()
    chosen = request.args.get("run")
    run = next((r for r in runs if r.id == chosen), None) or next(
        (r for r in runs if r.status == "succeeded"), None
    )
    side_by_side = [r for r in runs if r.status == "succeeded"][:3]
    plan = run.result if run is not None and run.status == "succeeded" else None
    user = current_user()
    return render_template(
        "planning/page.html",
        runs=runs,
        run=run,
        plan=plan,
        chart=curve_svg(plan) if plan else None,
        dots=map_svg(plan) if plan else [],
        side_by_side=side_by_side,
        classes=CLASSES,
        defaults=DEFAULT_TARGETS,
        can_plan=user is not None and user.role == Role.ADMIN.value,
    )


def _number(name: str, low: float, high: float) -> float | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise DomainError(t("pl.bad_number", field=t(f"pl.field.{name}")), field=name)
    return value


@bp.post("/runs")
@roles_page()
def start_run():
    try:
        targets = {}
        for klass in CLASSES:
            value = _number(f"target_{klass}", 0, 100)
            targets[klass] = (value / 100) if value is not None else DEFAULT_TARGETS[klass]
        budget = _number("budget", 0, 1e12)
        overrides = {}
        part = request.form.get("rate_part", "").strip()
        rate = _number("rate_value", 0, 100)
        if part and rate is not None:
            overrides[part] = rate
        elif part or rate is not None:
            raise DomainError(t("pl.rate_both"), field="rate_part")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("planning_page.page"))
    params = {
        "targets": targets,
        "budget": budget,
        "clock": "replacement",
        "failure_rate_overrides": overrides,
        "label": request.form.get("label", "").strip()[:80],
    }
    job = create_job(get_session(), PLANNING_JOB, params, actor=actor_name(), time_limit_s=60.0)
    submit_planning_run(job.id)
    flash(t("pl.started"), "info")
    return redirect(url_for("planning_page.page", run=job.id))


@bp.post("/runs/<job_id>/accept")
@roles_page()
def accept(job_id: str):
    job = get_session().get(Job, job_id)
    if job is None or job.kind != PLANNING_JOB:
        abort(404)
    if job.status != "succeeded" or not job.result:
        flash(t("pl.not_ready"), "error")
        return redirect(url_for("planning_page.page", run=job_id))
    try:
        done = accept_plan(
            get_session(), job.result, actor=actor_name(), reference=f"PLAN-{job_id[:8]}"
        )
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("planning_page.page", run=job_id))
    flash(t("pl.accepted", n=done.policies_set, cleared=done.policies_cleared), "info")
    return redirect(url_for("planning_page.page", run=job_id))
