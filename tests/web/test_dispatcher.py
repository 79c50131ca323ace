"""The dispatcher board: clocks that tick, ranked options confirmed in one click, a map,
day routes, overdue returns and escalations."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import Rma, Ticket, utcnow
from tests.web.conftest import csrf_of, delivered_rma, open_ticket, post_form


@pytest.fixture
def dispatcher(app, as_role):
    with app.app_context():
        return as_role("dispatcher")


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _ticket(db, number: str) -> Ticket:
    db.expire_all()
    ticket = db.scalar(select(Ticket).where(Ticket.number == number))
    facts = {
        "status": ticket.status,
        "response_due": ticket.response_due,
        "engineer_id": ticket.engineer_id,
        "restore_due": ticket.restore_due,
    }
    db.rollback()
    return facts


def map_data(page: str) -> dict:
    """What the page's map draws (the JSON app/static/js/map.js reads)."""
    start = page.index('<script type="application/json" id="map-data">')
    start = page.index(">", start) + 1
    return json.loads(page[start : page.index("</script>", start)])


def test_open_tickets_show_live_clocks_from_their_utc_deadlines(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db)
    facts = _ticket(db, number)
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    row = page[page.index(f'data-ticket="{number}"') :]
    row = row[: row.index("</tr>")]
    assert f'data-deadline="{_iso(facts["response_due"])}"' in row
    assert f'data-deadline="{_iso(facts["restore_due"])}"' in row
    assert 'data-clock="onsite"' in row


def test_the_most_urgent_ticket_comes_first(app, dispatcher, db):
    with app.app_context():
        p4 = open_ticket(db, severity="P4", site="C002-S1")
        p1 = open_ticket(db, severity="P1", site="C003-S1")
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    assert page.index(f'data-ticket="{p1}"') < page.index(f'data-ticket="{p4}"')


def test_a_p1_ticket_is_dispatched_with_the_top_option_in_one_click(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db, severity="P1")
    page = dispatcher.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    assert 'data-rank="1"' in page and 'id="confirm-1"' in page
    engineer = re.search(r'data-rank="1" data-engineer="([^"]+)"', page).group(1)
    form = page[page.index('id="options"') :]
    form = form[form.index("<form") : form.index("</form>")]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    response = dispatcher.post(f"/dispatch/tickets/{number}/dispatch", data=fields)
    assert response.status_code == 302
    page = dispatcher.get(response.location).get_data(as_text=True)
    assert "已派单" in page and engineer in page
    assert _ticket(db, number)["status"] == "dispatched"
    rma = db.scalar(select(Rma).where(Rma.service_number == number))
    assert rma.status == "allocated" and rma.replacement_serial
    db.rollback()
    again = dispatcher.post(f"/dispatch/tickets/{number}/dispatch", data=fields)
    assert "派单失败" in dispatcher.get(again.location).get_data(as_text=True)


def test_confirming_without_the_csrf_token_is_refused(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db)
    page = dispatcher.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    engineer = re.search(r'data-rank="1" data-engineer="([^"]+)"', page).group(1)
    response = dispatcher.post(
        f"/dispatch/tickets/{number}/dispatch", data={"engineer": engineer, "mode": "pickup"}
    )
    assert response.status_code == 400
    assert _ticket(db, number)["status"] == "new"


def test_options_show_legs_verdicts_and_the_route_on_the_map(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db)
    page = dispatcher.get(f"/dispatch/tickets/{number}").get_data(as_text=True)
    assert 'class="legs"' in page and 'class="verdicts"' in page
    drawn = map_data(page)
    assert any(line["kind"] == "route" for line in drawn["lines"])
    assert any(p["kind"] == "site" and p["label"] == number for p in drawn["points"])


def test_acknowledging_stops_the_response_clock(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db, severity="P3")
    response = post_form(
        dispatcher,
        f"/dispatch/tickets/{number}/acknowledge",
        {},
        page=f"/dispatch/tickets/{number}",
    )
    page = dispatcher.get(response.location).get_data(as_text=True)
    assert 'data-clock="response" data-level="met"' in page
    assert _ticket(db, number)["status"] == "acknowledged"


def test_a_fault_report_taken_by_phone_opens_a_ticket_with_clocks(dispatcher, db):
    response = post_form(
        dispatcher,
        "/dispatch/tickets",
        {
            "site": "C001-S1",
            "severity": "P2",
            "channel": "phone",
            "part_number": "SRV-2288-PSU",
            "symptom": "PSU alarm",
        },
        page="/dispatch/",
    )
    assert response.status_code == 302 and "/dispatch/tickets/TKT-" in response.location
    page = dispatcher.get(response.location).get_data(as_text=True)
    assert "PSU alarm" in page and 'data-clock="restore"' in page


def test_the_board_map_draws_depots_engineers_and_ticket_sites(app, dispatcher, db):
    with app.app_context():
        open_ticket(db)
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    kinds = [p["kind"] for p in map_data(page)["points"]]
    assert kinds.count("depot") == 18 and "engineer" in kinds and "site" in kinds


def test_overdue_returns_are_listed_with_how_late_they_are(app, dispatcher, db):
    rma = delivered_rma(db, "LATE-0001", now=utcnow() - timedelta(days=4))
    page = dispatcher.get("/dispatch/alerts").get_data(as_text=True)
    assert f'data-rma="{rma.number}"' in page and "LATE-0001" in page


def test_escalations_appear_after_the_sweep(app, dispatcher, db):
    from inventory.sweep import sweep

    with app.app_context():
        number = open_ticket(db, now=utcnow() - timedelta(hours=3))
    sweep(db, now=utcnow())
    db.rollback()
    page = dispatcher.get("/dispatch/alerts").get_data(as_text=True)
    assert number in page and "升级" in page


def _next_working_day(today: str) -> str:
    """The next Monday-to-Friday after ``today``: planned from the shifts' start, so the
    plan does not depend on the hour the test runs at (today's plan starts from now)."""
    from datetime import date

    day = date.fromisoformat(today) + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day.isoformat()


def _plan_routes(dispatcher, *tickets: str) -> tuple[str, str]:
    """Plan the next working day's routes of BJ01 with ``tickets`` from the routes page and
    wait for the planning job: (the page once the job has finished, its URL)."""
    page = dispatcher.get("/dispatch/routes?depot=BJ01").get_data(as_text=True)
    response = dispatcher.post(
        "/dispatch/routes",
        data={
            "depot": "BJ01",
            "date": _next_working_day(re.search(r'name="date" value="([^"]+)"', page).group(1)),
            "ticket": list(tickets),
            "csrf_token": csrf_of(page),
        },
    )
    assert response.status_code == 302 and "job=" in response.location
    for _ in range(60):
        page = dispatcher.get(response.location).get_data(as_text=True)
        if 'data-job-status="queued"' not in page and 'data-job-status="running"' not in page:
            break
        time.sleep(0.5)
    return page, response.location


def test_engineers_day_routes_are_planned_and_shown_with_stop_times(app, dispatcher, db):
    with app.app_context():
        number = open_ticket(db, severity="P2", site="C001-S1", part_number=None)
    page = dispatcher.get("/dispatch/routes?depot=BJ01").get_data(as_text=True)
    assert f'value="{number}" checked' in page
    page, plan_url = _plan_routes(dispatcher, number)
    assert 'data-job-status="succeeded"' in page, page[page.find('id="plan"') :][:500]
    assert number in page and "route-table" in page
    assert any(line["kind"] == "day-route" for line in map_data(page)["lines"])
    post_form(dispatcher, "/prefs", {"lang": "en"}, page="/dispatch/")
    page = dispatcher.get(plan_url).get_data(as_text=True)
    assert '<html lang="en">' in page and "Leave base" in page


def test_the_engineer_sees_the_job_and_the_way_there_on_a_map(app, client, as_role, db):
    from models import Engineer, User

    with app.app_context():
        number = open_ticket(db, severity="P2", part_number=None)
    engineer = db.scalar(
        select(Engineer).join(User, User.id == Engineer.user_id).where(User.username == "zhang.eng")
    )
    code = engineer.code
    db.rollback()
    from inventory.dispatch_service import confirm_dispatch

    confirm_dispatch(db, number, engineer_code=code, actor="li.disp", mode="engineer")
    as_role("engineer")
    page = client.get("/engineer/").get_data(as_text=True)
    assert f'data-ticket="{number}"' in page
    drawn = map_data(page)  # where to go: the job's site on a map, a route to it
    assert any(p["kind"] == "site" and p["label"] == number for p in drawn["points"])
    assert any(line["kind"] == "route" for line in drawn["lines"])


def test_a_site_picked_on_the_map_is_exact_and_one_given_by_address_is_city_level(
    app, dispatcher, db
):
    from models import Site

    def add(code: str, **fields):
        body = {"customer": "C001", "site_code": code, "site_name": f"机房 {code}", **fields}
        return post_form(dispatcher, "/dispatch/sites", body, page="/dispatch/")

    picked = add("C001-P1", site_address="北京市朝阳区酒仙桥路10号", lat="39.9706", lon="116.4930")
    by_address = add("C001-P2", site_address="北京市朝阳区某某路")
    half = add("C001-P3", site_address="北京市", lat="39.9")
    assert picked.status_code == by_address.status_code == half.status_code == 302
    db.rollback()
    sites = {s.code: s for s in db.scalars(select(Site).where(Site.code.like("C001-P%")))}
    assert (sites["C001-P1"].precision, sites["C001-P1"].lat) == ("exact", 39.9706)
    assert sites["C001-P2"].precision == "city" and sites["C001-P2"].city == "Beijing"
    assert "C001-P3" not in sites  # half a point is refused, naming what is missing
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    assert "纬度和经度需同时填写" in page or "latitude and longitude" in page


def test_an_unserved_stop_is_worded_in_the_readers_language(app, dispatcher, db):
    """A stop no engineer on shift could take is listed with its coded reason in words
    (Chinese first, English after the switch), not the solver's English sentence."""
    from inventory.jobs import create_job
    from models import Job

    with app.app_context():
        job = create_job(db, "route_plan", {"depot": "BJ01"}, actor="li.disp", time_limit_s=1)
        row = db.get(Job, job.id)
        row.status = "succeeded"
        row.result = {
            "status": "solved",
            "planned_at": None,
            "routes": [],
            "unserved": [
                {
                    "stop": "TKT-X",
                    "code": "no_skill",
                    "skill": "video",
                    "reason": "no engineer on shift in the plan has skill 'video'",
                }
            ],
            "total_km": 0,
            "total_travel_minutes": 0,
            "wall_s": 0,
            "first_solution": "ortools",
        }
        db.commit()
    page = dispatcher.get(f"/dispatch/routes?depot=BJ01&job={job.id}").get_data(as_text=True)
    assert 'data-code="no_skill"' in page
    assert "当班工程师中没有人具备技能 video" in page and "no engineer on shift" not in page
    post_form(dispatcher, "/prefs", {"lang": "en"}, page="/dispatch/")
    page = dispatcher.get(f"/dispatch/routes?depot=BJ01&job={job.id}").get_data(as_text=True)
    assert "no engineer on shift has the skill video" in page


def test_a_route_for_a_part_no_van_holds_collects_it_at_a_depot_on_the_way(app, dispatcher, db):
    """A ticket needing a part not yet sourced: no demo van holds one, so the plan shows the
    engineer collecting it at a depot before the site (a pickup row and its depot)."""
    with app.app_context():
        number = open_ticket(db, severity="P2", site="C001-S1", part_number="SRV-2288-PSU")
    page, _ = _plan_routes(dispatcher, number)
    assert 'data-job-status="succeeded"' in page, page[page.find('id="plan"') :][:500]
    found = re.search(rf'<span class="mono">{number}</span> 到 (\w+) 取备件', page)
    assert found, page[page.find('id="plan"') :][:3000]
    assert page.index(found.group(0)) < page.rindex(f'<span class="mono">{number}</span>')


def test_the_routes_page_asks_each_ticket_for_its_parts_tools_and_says_what_is_collected(
    app, dispatcher, db
):
    """A PSU job needs a soldering iron no engineer carries (the part's tools, set by an
    admin): the plan made from the page sends the engineer to a depot for the part and the
    tool before the site; a ticket for a part no van or depot holds is not sent, and the
    page says why."""
    from inventory.vans import set_part_tools
    from tests.builders import make_part

    set_part_tools(db, "SRV-2288-PSU", ["电烙铁"], actor="admin")
    make_part(db, "SRV-NEW-1")
    with app.app_context():
        number = open_ticket(db, severity="P2", site="C001-S1", part_number="SRV-2288-PSU")
        nowhere = open_ticket(db, severity="P2", site="C001-S1", part_number="SRV-NEW-1")
    page, plan_url = _plan_routes(dispatcher, number, nowhere)
    assert 'data-job-status="succeeded"' in page, page[page.find('id="plan"') :][:500]
    found = re.search(
        rf'data-collect-parts="SRV-2288-PSU" data-collect-tools="电烙铁">.*?'
        rf'<span class="mono">{number}</span> 到 (\w+) 取备件 SRV-2288-PSU 和工具 电烙铁',
        page,
    )
    assert found, page[page.find('id="plan"') :][:3000]
    assert page.index(found.group(0)) < page.rindex(f'<span class="mono">{number}</span>')
    assert re.search(rf'data-code="no_part"><span class="mono">{nowhere}</span> · 没有工程师', page)
    post_form(dispatcher, "/prefs", {"lang": "en"}, page="/dispatch/")
    page = dispatcher.get(plan_url).get_data(as_text=True)
    assert f"collect part SRV-2288-PSU and tool 电烙铁 at {found.group(1)}" in page
    assert "no engineer&#39;s van holds the part" in page or "no engineer's van holds" in page


def test_a_stop_the_days_routes_cannot_serve_says_why_in_the_readers_language(app, dispatcher, db):
    from inventory.dispatch_service import confirm_dispatch
    from models import Depot, Engineer
    from tests.web.test_zh_sweep import english_words, visible_text

    with app.app_context():  # a site in Ürümqi, given to an engineer of the Beijing depot
        far = open_ticket(db, severity="P2", site="C016-S1", part_number=None)
        beijing = db.scalar(select(Depot.id).where(Depot.code == "BJ01"))
        engineer = db.scalar(
            select(Engineer.code).where(Engineer.base_depot_id == beijing).order_by(Engineer.code)
        )
        db.rollback()
        confirm_dispatch(db, far, engineer_code=engineer, actor="li.disp", mode="engineer")
    page, _ = _plan_routes(dispatcher, far)
    assert 'data-job-status="succeeded"' in page
    reason = re.search(
        rf'<li data-code="([a-z_]+)"><span class="mono">{far}</span> · ([^<]+)</li>', page
    )
    assert reason, page[page.find('id="plan"') :][:800]
    assert reason.group(1) in ("time_window", "no_room") and "工程师" in reason.group(2)
    assert english_words(visible_text(page)) == []


def test_a_clock_outside_service_hours_says_it_is_paused_and_when_it_resumes(app, dispatcher, db):
    """A 5×8 ticket on a company holiday: its clocks stand still (no countdown ticking),
    the board says so and when they start again; a 7×24 ticket's clocks run."""
    from zoneinfo import ZoneInfo

    from inventory.calendar_days import add_exception

    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    with app.app_context():
        add_exception(db, day=today, name="公司假日", actor="admin")
        paused = open_ticket(db, severity="P2", site="C002-S1")  # 5×8
        running = open_ticket(db, severity="P2", site="C001-S1")  # 7×24
    page = dispatcher.get("/dispatch/").get_data(as_text=True)
    row = page[page.index(f'data-ticket="{paused}"') :]
    row = row[: row.index("</tr>")]
    response = re.search(
        r'<span class="clock paused" data-clock="response"[^>]*>(.*?)</span></span>', row
    )
    assert response, row
    assert "暂停计时" in response.group(1) and "恢复" in response.group(1)
    assert 'data-stopped="paused"' in response.group(0)  # the page's ticking leaves it alone
    other = page[page.index(f'data-ticket="{running}"') :]
    other = other[: other.index("</tr>")]
    assert 'data-clock="response" data-deadline' in other and "暂停" not in other
    post_form(dispatcher, "/prefs", {"lang": "en"}, page="/dispatch/")
    page = dispatcher.get(f"/dispatch/tickets/{paused}").get_data(as_text=True)
    assert "outside service hours: paused until" in page
