"""The planning page (备件规划): the service-versus-stock-value curve with the current
position, fill rates per class before and after, what-if runs side by side, the top
moves, a map of sites coloured by fill rate, and accepting a plan.

Runs are the same background jobs as ``POST /api/planning/runs``; the plan is the job's
result. The view reads, calls one service, and renders.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.api.planning import whatif_depots
from app.auth import actor_name, current_user
from app.background import submit_planning_run
from app.db import get_session
from app.web import maps
from app.web.auth import roles_page
from app.web.i18n import current_lang, error_text, money_text, percent_text, t
from inventory.errors import DomainError
from inventory.jobs import create_job, finished_result
from inventory.planning import DEFAULT_TARGETS, accept_plan, accepted_plans
from models.enums import JobStatus, Role
from models.jobs import Job

bp = Blueprint("planning_page", __name__, url_prefix="/planning")
PLANNING_JOB = "planning_run"
CLASSES = ("7x24", "7x8", "5x8")
CHART_W, CHART_H, PAD = 640, 280, 44
CLOCK_NAMES = ("replacement", "spare")  # the order of the plan's part_sites columns


def _runs(limit: int = 8) -> list[Job]:
    return list(
        get_session().scalars(
            select(Job)
            .where(Job.kind == PLANNING_JOB)
            .order_by(Job.created_at.desc(), Job.id)
            .limit(limit)
        )
    )


CURVE_COLOURS = ("#1f6feb", "#8250df", "#bc4c00", "#1a7f37")


def curve_svg(plan: dict, others: list[tuple[str, dict]] | None = None) -> dict:
    """Chart geometry (SVG units) of the plan's curve and the current position, with the
    curves of other runs (label, plan) on the same axes."""
    from app.documents.charts import value_axis  # reportlab: loaded when a chart is drawn

    runs = [("", plan), *(others or [])]
    now = plan.get("current_position") or {"stock_value": 0.0, "fill_rate": 0.0}
    values = [c["stock_value"] for _label, p in runs for c in p.get("curve") or []]
    top, off_chart = value_axis(values, now["stock_value"])

    def xy(value: float, rate: float) -> tuple[float, float]:
        x = PAD + (CHART_W - 2 * PAD) * value / top
        y = CHART_H - PAD - (CHART_H - 2 * PAD) * rate
        return round(x, 1), round(y, 1)

    lines = []
    for n, (label, p) in enumerate(runs):
        points = p.get("curve") or []
        if not points:
            continue
        path = " ".join(
            f"{x},{y}" for x, y in (xy(c["stock_value"], c["fill_rate"]) for c in points)
        )
        lines.append(
            {
                "label": label,
                "path": path,
                "colour": CURVE_COLOURS[n % len(CURVE_COLOURS)],
                "end": xy(points[-1]["stock_value"], points[-1]["fill_rate"]),
            }
        )
    cx, cy = xy(min(now["stock_value"], top), now["fill_rate"])
    ticks = [(xy(top * k / 4, 0)[0], round(top * k / 4)) for k in range(5)]
    rates = [(xy(0, r / 100)[1], r) for r in (0, 25, 50, 75, 100)]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "pad": PAD,
        "path": lines[0]["path"] if lines else "",
        "lines": lines,
        "current": (cx, cy),
        "current_off": off_chart,
        "current_value": now["stock_value"],
        "xticks": ticks,
        "yticks": rates,
    }


def band(rate: float) -> str:
    return "good" if rate >= 0.95 else ("warn" if rate >= 0.8 else "late")


def site_map(plan: dict, part: str, clock: str) -> tuple[maps.MapData, dict[str, int]]:
    """Which sites get `part` (every part, the worst, when empty) within `clock`, coloured
    by fill rate after the plan; the depots that stock it; hypothetical depots marked."""
    column = CLOCK_NAMES.index(clock)
    sites = {s["site"]: s for s in plan.get("sites", [])}
    if part:
        rates = {k: v[column] for k, v in (plan.get("part_sites") or {}).get(part, {}).items()}
    else:
        rates = {k: s["fill_rate_after"][clock] for k, s in sites.items()}
    points: list[maps.MapPoint] = []
    counts = {"good": 0, "warn": 0, "late": 0}
    for code, rate in sorted(rates.items()):
        site = sites.get(code)
        if site is None:
            continue
        counts[band(rate)] += 1
        title = t(
            "pl.map_site_title",
            site=code,
            customer=site.get("customer", ""),
            rate=percent_text(rate),
        )
        points.append(maps.MapPoint("site", code, site["lat"], site["lon"], title, band=band(rate)))
    stocked: dict[str, int] = {}
    for line in plan.get("lines", []):
        if line["recommended"] and (not part or line["part"] == part):
            stocked[line["depot"]] = stocked.get(line["depot"], 0) + line["recommended"]
    for d in plan.get("depots", []):
        if d["depot"] in stocked or d["hypothetical"]:
            name = d["name"] if current_lang() == "zh" else (d.get("name_en") or d["name"])
            title = t(
                "pl.map_depot_title", depot=d["depot"], name=name, n=stocked.get(d["depot"], 0)
            )
            if d["hypothetical"]:
                title = f"{t('pl.hypothetical')}: {title}"
            # drawn larger than the sites and under them: a site in a depot's city shows
            points.append(
                maps.MapPoint(
                    "depot", d["depot"], d["lat"], d["lon"], title, d["hypothetical"], size=20
                )
            )
    fit = [(p.lat, p.lon) for p in points]
    return maps.around(fit, points=points, label_kinds=()), counts


def whatif_words(params: dict) -> str:
    """What a run changed, in words (empty for a baseline)."""
    words = [
        t("pl.compare_depot", city=d.get("city", "")) for d in params.get("extra_depots") or []
    ]
    words += [
        t("pl.compare_rate", part=p, rate=r)
        for p, r in sorted((params.get("failure_rate_overrides") or {}).items())
    ]
    if params.get("budget") is not None:
        words.append(f"{t('pl.field.budget')} {money_text(params['budget'], whole=True)}")
    if params.get("other_clock_targets"):
        words.append(t("pl.compare_spare_too"))
    return "; ".join(words)


@bp.get("")
@roles_page("warehouse")
def page():
    runs = _runs()
    chosen = request.args.get("run")
    run = next((r for r in runs if r.id == chosen), None) or next(
        (r for r in runs if r.status == JobStatus.SUCCEEDED), None
    )
    plan = run.result if run is not None and run.status == JobStatus.SUCCEEDED else None
    side_by_side = [r for r in runs if r.status == JobStatus.SUCCEEDED][:4]
    if run is not None and plan and run not in side_by_side:
        side_by_side = [run, *side_by_side[:3]]
    clock = request.args.get("clock", "replacement")
    if clock not in CLOCK_NAMES:
        clock = "replacement"
    parts = sorted((plan or {}).get("part_sites") or {})
    part = request.args.get("part", "")
    if part not in parts:
        part = ""
    others = [(r.id[:8], r.result) for r in side_by_side if run is None or r.id != run.id]
    site_map_data, band_counts = site_map(plan, part, clock) if plan else (None, {})
    user = current_user()
    return render_template(
        "planning/page.html",
        runs=runs,
        run=run,
        plan=plan,
        chart=curve_svg(plan, others) if plan else None,
        site_map=site_map_data,
        band_counts=band_counts,
        map_parts=parts,
        map_part=part,
        map_clock=clock,
        clock_names=CLOCK_NAMES,
        side_by_side=side_by_side,
        whatif_words=whatif_words,
        acceptances=accepted_plans(get_session()),
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
        raise DomainError(
            t("pl.bad_number", field=t(f"pl.field.{name}")),
            field=name,
            key="bad_number",
            params={"field": t(f"pl.field.{name}")},
        )
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
            raise DomainError(t("pl.rate_both"), field="rate_part", key="rate_both")
        city = request.form.get("extra_depot", "").strip()[:80]
        try:
            extra = whatif_depots([{"city": city}], field="extra_depot") if city else []
        except DomainError:
            raise DomainError(
                t("pl.place_not_found", city=city),
                field="extra_depot",
                key="place_not_found",
                params={"place": city},
            ) from None
    except DomainError as error:
        flash(error_text(error), "error")
        return redirect(url_for("planning_page.page"))
    params = {
        "targets": targets,
        "budget": budget,
        "clock": "replacement",
        "failure_rate_overrides": overrides,
        "label": request.form.get("label", "").strip()[:80],
        "extra_depots": extra,
        # the same targets on the 2-working-day clock too, met together
        "other_clock_targets": dict(targets) if request.form.get("spare_too") else {},
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
    plan = finished_result(job)
    if plan is None:
        flash(t("pl.not_ready"), "error")
        return redirect(url_for("planning_page.page", run=job_id))
    extra = (job.params or {}).get("extra_depots") or []
    if extra:
        cities = ", ".join(d.get("city", "") for d in extra)
        flash(t("pl.whatif_accept_refused", city=cities), "error")
        return redirect(url_for("planning_page.page", run=job_id))
    try:
        done = accept_plan(get_session(), plan, actor=actor_name(), reference=f"PLAN-{job_id[:8]}")
    except DomainError as error:
        flash(error_text(error), "error")
        return redirect(url_for("planning_page.page", run=job_id))
    flash(t("pl.accepted", n=done.policies_set, cleared=done.policies_cleared), "info")
    return redirect(url_for("planning_page.page", run=job_id))
