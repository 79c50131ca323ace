"""The planning page: curve with the current position, classes, moves, what-ifs, accepting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inventory.jobs import claim_job, create_job, finish_job
from inventory.planning import PlanSettings, recommend_plan
from models import Event, StockPolicy, utcnow
from tests.web.conftest import post_form


@pytest.fixture(scope="module")
def demo_plan(demo_template, tmp_path_factory) -> dict:
    """The demo network's plan, computed once for this module on a copy of the demo."""
    import shutil

    from app import create_app
    from app.geo import travel_model

    path = tmp_path_factory.mktemp("plan") / "demo.db"
    shutil.copy(demo_template, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "plan"})
    with app.app_context(), app.extensions["sparelog.db"].sessions() as session:
        plan = recommend_plan(session, travel_model(), PlanSettings(label="base"), now=utcnow())
    app.extensions["sparelog.db"].engine.dispose()
    return plan


def _finished(db, plan: dict, settings: PlanSettings) -> int:
    """A planning run with ``settings`` that found ``plan``, finished as the background job
    would; its job id."""
    job = create_job(db, "planning_run", settings.as_dict(), actor="admin", time_limit_s=60)
    claim_job(db, job.id)
    finish_job(db, job.id, result=plan)
    return job.id


def _run_page(client, as_role, run: int, lang: str) -> str:
    """The planning page of ``run`` as the warehouse reads it in ``lang``."""
    as_role("warehouse")
    post_form(client, "/prefs", {"lang": lang}, page="/planning")
    return client.get(f"/planning?run={run}").get_data(as_text=True)


@pytest.fixture
def finished_run(db, demo_plan):
    """A planning run on the demo network, finished as the background job would."""
    return _finished(db, demo_plan, PlanSettings(label="base"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_shows_its_curve_classes_and_moves_in_both_languages(
    client, as_role, finished_run, demo_plan, lang
):
    as_role("admin")
    post_form(client, "/prefs", {"lang": lang}, page="/planning")
    html = client.get("/planning").get_data(as_text=True)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert 'id="curve"' in html and "<polyline points=" in html and "<circle cx=" in html
    assert 'id="classes"' in html and "7x24" in html
    assert 'id="moves"' in html and 'id="site-map"' in html
    # per customer, and the parts the plan serves worst, before → after on both clocks
    assert 'id="customers"' in html and ">C001<" in html
    worst = min(demo_plan["parts"], key=lambda p: p["replacement_after"])["part"]
    assert 'id="worst-parts"' in html and f">{worst}<" in html
    assert ("6小时内满足率最低的备件" if lang == "zh" else "lowest 6 h fill rate") in html
    assert ("采纳方案" if lang == "zh" else "Accept this plan") in html


def test_accepting_from_the_page_sets_the_depots_policies_with_an_audit_entry(
    client, as_role, db, finished_run
):
    as_role("admin")
    response = post_form(client, f"/planning/runs/{finished_run}/accept", {}, page="/planning")
    assert response.status_code == 302
    db.expire_all()
    assert db.scalar(select(Event).where(Event.kind == "plan_accepted")) is not None
    targets = [p.target_level for p in db.scalars(select(StockPolicy)) if p.target_level]
    assert targets and all(t >= 1 for t in targets)


def test_a_what_if_with_a_bad_number_names_the_field_and_starts_nothing(
    client, as_role, db, finished_run
):
    as_role("admin")
    post_form(client, "/prefs", {"lang": "en"}, page="/planning")
    response = post_form(
        client, "/planning/runs", {"target_7x24": "abc"}, page="/planning", follow_redirects=True
    )
    assert response.status_code == 200
    assert "7x24 target fill rate" in response.get_data(as_text=True)
    from models.jobs import Job

    assert len(db.scalars(select(Job)).all()) == 1


def test_warehouse_staff_read_the_plan_but_cannot_accept_it(client, as_role, finished_run):
    as_role("warehouse")
    html = client.get("/planning").get_data(as_text=True)
    assert 'id="curve"' in html and 'id="accept-plan"' not in html
    response = post_form(client, f"/planning/runs/{finished_run}/accept", {}, page="/planning")
    assert response.status_code == 403


@pytest.fixture
def whatif_run(db, demo_plan, finished_run):
    """A finished what-if beside the baseline: a hypothetical depot in Lhasa, 7x24 at 97 %."""
    settings = PlanSettings(
        targets={"7x24": 0.97, "7x8": 0.9, "5x8": 0.85},
        label="Lhasa",
        extra_depots=({"city": "拉萨", "lat": 29.65, "lon": 91.1},),
    )
    plan = {
        **demo_plan,
        "settings": settings.as_dict(),
        "depots": [
            *demo_plan["depots"],
            {
                "depot": "WHATIF-1",
                "name": "拉萨",
                "name_en": "拉萨",
                "city": "拉萨",
                "lat": 29.65,
                "lon": 91.1,
                "hypothetical": True,
            },
        ],
    }
    return _finished(db, plan, settings)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_what_if_depot_is_compared_marked_on_the_map_and_not_offered_for_acceptance(
    client, as_role, db, finished_run, whatif_run, lang
):
    import json
    import re

    as_role("admin")
    post_form(client, "/prefs", {"lang": lang}, page="/planning")
    html = client.get(f"/planning?run={whatif_run}").get_data(as_text=True)
    assert 'id="whatif-note"' in html and 'id="accept-plan"' not in html
    assert ("增设 拉萨" if lang == "zh" else "Depot in 拉萨") in html  # the comparison
    assert ("基准" if lang == "zh" else "Baseline") in html
    assert html.count('class="curve-line"') == 2  # both runs' curves on one chart
    data = re.search(r'id="site-map-data">(.*?)</script>', html, re.S).group(1)
    points = json.loads(data)["points"]
    hypo = [p for p in points if p["kind"] == "depot" and p["highlight"]]
    assert [p["label"] for p in hypo] == ["WHATIF-1"]
    assert {p["band"] for p in points if p["kind"] == "site"} <= {"good", "warn", "late"}
    # accepting it anyway is refused, saying why, and sets nothing
    levels = sorted(
        (p.part_id, p.depot_id, p.target_level) for p in db.scalars(select(StockPolicy))
    )
    db.rollback()  # end the read: SQLite would keep the page's writer waiting
    response = post_form(
        client, f"/planning/runs/{whatif_run}/accept", {}, page="/planning", follow_redirects=True
    )
    assert ("不能采纳" if lang == "zh" else "cannot be accepted") in response.get_data(as_text=True)
    db.expire_all()
    assert (
        sorted((p.part_id, p.depot_id, p.target_level) for p in db.scalars(select(StockPolicy)))
        == levels
    )
    assert db.scalar(select(Event).where(Event.kind == "plan_accepted")) is None


def test_the_map_shows_one_part_on_the_chosen_clock(client, as_role, finished_run, demo_plan):
    import json
    import re

    as_role("warehouse")
    part = max(demo_plan["part_sites"], key=lambda p: len(demo_plan["part_sites"][p]))
    html = client.get(f"/planning?part={part}&clock=spare").get_data(as_text=True)
    data = json.loads(re.search(r'id="site-map-data">(.*?)</script>', html, re.S).group(1))
    sites = [p for p in data["points"] if p["kind"] == "site"]
    assert len(sites) == len(demo_plan["part_sites"][part])
    for p in sites:
        rate = demo_plan["part_sites"][part][p["label"]][1]  # the 2-working-day column
        assert p["band"] == ("good" if rate >= 0.95 else "warn" if rate >= 0.8 else "late")


@pytest.mark.parametrize(
    ("lang", "words"), [("zh", "没有故障记录"), ("en", "no failure data and no entered rate")]
)
def test_a_part_planned_on_the_default_rate_is_worded_in_the_readers_language(
    client, as_role, db, demo_plan, lang, words
):
    plan = {
        **demo_plan,
        "warnings": ["part OPT-NEW: no failure data and no entered rate; planned with ..."],
        "warning_items": [{"kind": "default_rate", "part": "OPT-NEW", "rate": 0.05}],
    }
    run = _finished(db, plan, PlanSettings())
    html = _run_page(client, as_role, run, lang)
    assert words in html and "OPT-NEW" in html and "0.05" in html


def test_a_what_if_can_hold_the_two_day_clock_to_the_targets_too(client, as_role, db):
    from models.jobs import Job

    as_role("admin")
    post_form(client, "/prefs", {"lang": "en"}, page="/planning")
    post_form(
        client,
        "/planning/runs",
        {"target_7x24": "97", "spare_too": "on", "label": "both clocks"},
        page="/planning",
    )
    job = db.scalar(select(Job).where(Job.kind == "planning_run"))
    assert job.params["targets"]["7x24"] == 0.97
    assert job.params["other_clock_targets"] == job.params["targets"]
    db.rollback()  # end this test's read transaction: SQLite would keep the writer waiting
    html = client.get("/planning").get_data(as_text=True)
    assert 'id="spare-too"' in html and "Hold the 2-working-day fill rates" in html


@pytest.mark.parametrize(("lang", "money"), [("zh", "¥1,234.50"), ("en", "CN¥1,234.50")])
def test_a_stock_value_reads_the_same_on_the_page_and_in_its_pdf(
    client, as_role, db, demo_plan, lang, money
):
    import re
    from io import BytesIO

    from pypdf import PdfReader

    summary = {**demo_plan["summary"], "stock_value_current": 1234.5}
    plan = {**demo_plan, "summary": summary}
    run = _finished(db, plan, PlanSettings())
    html = _run_page(client, as_role, run, lang)
    assert f"<dd>{money}</dd>" in html

    link = re.search(rf'id="plan-pdf-{lang}" href="([^"]+)"', html).group(1)
    pdf = client.get(link.replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert money in text
