"""The engineer's job card: who to call, how to get there, the part to collect at a depot
(pickup mode only) or the courier to meet, the faulty serial to bring back."""

from __future__ import annotations

import re

from sqlalchemy import select

from inventory.dispatch_service import confirm_dispatch
from models import Depot, Engineer, Ticket, User
from tests.web.conftest import open_ticket


def _dispatch_to_zhang(db, number: str, mode: str) -> Depot:
    engineer = db.scalar(
        select(Engineer).join(User, User.id == Engineer.user_id).where(User.username == "zhang.eng")
    )
    engineer.skills = ["server", "storage", "network", "power"]
    engineer.max_open_jobs = 50
    db.commit()
    depot = db.scalar(select(Depot).where(Depot.code == "BJ01"))
    confirm_dispatch(
        db, number, engineer_code=engineer.code, depot_code="BJ01", mode=mode, actor="li.disp"
    )
    db.rollback()
    return depot


def _contact(db, number: str) -> None:
    ticket = db.scalar(select(Ticket).where(Ticket.number == number))
    ticket.contact_name, ticket.contact_phone = "王工", "138 0000 1111"
    db.commit()


def test_a_courier_job_says_meet_the_courier_and_never_sends_the_engineer_to_a_depot(
    app, client, as_role, db
):
    with app.app_context():
        number = open_ticket(db, severity="P2")
    _contact(db, number)
    depot = _dispatch_to_zhang(db, number, "courier")
    as_role("engineer")
    page = client.get(f"/engineer/{number}").get_data(as_text=True)
    assert 'data-mode="courier"' in page
    assert "请在现场与快递会合" in page
    assert depot.address not in page  # no drive to the depot
    assert 'href="tel:13800001111"' in page  # the contact the dispatcher recorded, callable
    amap = re.search(r'class="nav-amap" href="([^"]+)"', page).group(1)
    assert amap.startswith("https://uri.amap.com/marker?position=") and "coordinate=wgs84" in amap
    assert 'class="nav-baidu" href="https://api.map.baidu.com/marker?location=' in page
    assert 'id="signature-pad"' in page and 'data-url="/api/tickets/' in page
    # the SLA countdowns run on the card: on site and restore, with their deadlines
    clocks = re.search(r'<dd class="clocks">(.*?)</dd>', page, re.S).group(1)
    assert 'data-clock="onsite" data-deadline="' in clocks
    assert 'data-clock="restore" data-deadline="' in clocks


def test_a_pickup_job_names_the_depot_to_collect_the_part_from(app, client, as_role, db):
    with app.app_context():
        number = open_ticket(db, severity="P3")
    depot = _dispatch_to_zhang(db, number, "pickup")
    as_role("engineer")
    cards = client.get("/engineer/").get_data(as_text=True)
    card = cards[cards.index(f'data-ticket="{number}"') :]
    assert 'data-mode="pickup"' in card[:200]
    assert depot.address in card and "请在现场与快递会合" not in card[: card.find("</section>")]


def test_the_offline_worker_is_served_for_the_engineer_pages_and_never_kept_stale(client):
    worker = client.get("/engineer/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert worker.headers["Service-Worker-Allowed"] == "/engineer/"
    body = worker.get_data(as_text=True)
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', body).group(1)
    assert "sparelog-engineer-assets-" in body and version
    for kept in ("/static/css/app.css", "/static/js/visit.js", "/static/js/offline.js"):
        assert f'"{kept}"' in body  # stored when the worker installs
    assert '"/engineer/csrf"' in body  # never answered from a cache


def test_the_engineer_pages_register_the_worker_and_the_sign_in_page_forgets_kept_pages(
    app, client, as_role, db
):
    with app.app_context():
        number = open_ticket(db, severity="P3")
    _dispatch_to_zhang(db, number, "pickup")
    as_role("engineer")
    for url in ("/engineer/", f"/engineer/{number}"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="offline-note"' in page and 'data-worker="/engineer/sw.js"' in page
        assert "/static/js/offline.js" in page
    listed = client.get("/engineer/").get_data(as_text=True)
    assert f'data-keep-offline href="/engineer/{number}"' in listed
    login = app.test_client().get("/login").get_data(as_text=True)
    assert 'js/offline.js" defer data-forget' in login


def test_a_van_job_says_take_the_part_from_the_van_and_what_to_bring_back(app, client, as_role, db):
    with app.app_context():
        number = open_ticket(db, severity="P2")
    _dispatch_to_zhang(db, number, "engineer")
    ticket = db.scalar(select(Ticket).where(Ticket.number == number))
    ticket.dispatch_mode = "van"  # the part rides in the engineer's van: no depot, no RMA
    ticket.equipment_serial = "SN-VAN-FAULTY-1"
    db.commit()
    as_role("engineer")
    page = client.get(f"/engineer/{number}").get_data(as_text=True)
    card = page[page.index('data-mode="van"') : page.index("</section>")]
    assert "车载库存" in card and "请在现场与快递会合" not in card and 'class="pickup"' not in card
    assert f'class="mono part-to-install">{ticket.part.part_number}<' in card
    assert f'class="mono bring-back">{ticket.equipment_serial}<' in card


def test_the_observation_shows_its_countdown_while_it_runs_and_says_when_it_ended(
    app, client, as_role, db
):
    from datetime import timedelta

    from inventory import visits
    from models import Visit, utcnow

    with app.app_context():
        number = open_ticket(db, severity="P1")
    _dispatch_to_zhang(db, number, "pickup")
    visits.record_arrival(db, number, engineer_id=None, actor="zhang.eng")
    visit = db.scalar(select(Visit).join(Ticket).where(Ticket.number == number))
    visit.observation_until = utcnow() + timedelta(hours=71)
    db.commit()
    as_role("engineer")
    page = client.get(f"/engineer/{number}").get_data(as_text=True)
    assert 'data-clock="observation"' in page and "观察期已于" not in page
    visit.observation_until = utcnow() - timedelta(minutes=5)
    db.commit()
    page = client.get(f"/engineer/{number}").get_data(as_text=True)
    assert 'data-clock="observation"' not in page  # no "breached" countdown on a watch
    assert "观察期已于" in page and "结束" in page
