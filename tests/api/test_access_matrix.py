"""Who may call what: every route of the app against a table written from the product's
roles (DESIGN.md §1), called by nobody and by each role in turn, on SQLite and PostgreSQL.

The table is not read from the decorators: it says what the product promises, and the
test fails when the code disagrees — or when a route appears that the table does not know.
Denials look the same everywhere: the API answers 401 (no or a bad token) and 403 (a role
outside the rule); pages send anonymous viewers to the sign-in page and answer 403 to
another role. A role the rule allows gets anything else (200, 404 for a made-up number,
422 for a made-up body...).

Then the promises that matter most, each on its own: customers see only their own
tickets, RMAs and documents (another customer's answer exactly like numbers that do not
exist), warehouse staff cannot close tickets, dispatchers cannot edit the part catalogue,
engineers move only their own jobs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth import issue_token, set_password
from inventory.accounts import assign_depots
from inventory.dispatch_service import confirm_dispatch
from inventory.installed_base import register_equipment
from inventory.receiving import receive_from_supplier
from inventory.rmas import ACTIONS as RMA_ACTIONS
from inventory.rmas import MoveInput, move_rma
from inventory.tickets import move_ticket, open_ticket
from inventory.transfers import LineRequest, ship_transfer
from models import (
    Customer,
    Engineer,
    Part,
    Rma,
    SerialItem,
    StockPolicy,
    Ticket,
    Transfer,
    User,
    utcnow,
)
from tests.builders import bearer, make_depot, make_user
from tests.service_builders import make_customer, make_engineer, make_world

ROLES = ("admin", "warehouse", "dispatcher", "engineer", "customer")
CALLERS = ("anonymous", *ROLES)
PASSWORD = "matrix-pass-1234"

# --- the product's rules ---------------------------------------------------------------------

PUBLIC = frozenset(CALLERS)


def may(*roles: str) -> frozenset[str]:
    """The roles that may call: these and admin, who configures everything (DESIGN §1)."""
    return frozenset(roles) | {"admin"}


ADMIN = may()
WAREHOUSE = may("warehouse")
DISPATCHER = may("dispatcher")
STAFF = may("warehouse", "dispatcher", "engineer")  # the company's people, not its customers
EVERYONE = may(
    "warehouse", "dispatcher", "engineer", "customer"
)  # signed in (customers: their own)
DOCUMENTS = EVERYONE  # papers of an RMA or ticket: staff, its engineer, its customer
MONTHLY_REPORT = may("warehouse", "dispatcher", "customer")  # a customer's month: not engineers

# the RMA moves: one rule, its action one of the table's
RMA_MOVE_RULE = f"/api/rmas/<ref>/<any({', '.join(RMA_ACTIONS)}):action>"

# One entry per (method, rule). A dict instead of a set gives the roles per value of a
# path variable that selects the action (each RMA move has its own actors).
EXPECTED: dict[tuple[str, str], frozenset[str] | dict[str, frozenset[str]]] = {
    # public: health, the API description and docs, tracking by code, signing in
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs-assets/<path:filename>"): PUBLIC,
    ("GET", "/api/track/<path:code>"): PUBLIC,
    ("GET", "/track"): PUBLIC,
    ("GET", "/track/lookup"): PUBLIC,
    ("GET", "/track/<code>"): PUBLIC,
    ("GET", "/track/<code>/return-label.pdf"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/welcome/<token>"): PUBLIC,  # a signed link: 404 unless it is a good one
    ("POST", "/welcome/<token>"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("POST", "/prefs"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/static/<path:filename>"): PUBLIC,
    ("GET", "/static/vendor/leaflet/<path:filename>"): PUBLIC,
    # who am I; accounts and tokens are the admin's
    ("GET", "/api/me"): EVERYONE,
    ("DELETE", "/api/me/token"): EVERYONE,
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("GET", "/api/users/<username>"): ADMIN,
    ("PATCH", "/api/users/<username>"): ADMIN,
    ("GET", "/api/users/<username>/tokens"): ADMIN,
    ("POST", "/api/users/<username>/tokens"): ADMIN,
    ("DELETE", "/api/users/<username>/tokens/<int:token_id>"): ADMIN,
    # depots and the part catalogue: configured by the admin, read by staff; reorder
    # points are kept by the warehouse that holds the stock
    ("GET", "/api/depots"): STAFF,
    ("GET", "/api/depots/<code>"): STAFF,
    ("POST", "/api/depots"): ADMIN,
    ("PATCH", "/api/depots/<code>"): ADMIN,
    ("GET", "/api/calendar/exceptions"): STAFF,
    ("GET", "/api/depots/<code>/bin-labels.pdf"): WAREHOUSE,
    ("GET", "/api/transfers/<number>/item-labels.pdf"): WAREHOUSE,
    ("GET", "/api/transfers/<number>/pick-list.pdf"): WAREHOUSE,
    ("GET", "/api/transfers/<number>/delivery-note.pdf"): WAREHOUSE,
    ("POST", "/api/calendar/exceptions"): ADMIN,
    ("DELETE", "/api/calendar/exceptions/<int:exception_id>"): ADMIN,
    ("GET", "/api/webhooks"): ADMIN,
    ("POST", "/api/webhooks"): ADMIN,
    ("GET", "/api/webhooks/<name>"): ADMIN,
    ("PATCH", "/api/webhooks/<name>"): ADMIN,
    ("GET", "/api/webhooks/<name>/deliveries"): ADMIN,
    ("POST", "/api/webhooks/<name>/ping"): ADMIN,
    ("GET", "/api/parts"): STAFF,
    ("GET", "/api/parts/<part_number>"): STAFF,
    ("POST", "/api/parts"): ADMIN,
    ("PATCH", "/api/parts/<part_number>"): ADMIN,
    ("PUT", "/api/parts/<part_number>/policies/<depot_code>"): WAREHOUSE,
    ("GET", "/api/parts/<part_number>/supersession"): STAFF,
    ("PUT", "/api/parts/<part_number>/supersession"): ADMIN,
    ("GET", "/api/parts/<part_number>/tools"): STAFF,
    ("PUT", "/api/parts/<part_number>/tools"): ADMIN,
    # contracts and SLA policies: the admin's; customers read their own
    ("GET", "/api/contracts"): EVERYONE,
    ("POST", "/api/contracts"): ADMIN,
    ("PATCH", "/api/contracts/<code>"): ADMIN,
    # customers, sites and installed base: taken in by dispatchers with the fault reports
    ("GET", "/api/customers"): EVERYONE,
    ("POST", "/api/customers"): DISPATCHER,
    ("PATCH", "/api/customers/<code>"): DISPATCHER,
    ("PATCH", "/api/sites/<code>"): DISPATCHER,
    ("GET", "/api/customers/<code>"): EVERYONE,
    ("GET", "/api/customers/<code>/monthly-report.pdf"): MONTHLY_REPORT,
    ("GET", "/api/sites"): EVERYONE,
    ("POST", "/api/sites"): DISPATCHER,
    ("GET", "/api/equipment"): EVERYONE,
    ("POST", "/api/equipment"): may("dispatcher", "warehouse"),
    # the warehouse's stock ledger; staff read it
    ("POST", "/api/stock/receipts"): WAREHOUSE,
    ("POST", "/api/stock/receipts/import"): WAREHOUSE,
    ("POST", "/api/stock/adjustments"): WAREHOUSE,
    ("POST", "/api/stock/counts"): WAREHOUSE,
    ("POST", "/api/stock/scrap"): WAREHOUSE,
    ("POST", "/api/stock/reservations"): may("warehouse", "dispatcher"),
    ("GET", "/api/stock/below-reorder"): STAFF,
    ("GET", "/api/stock/reorder-proposals"): may("warehouse", "dispatcher"),
    ("POST", "/api/stock/reorder-proposals/accept"): may("warehouse", "dispatcher"),
    ("GET", "/api/items/<serial>"): STAFF,
    ("GET", "/api/availability"): STAFF,
    ("GET", "/api/movements"): STAFF,
    # counts are documents of the warehouse that holds the stock; staff read them
    ("POST", "/api/counts"): WAREHOUSE,
    ("GET", "/api/counts"): STAFF,
    ("GET", "/api/counts/<number>"): STAFF,
    ("POST", "/api/counts/<number>/lines"): WAREHOUSE,
    ("POST", "/api/counts/<number>/submit"): WAREHOUSE,
    ("POST", "/api/counts/<number>/recount"): WAREHOUSE,
    ("POST", "/api/counts/<number>/approve"): WAREHOUSE,
    ("POST", "/api/counts/<number>/post"): WAREHOUSE,
    ("POST", "/api/counts/<number>/cancel"): WAREHOUSE,
    ("POST", "/api/transfers"): WAREHOUSE,
    ("POST", "/api/transfers/<number>/receive"): WAREHOUSE,
    ("GET", "/api/transfers"): STAFF,
    ("GET", "/api/transfers/<number>/discrepancies"): STAFF,
    ("POST", "/api/transfers/<number>/discrepancies/<int:discrepancy_id>/resolve"): WAREHOUSE,
    ("POST", "/api/repair-batches"): WAREHOUSE,
    ("POST", "/api/repair-batches/<number>/receive"): WAREHOUSE,
    ("GET", "/api/repair-batches"): STAFF,
    ("GET", "/api/repair-batches/turnaround"): STAFF,
    ("GET", "/api/repair-batches/<number>"): STAFF,
    # fault tickets: reported by customers and dispatchers, dispatched by dispatchers,
    # worked by engineers, closed by the customer (or a dispatcher taking the answer by phone)
    ("POST", "/api/tickets"): may("dispatcher", "customer"),
    ("GET", "/api/tickets"): EVERYONE,
    ("GET", "/api/tickets/<ref>"): EVERYONE,
    ("GET", "/api/tickets/<ref>/events"): EVERYONE,
    ("POST", "/api/tickets/<ref>/<any(acknowledge, arrive, resolve):action>"): {
        "acknowledge": may("dispatcher", "engineer"),
        "arrive": may("dispatcher", "engineer"),
        "resolve": may("dispatcher", "engineer"),
    },
    ("POST", "/api/tickets/<ref>/cancel"): DISPATCHER,
    ("POST", "/api/tickets/<ref>/severity"): DISPATCHER,
    ("POST", "/api/tickets/<ref>/reassign"): DISPATCHER,
    ("POST", "/api/tickets/<ref>/close"): may("customer", "dispatcher"),
    ("GET", "/api/tickets/<ref>/dispatch-options"): DISPATCHER,
    ("POST", "/api/tickets/<ref>/dispatch"): DISPATCHER,
    ("POST", "/api/dispatch/options"): DISPATCHER,
    ("GET", "/api/tickets/<number>/fault-report.pdf"): DOCUMENTS,
    ("GET", "/api/tickets/<number>/service-sheet.pdf"): DOCUMENTS,
    # the engineer's visit: recorded by the engineer sent; the dispatcher follows it
    ("GET", "/api/tickets/<ref>/visit"): may("engineer", "dispatcher"),
    ("POST", "/api/tickets/<ref>/visit/arrival"): may("engineer"),
    ("POST", "/api/tickets/<ref>/visit/work"): may("engineer"),
    ("POST", "/api/tickets/<ref>/visit/parts"): may("engineer"),
    ("POST", "/api/tickets/<ref>/visit/photos"): may("engineer"),
    ("GET", "/api/tickets/<ref>/visit/photos/<int:photo_id>"): may("engineer", "dispatcher"),
    ("POST", "/api/tickets/<ref>/visit/signature"): may("engineer"),
    # engineers' vans: stocked by the warehouse, received and used by their engineer,
    # seen by dispatchers; return rules and vendor sites are configuration (the admin's)
    ("GET", "/api/vans"): may("warehouse", "dispatcher"),
    ("GET", "/api/engineers/<engineer>/tools"): may("warehouse", "dispatcher"),
    ("PUT", "/api/engineers/<engineer>/tools"): ADMIN,
    ("GET", "/admin/engineers"): ADMIN,
    ("POST", "/admin/engineers/<code>/tools"): ADMIN,
    ("GET", "/api/vans/<engineer>"): STAFF,
    ("PUT", "/api/vans/<engineer>/levels/<part_number>"): WAREHOUSE,
    ("GET", "/api/vans/<engineer>/proposal"): may("warehouse", "dispatcher"),
    ("POST", "/api/vans/<engineer>/proposal/accept"): WAREHOUSE,
    ("GET", "/api/depots/<code>/van-pick-list"): WAREHOUSE,
    ("POST", "/api/vans/<engineer>/replenish"): WAREHOUSE,
    ("POST", "/api/vans/transfers/<number>/receive"): may("engineer"),
    ("POST", "/api/vans/<engineer>/counts"): may("engineer", "warehouse"),
    ("POST", "/api/tickets/<ref>/visit/parts/consumed"): may("engineer"),
    ("POST", "/api/tickets/<ref>/visit/parts/removed"): may("engineer"),
    ("GET", "/api/tickets/<ref>/parts"): STAFF,
    ("GET", "/api/return-rules"): STAFF,
    ("POST", "/api/return-rules"): ADMIN,
    ("POST", "/api/return-rules/<int:rule_id>/active"): ADMIN,
    ("POST", "/api/vendor-locations"): ADMIN,
    ("GET", "/api/part-returns"): STAFF,
    ("POST", "/api/part-returns/<number>/ship"): may("engineer"),
    ("POST", "/api/part-returns/<number>/receive"): WAREHOUSE,
    ("GET", "/api/warranty-terms"): STAFF,
    ("POST", "/api/warranty-terms"): ADMIN,
    ("GET", "/api/rtvs"): may("warehouse", "dispatcher"),
    ("POST", "/api/rtvs"): WAREHOUSE,
    ("GET", "/api/rtvs/ageing"): may("warehouse", "dispatcher"),
    ("GET", "/api/rtvs/vendor-report"): may("warehouse", "dispatcher"),
    ("GET", "/api/rtvs/<number>"): may("warehouse", "dispatcher"),
    ("POST", "/api/rtvs/<number>/ship"): WAREHOUSE,
    ("POST", "/api/rtvs/<number>/receive"): WAREHOUSE,
    ("POST", "/api/rtvs/<number>/credit"): WAREHOUSE,
    # RMAs: each move by the people who do it in the flows of DESIGN §3
    ("POST", "/api/rmas"): may("dispatcher", "warehouse", "customer"),
    ("GET", "/api/rmas"): EVERYONE,
    ("GET", "/api/rmas/<ref>"): EVERYONE,
    ("GET", "/api/rmas/<ref>/events"): EVERYONE,
    ("POST", RMA_MOVE_RULE): {
        "approve": DISPATCHER,
        "reject": DISPATCHER,
        "allocate": may("dispatcher", "warehouse"),
        "ship": may("warehouse", "engineer"),
        "deliver": may("engineer", "dispatcher", "warehouse"),
        "request_return": DISPATCHER,
        "return_faulty": may("customer", "engineer", "dispatcher"),
        "receive_faulty": WAREHOUSE,
        "start_repair": WAREHOUSE,
        "finish_repair": WAREHOUSE,
        "cancel": may("dispatcher", "customer"),
        "close": may("dispatcher", "customer"),
    },
    ("GET", "/api/rmas/<number>/repair-form.pdf"): DOCUMENTS,
    ("GET", "/api/rmas/<number>/packing-slip.pdf"): DOCUMENTS,
    ("GET", "/api/rmas/<number>/return-label.pdf"): DOCUMENTS,
    # planning: the dispatcher's; engineers read their day's plan
    ("POST", "/api/route-plans"): DISPATCHER,
    ("GET", "/api/route-plans/<job_id>"): may("dispatcher", "engineer"),
    # the service-parts plan is the service manager's (admin); the warehouse reads it
    ("POST", "/api/planning/runs"): ADMIN,
    ("GET", "/api/planning/runs/<job_id>"): WAREHOUSE,
    ("POST", "/api/planning/runs/<job_id>/accept"): ADMIN,
    ("GET", "/api/planning/runs/<job_id>/plan.pdf"): WAREHOUSE,
    ("GET", "/planning"): WAREHOUSE,
    ("POST", "/planning/runs"): ADMIN,
    ("POST", "/planning/runs/<job_id>/accept"): ADMIN,
    ("POST", "/api/allocations"): DISPATCHER,
    # the knowledge base: searched at the ticket by dispatchers and engineers, written and
    # approved by the admin (the editor)
    ("GET", "/api/knowledge/search"): may("dispatcher", "engineer"),
    ("GET", "/api/knowledge/articles"): may("dispatcher", "engineer"),
    ("POST", "/api/knowledge/articles"): ADMIN,
    ("PUT", "/api/knowledge/articles/<number>"): ADMIN,
    ("POST", "/api/knowledge/articles/<number>/approve"): ADMIN,
    # the audit trail of every change: the admin's
    ("GET", "/api/audit"): ADMIN,
    # pages
    ("GET", "/warehouse/"): WAREHOUSE,
    ("POST", "/warehouse/act/<action>"): WAREHOUSE,
    ("POST", "/warehouse/depot"): WAREHOUSE,
    ("GET", "/warehouse/import"): WAREHOUSE,
    ("POST", "/warehouse/import"): WAREHOUSE,
    ("GET", "/warehouse/import/template.csv"): WAREHOUSE,
    ("GET", "/warehouse/transfers/<number>"): WAREHOUSE,
    ("POST", "/warehouse/transfers/<number>/receive"): WAREHOUSE,
    ("POST", "/warehouse/transfers/<number>/discrepancies/<int:discrepancy_id>"): WAREHOUSE,
    ("GET", "/warehouse/reorder"): may("warehouse", "dispatcher"),
    ("POST", "/warehouse/reorder/accept"): may("warehouse", "dispatcher"),
    ("GET", "/warehouse/reorder/export.csv"): may("warehouse", "dispatcher"),
    ("GET", "/warehouse/reorder/export.xlsx"): may("warehouse", "dispatcher"),
    ("GET", "/warehouse/counts/"): WAREHOUSE,
    ("POST", "/warehouse/counts/"): WAREHOUSE,
    ("GET", "/warehouse/counts/<number>"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/record"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/submit"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/recount"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/approve"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/post"): WAREHOUSE,
    ("POST", "/warehouse/counts/<number>/cancel"): WAREHOUSE,
    ("GET", "/dispatch/"): DISPATCHER,
    ("GET", "/dispatch/alerts"): DISPATCHER,
    ("GET", "/dispatch/routes"): DISPATCHER,
    ("POST", "/dispatch/routes"): DISPATCHER,
    ("POST", "/dispatch/tickets"): DISPATCHER,
    ("POST", "/dispatch/sites"): DISPATCHER,
    # the administration pages: the admin's only
    ("GET", "/admin/"): ADMIN,
    ("GET", "/admin/contracts"): ADMIN,
    ("GET", "/admin/contracts/new"): ADMIN,
    ("POST", "/admin/contracts/new"): ADMIN,
    ("GET", "/admin/contracts/<code>"): ADMIN,
    ("POST", "/admin/contracts/<code>"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("GET", "/admin/users/<username>"): ADMIN,
    ("POST", "/admin/users/<username>"): ADMIN,
    ("POST", "/admin/users/<username>/tokens"): ADMIN,
    ("POST", "/admin/users/<username>/link"): ADMIN,
    ("POST", "/admin/users/<username>/tokens/<int:token_id>/revoke"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    ("GET", "/admin/parts"): ADMIN,
    ("POST", "/admin/parts"): ADMIN,
    ("GET", "/admin/parts/<part_number>"): ADMIN,
    ("POST", "/admin/parts/<part_number>/policies/<depot_code>"): ADMIN,
    ("POST", "/admin/parts/<part_number>/supersession"): ADMIN,
    ("POST", "/admin/parts/<part_number>/tools"): ADMIN,
    ("POST", "/admin/parts/<part_number>"): ADMIN,
    ("GET", "/admin/depots"): ADMIN,
    ("POST", "/admin/depots"): ADMIN,
    ("GET", "/admin/calendar"): ADMIN,
    ("POST", "/admin/calendar"): ADMIN,
    ("POST", "/admin/calendar/<int:exception_id>/remove"): ADMIN,
    ("GET", "/admin/webhooks"): ADMIN,
    ("GET", "/admin/customers"): ADMIN,
    ("POST", "/admin/customers"): ADMIN,
    ("GET", "/admin/customers/<code>"): ADMIN,
    ("POST", "/admin/customers/<code>"): ADMIN,
    ("POST", "/admin/customers/<code>/sites"): ADMIN,
    ("GET", "/admin/sites/<code>"): ADMIN,
    ("POST", "/admin/sites/<code>"): ADMIN,
    ("GET", "/admin/depots/<code>"): ADMIN,
    ("POST", "/admin/depots/<code>"): ADMIN,
    ("POST", "/admin/webhooks"): ADMIN,
    ("GET", "/admin/webhooks/<name>"): ADMIN,
    ("POST", "/admin/webhooks/<name>"): ADMIN,
    ("GET", "/dispatch/tickets/<ref>"): DISPATCHER,
    ("POST", "/dispatch/tickets/<ref>/acknowledge"): DISPATCHER,
    ("POST", "/dispatch/tickets/<ref>/dispatch"): DISPATCHER,
    ("GET", "/vans/"): may("warehouse", "dispatcher"),
    ("GET", "/rtv/"): may("warehouse", "dispatcher"),
    ("POST", "/rtv/"): WAREHOUSE,
    ("GET", "/rtv/<number>"): may("warehouse", "dispatcher"),
    ("POST", "/rtv/<number>/ship"): WAREHOUSE,
    ("POST", "/rtv/<number>/receive"): WAREHOUSE,
    ("POST", "/rtv/<number>/credit"): WAREHOUSE,
    ("POST", "/rtv/terms"): ADMIN,
    ("POST", "/vans/replenish"): WAREHOUSE,
    ("POST", "/vans/rules"): ADMIN,
    ("POST", "/vans/rules/<int:rule_id>/active"): ADMIN,
    ("POST", "/vans/levels"): WAREHOUSE,
    ("POST", "/vans/levels/propose"): WAREHOUSE,
    ("POST", "/vans/returns/<number>/receive"): WAREHOUSE,
    ("GET", "/vans/mine"): may("engineer"),
    ("POST", "/vans/transfers/<number>/receive"): may("engineer"),
    ("POST", "/vans/count"): may("engineer"),
    ("POST", "/vans/returns/<number>/ship"): may("engineer"),
    ("POST", "/vans/jobs/<ref>/consumed"): may("engineer"),
    ("POST", "/vans/jobs/<ref>/removed"): may("engineer"),
    ("GET", "/engineer/"): may("engineer"),
    ("GET", "/engineer/<ref>"): may("engineer"),
    ("GET", "/engineer/csrf"): may("engineer"),
    ("GET", "/engineer/sw.js"): PUBLIC,  # the offline worker's script: code, no data
    ("GET", "/my/rmas"): may("customer"),
    ("GET", "/my/"): may("customer"),
    ("GET", "/my/report"): may("customer"),
    ("POST", "/my/report"): may("customer"),
    ("GET", "/my/repair"): may("customer"),
    ("POST", "/my/repair"): may("customer"),
    ("POST", "/my/tickets/<ref>/close"): may("customer"),
    # customer problems and complaints: the customer's own, kept by dispatchers
    ("GET", "/api/departments"): DISPATCHER,
    ("POST", "/api/departments"): ADMIN,
    ("GET", "/api/complaints"): may("dispatcher", "customer"),
    ("POST", "/api/complaints"): may("dispatcher", "customer"),
    ("GET", "/api/complaints/<number>"): may("dispatcher", "customer"),
    ("GET", "/api/complaints/<number>/log"): may("dispatcher", "customer"),
    ("POST", "/api/complaints/<number>/respond"): DISPATCHER,
    ("POST", "/api/complaints/<number>/supervision"): DISPATCHER,
    ("POST", "/api/complaints/<number>/resolve"): DISPATCHER,
    ("POST", "/api/complaints/<number>/opinion"): may("customer"),
    ("GET", "/api/indicators"): DISPATCHER,
    ("GET", "/api/customers/<code>/service-files"): may("dispatcher", "customer"),
    ("POST", "/api/customers/<code>/service-files"): DISPATCHER,
    ("GET", "/api/customers/<code>/service-files/<period>.pdf"): may("dispatcher", "customer"),
    ("GET", "/reports/indicators"): DISPATCHER,
    ("GET", "/reports/indicators.csv"): DISPATCHER,
    ("GET", "/reports/indicators.xlsx"): DISPATCHER,
    ("GET", "/my/service-files/"): may("customer"),
    ("GET", "/my/service-files/<period>.pdf"): may("customer"),
    ("GET", "/my/complaints"): may("customer"),
    ("POST", "/my/complaints"): may("customer"),
    ("GET", "/my/complaints/<number>"): may("customer"),
    ("POST", "/my/complaints/<number>/opinion"): may("customer"),
    ("GET", "/complaints/departments"): ADMIN,
    ("POST", "/complaints/departments"): ADMIN,
    ("GET", "/complaints/"): DISPATCHER,
    ("POST", "/complaints/"): DISPATCHER,
    ("GET", "/complaints/<number>"): DISPATCHER,
    ("POST", "/complaints/<number>/<any(respond, supervise, resolve):action>"): {
        "respond": DISPATCHER,
        "supervise": DISPATCHER,
        "resolve": DISPATCHER,
    },
    ("GET", "/documents/rma/<number>/repair-form.pdf"): DOCUMENTS,
    ("GET", "/documents/rma/<number>/packing-slip.pdf"): DOCUMENTS,
    ("GET", "/documents/rma/<number>/return-label.pdf"): DOCUMENTS,
    ("GET", "/documents/ticket/<number>/fault-report.pdf"): DOCUMENTS,
    ("GET", "/documents/ticket/<number>/service-sheet.pdf"): DOCUMENTS,
    ("GET", "/documents/customer/<code>/monthly-report.pdf"): MONTHLY_REPORT,
    ("GET", "/documents/depot/<code>/bin-labels.pdf"): WAREHOUSE,
    ("GET", "/documents/transfer/<number>/item-labels.pdf"): WAREHOUSE,
    ("GET", "/documents/transfer/<number>/pick-list.pdf"): WAREHOUSE,
    ("GET", "/documents/transfer/<number>/delivery-note.pdf"): WAREHOUSE,
    # preventive inspections (issue 17): programmes (admin), the year (dispatcher), the visit
    # on site (its engineer), the calendar and the report (customers: their own)
    ("GET", "/api/contracts/<code>/inspection-programme"): DISPATCHER,
    ("PUT", "/api/contracts/<code>/inspection-programme"): ADMIN,
    ("POST", "/api/contracts/<code>/inspections"): DISPATCHER,
    ("GET", "/api/inspections"): EVERYONE,
    ("GET", "/api/inspections/<number>"): EVERYONE,
    ("PUT", "/api/inspections/<number>/engineer"): DISPATCHER,
    ("POST", "/api/inspections/<number>/arrival"): may("engineer"),
    ("POST", "/api/inspections/<number>/checklist"): may("engineer"),
    ("POST", "/api/inspections/<number>/findings"): may("engineer"),
    ("POST", "/api/inspections/<number>/photos"): may("engineer"),
    ("GET", "/api/inspections/<number>/photos/<int:photo_id>"): may("engineer", "dispatcher"),
    ("POST", "/api/inspections/<number>/signature"): may("engineer"),
    ("POST", "/api/inspections/<number>/report"): may("engineer", "dispatcher"),
    ("GET", "/api/inspections/<number>/report.pdf"): DOCUMENTS,
    ("GET", "/inspections/programme/<code>"): ADMIN,
    ("POST", "/inspections/programme/<code>"): ADMIN,
    ("POST", "/inspections/programme/<code>/generate"): DISPATCHER,
    ("GET", "/inspections/calendar"): may("dispatcher", "engineer", "customer"),
    ("GET", "/engineer/inspections/<number>"): may("engineer"),
    ("GET", "/documents/inspection/<number>/report.pdf"): DOCUMENTS,
}
# the variable that picks the action, per rule with per-action roles
ACTION_VARIABLE = "action"


def test_the_rma_moves_in_the_table_are_the_moves_the_rma_knows():
    assert set(EXPECTED[("POST", RMA_MOVE_RULE)]) == set(RMA_ACTIONS)


# --- the world: two customers, each with a ticket, an RMA and its documents ------------------


@dataclass(frozen=True)
class CustomerFlow:
    code: str
    site: str
    ticket: str
    rma: str
    tracking_code: str


@dataclass(frozen=True)
class World:
    mine: CustomerFlow  # the customer the "customer" role belongs to
    theirs: CustomerFlow
    depot: str
    part: str
    engineer: str


def _walk(
    db, code: str, site: str, equipment: str, part: str, depot: str, engineer: str
) -> CustomerFlow:
    """A P2 fault at ``site`` dispatched with an advance replacement, shipped, delivered,
    and the ticket resolved on site: every document exists, the faulty unit is due back."""
    ticket = open_ticket(
        db,
        site_code=site,
        severity="P2",
        channel="phone",
        symptom="PSU dead",
        actor="li.disp",
        equipment_serial=equipment,
        part_number=part,
    ).number
    rma = confirm_dispatch(
        db, ticket, engineer_code=engineer, actor="li.disp", depot_code=depot
    ).rma_number
    move_rma(db, rma, "ship", actor="wang.wh", given=MoveInput(carrier="SF", waybill="SF100"))
    move_rma(db, rma, "deliver", actor="zhang.eng")
    move_ticket(db, ticket, "arrive", actor="zhang.eng")
    move_ticket(db, ticket, "resolve", actor="zhang.eng", resolution="PSU swapped")
    tracking = db.scalar(select(Rma.tracking_code).where(Rma.number == rma))
    return CustomerFlow(code, site, ticket, rma, tracking)


def make_users(db, world: World) -> dict[str, tuple[str, str]]:
    """One user per role (the customer belongs to ``world.mine``) plus a customer of
    ``world.theirs``: username → (role, token); every password is PASSWORD."""
    users = {}
    ids = dict(db.execute(select(Customer.code, Customer.id)).all())
    for username, role, customer in (
        ("admin", "admin", None),
        ("wang.wh", "warehouse", None),
        ("li.disp", "dispatcher", None),
        ("zhang.eng", "engineer", None),
        ("cust.a", "customer", world.mine.code),
        ("cust.b", "customer", world.theirs.code),
    ):
        user = User(
            username=username,
            display_name=username,
            role=role,
            customer_id=ids[customer] if customer else None,
        )
        set_password(user, PASSWORD)
        db.add(user)
        db.flush()
        if role == "warehouse":  # the warehouse clerk works at the world's depot
            assign_depots(db, user, [world.depot], all_depots=False, actor="admin")
        users[username] = (role, issue_token(db, user, "matrix"))
    engineer = db.scalar(select(Engineer).where(Engineer.code == world.engineer))
    engineer.user_id = db.scalar(select(User.id).where(User.username == "zhang.eng"))
    db.commit()
    return users


@pytest.fixture
def world(db) -> World:
    w = make_world(db, spares=2)
    make_customer(db, code="C002", city="Beijing", lat=39.99, lon=116.30)
    register_equipment(
        db,
        site_code="C002-S1",
        part_number=w.part,
        serial="EQ-0002",
        acceptance_date=date(2025, 3, 1),
        actor="admin",
        contract_code="K-C002",
    )
    mine = _walk(db, w.customer, w.site, w.equipment_serial, w.part, w.depot, w.engineer)
    theirs = _walk(db, "C002", "C002-S1", "EQ-0002", w.part, w.depot, w.engineer)
    return World(mine, theirs, w.depot, w.part, w.engineer)


@pytest.fixture
def users(db, world) -> dict[str, tuple[str, str]]:
    return make_users(db, world)


def token_of(users, role: str) -> dict[str, str]:
    username = next(u for u, (r, _t) in users.items() if r == role and u != "cust.b")
    return bearer(users[username][1])


# --- the matrix ----------------------------------------------------------------------------

VARIABLE = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")


def fill(rule: str, values: dict[str, str]) -> str:
    """The rule with each variable replaced: by ``values`` if named there, else by a made-up
    value no record has (an int converter gets a number)."""

    def one(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name in values:
            return values[name]
        return "999999" if converter == "int" else "NO-SUCH-9"

    return VARIABLE.sub(one, rule)


def app_rules(app) -> dict[tuple[str, str], object]:
    return {
        (method, rule.rule): rule
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    }


def test_every_route_of_the_app_has_a_rule_in_the_table(app):
    routes = set(app_rules(app))
    assert sorted(routes - set(EXPECTED)) == [], (
        "routes nobody decided who may call: add them to EXPECTED"
    )
    assert sorted(set(EXPECTED) - routes) == [], "rules for routes that no longer exist"


def csrf_token(client) -> str:
    """The CSRF token of this client's session, from a page's meta tag."""
    html = client.get("/track").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def page_clients(app, users) -> dict[str, tuple[object, str]]:
    """A browser (test client) per caller, signed in by the sign-in form, with its CSRF token."""
    clients = {}
    for caller in CALLERS:
        client = app.test_client()
        if caller != "anonymous":
            username = next(u for u, (r, _t) in users.items() if r == caller and u != "cust.b")
            response = client.post(
                "/login",
                data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
            )
            assert response.status_code == 302, (caller, response.status_code)
        clients[caller] = (client, csrf_token(client))
    return clients


def verdict(is_api: bool, response) -> str:
    """What the caller got: 'unauthenticated', 'forbidden' or 'served'."""
    if is_api:
        if response.status_code == 401:
            assert response.headers.get("WWW-Authenticate") == "Bearer"
            return "unauthenticated"
        if response.status_code == 403:
            assert response.mimetype == "application/problem+json"
            return "forbidden"
        return "served"
    if response.status_code == 302 and response.headers["Location"].startswith("/login?next="):
        return "unauthenticated"
    if response.status_code == 403:
        return "forbidden"
    return "served"


def test_every_route_answers_each_caller_as_the_table_says(app, db, world, users):
    api_tokens = {role: token_of(users, role) for role in ROLES}
    # revoking "my own token" would cut the caller off for the rest of the loop: a token of its own
    spare_tokens = {}
    for role in ROLES:
        username = next(u for u, (r, _t) in users.items() if r == role and u != "cust.b")
        user = db.scalar(select(User).where(User.username == username))
        spare_tokens[role] = bearer(issue_token(db, user, "spare"))
    db.commit()
    pages = page_clients(app, users)
    api = app.test_client()
    wrong: list[str] = []
    calls = 0
    for (method, rule), expected in EXPECTED.items():
        variants = expected.items() if isinstance(expected, dict) else [(None, expected)]
        for action, allowed in variants:
            url = fill(rule, {ACTION_VARIABLE: action} if action else {})
            is_api = rule.startswith("/api/")
            for caller in CALLERS:
                if is_api:
                    headers = (
                        {}
                        if caller == "anonymous"
                        else (
                            spare_tokens[caller] if rule == "/api/me/token" else api_tokens[caller]
                        )
                    )
                    body = (
                        {"json": {"matrix_field_no_schema_knows": 1}}
                        if method in ("POST", "PUT", "PATCH")
                        else {}
                    )
                    response = api.open(url, method=method, headers=headers, **body)
                else:
                    if rule == "/logout":  # signing out would end the session used for the rest
                        client = app.test_client()
                        token = csrf_token(client)
                    else:
                        client, token = pages[caller]
                    data = {"data": {"csrf_token": token}} if method == "POST" else {}
                    response = client.open(url, method=method, **data)
                calls += 1
                got = verdict(is_api, response)
                if caller == "anonymous":
                    want = "served" if allowed is PUBLIC else "unauthenticated"
                else:
                    want = "served" if caller in allowed else "forbidden"
                if got != want:
                    wrong.append(
                        f"{method} {url} as {caller}: {response.status_code} ({got}), expected {want}"
                    )
    assert wrong == [], "\n".join(wrong)
    assert calls > 600


def test_every_route_answers_a_method_it_does_not_take_with_405_and_allow(app):
    """A client sent the wrong method learns the right ones: 405 with ``Allow`` (pages and
    API alike; 59 operations answered without it)."""
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    checked, wrong = 0, []
    for rule in app.url_map.iter_rules():
        choices = re.findall(r"<any\(([^)]*)\):([a-z_]+)>", rule.rule)  # e.g. an action
        url = fill(
            rule.rule, {name: options.split(",")[0].strip(" '\"") for options, name in choices}
        )
        allowed = set(adapter.allowed_methods(url))
        method = next(m for m in ("DELETE", "PUT", "PATCH", "POST", "GET") if m not in allowed)
        response = client.open(url, method=method)
        got = set(filter(None, response.headers.get("Allow", "").replace(" ", "").split(",")))
        if response.status_code != 405 or got != allowed:
            wrong.append(f"{method} {url}: {response.status_code}, Allow {sorted(got)}")
        checked += 1
    assert wrong == [], "\n".join(wrong)
    assert checked > 100


# --- customers see only their own ------------------------------------------------------------


# what differs between any two renderings of a page: its CSRF token and the server's clock
VOLATILE = re.compile(r'(name="csrf[-_]token" (?:content|value)=|data-server-now=)"[^"]+"')


def _same_answer(a, b, ref_a: str, ref_b: str) -> bool:
    """Two answers are the same but for the number asked about (and what differs between
    any two renderings of a page)."""

    def normal(response, ref):
        text = VOLATILE.sub(r"\1", response.get_data(as_text=True))
        return response.status_code, response.mimetype, text.replace(ref, "<ref>")

    return normal(a, ref_a) == normal(b, ref_b)


def _unknown(number: str) -> str:
    """A number of the same shape that nobody has."""
    return number[:-6] + "999999"


def test_each_customer_lists_only_their_own_tickets_rmas_sites_and_equipment(client, world, users):
    for username, own, other in (
        ("cust.a", world.mine, world.theirs),
        ("cust.b", world.theirs, world.mine),
    ):
        headers = bearer(users[username][1])
        tickets = client.get("/api/tickets", headers=headers).json["items"]
        rmas = client.get("/api/rmas", headers=headers).json["items"]
        assert [t["number"] for t in tickets] == [own.ticket]
        assert [r["number"] for r in rmas] == [own.rma]
        # asking for the other customer's by filter finds nothing either
        assert (
            client.get(f"/api/tickets?customer={other.code}", headers=headers).json["items"] == []
        )
        assert client.get(f"/api/rmas?customer={other.code}", headers=headers).json["items"] == []
        for url, key in (
            ("/api/customers", "code"),
            ("/api/sites", "customer_code"),
            ("/api/equipment", "customer_code"),
            ("/api/contracts", "customer_code"),
        ):
            items = client.get(url, headers=headers).json["items"]
            assert items and {item[key] for item in items} == {own.code}, url


def test_another_customers_ticket_rma_and_documents_answer_like_numbers_that_do_not_exist(
    client, world, users
):
    today = utcnow().date()
    for username, own, other in (
        ("cust.a", world.mine, world.theirs),
        ("cust.b", world.theirs, world.mine),
    ):
        headers = bearer(users[username][1])
        reads = [
            ("/api/tickets/{}", other.ticket),
            ("/api/tickets/{}/events", other.ticket),
            ("/api/tickets/{}/fault-report.pdf", other.ticket),
            ("/api/rmas/{}", other.rma),
            ("/api/rmas/{}/events", other.rma),
            ("/api/rmas/{}/repair-form.pdf", other.rma),
            ("/api/rmas/{}/packing-slip.pdf", other.rma),
            ("/api/rmas/{}/return-label.pdf", other.rma),
        ]
        for template, number in reads:
            theirs = client.get(template.format(number), headers=headers)
            nobodys = client.get(template.format(_unknown(number)), headers=headers)
            assert theirs.status_code == 404, template
            assert _same_answer(theirs, nobodys, number, _unknown(number)), template
            mine = client.get(
                template.format(own.ticket if "tickets" in template else own.rma), headers=headers
            )
            assert mine.status_code == 200, template  # the same request for their own is answered
        month = f"?year={today.year}&month={today.month}"
        for template in ("/api/customers/{}", "/api/customers/{}/monthly-report.pdf" + month):
            theirs = client.get(template.format(other.code), headers=headers)
            nobodys = client.get(template.format("NOBODY"), headers=headers)
            assert theirs.status_code == 404 and _same_answer(
                theirs, nobodys, other.code, "NOBODY"
            ), template
            assert client.get(template.format(own.code), headers=headers).status_code == 200, (
                template
            )
        # acting on the other's answers the same 404, and changes nothing
        writes = [
            (f"/api/tickets/{other.ticket}/close", {"confirmed": True}),
            (f"/api/rmas/{other.rma}/return_faulty", {"waybill": "SF1"}),
            (f"/api/rmas/{other.rma}/close", {}),
        ]
        for url, body in writes:
            assert client.post(url, json=body, headers=headers).status_code == 404, url
        staff = token_of(users, "dispatcher")
        assert (
            client.get(f"/api/tickets/{other.ticket}", headers=staff).json["status"] == "resolved"
        )
        assert client.get(f"/api/rmas/{other.rma}", headers=staff).json["status"] == "delivered"


def test_a_customer_cannot_report_a_fault_or_open_an_rma_at_another_customers_site(
    client, world, users
):
    headers = bearer(users["cust.a"][1])
    fault = client.post(
        "/api/tickets",
        json={"site": world.theirs.site, "severity": "P3", "symptom": "x"},
        headers=headers,
    )
    nowhere = client.post(
        "/api/tickets", json={"site": "NO-SITE", "severity": "P3", "symptom": "x"}, headers=headers
    )
    assert fault.status_code == nowhere.status_code == 422
    assert fault.json["errors"].keys() == nowhere.json["errors"].keys() == {"site"}
    rma = client.post(
        "/api/rmas",
        json={
            "kind": "return_for_repair",
            "site": world.theirs.site,
            "faulty_part_number": world.part,
            "fault_symptom": "x",
        },
        headers=headers,
    )
    assert rma.status_code == 422 and set(rma.json["errors"]) == {"site_code"}


def test_another_customers_contract_code_or_serial_answers_exactly_like_one_that_does_not_exist(
    client, world, users
):
    """The wording used to differ ("belongs to another customer", "installed at another
    customer"): a customer could probe which contract codes and serials others hold."""
    headers = bearer(users["cust.a"][1])

    def fault(contract: str):
        body = {"site": world.mine.site, "severity": "P3", "symptom": "x", "contract": contract}
        return client.post("/api/tickets", json=body, headers=headers)

    theirs, nobodys = fault("K-C002"), fault("K-NOBODY")
    assert theirs.status_code == 422
    assert _same_answer(theirs, nobodys, "K-C002", "K-NOBODY")

    def rma(serial: str) -> dict:
        body = {
            "kind": "return_for_repair",
            "site": world.mine.site,
            "faulty_part_number": world.part,
            "faulty_serial": serial,
            "fault_symptom": "x",
        }
        answer = client.post("/api/rmas", json=body, headers=headers)
        assert answer.status_code == 201, answer.json
        volatile = ("id", "number", "tracking_code", "faulty_serial", "requested_at")
        return {k: v for k, v in answer.json.items() if k not in volatile and "_due" not in k}

    assert rma("EQ-0002") == rma("EQ-9999")  # EQ-0002 is installed at the other customer


def test_a_customers_pages_and_downloads_show_only_their_own(app, world, users):
    client = app.test_client()
    client.post(
        "/login",
        data={"username": "cust.a", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    page = client.get("/my/rmas").get_data(as_text=True)
    assert world.mine.rma in page and world.theirs.rma not in page
    for template, own, other in (
        ("/documents/rma/{}/repair-form.pdf", world.mine.rma, world.theirs.rma),
        ("/documents/rma/{}/return-label.pdf", world.mine.rma, world.theirs.rma),
        ("/documents/ticket/{}/fault-report.pdf", world.mine.ticket, world.theirs.ticket),
    ):
        assert client.get(template.format(own)).mimetype == "application/pdf"
        theirs, nobodys = (
            client.get(template.format(other)),
            client.get(template.format(_unknown(other))),
        )
        assert theirs.status_code == nobodys.status_code == 404
        assert _same_answer(theirs, nobodys, other, _unknown(other))


# --- the named rules -------------------------------------------------------------------------


def test_warehouse_staff_cannot_close_tickets(client, world, users):
    url = f"/api/tickets/{world.mine.ticket}/close"
    refused = client.post(url, json={"confirmed": True}, headers=token_of(users, "warehouse"))
    assert refused.status_code == 403 and "warehouse" in refused.json["detail"]
    dispatcher = token_of(users, "dispatcher")
    assert (
        client.get(f"/api/tickets/{world.mine.ticket}", headers=dispatcher).json["status"]
        == "resolved"
    )
    closed = client.post(url, json={"confirmed": True}, headers=bearer(users["cust.a"][1]))
    assert closed.status_code == 200 and closed.json["status"] == "closed"


def test_dispatchers_cannot_edit_the_part_catalogue(client, db, world, users):
    dispatcher, admin = token_of(users, "dispatcher"), token_of(users, "admin")
    part = {
        "part_number": "NEW-FAN-1",
        "description": "Fan",
        "category": "server",
        "tracking": "serialized",
        "kind": "repairable",
        "unit_cost": "12.50",
    }
    assert client.post("/api/parts", json=part, headers=dispatcher).status_code == 403
    policy = f"/api/parts/{world.part}/policies/{world.depot}"
    assert (
        client.put(
            policy, json={"reorder_point": 5, "target_level": 9}, headers=dispatcher
        ).status_code
        == 403
    )
    db.rollback()
    assert (
        db.scalar(select(func.count()).select_from(Part).where(Part.part_number == "NEW-FAN-1"))
        == 0
    )
    assert db.scalar(select(func.count()).select_from(StockPolicy)) == 0
    db.rollback()  # SQLite: no read transaction left open while the app writes
    # the admin who keeps the catalogue can
    created = client.post("/api/parts", json=part, headers=admin)
    assert created.status_code == 201, created.json


def test_engineers_move_only_the_jobs_assigned_to_them(client, db, world, users):
    other = User(username="liu.eng", display_name="Liu", role="engineer")
    db.add(other)
    db.flush()
    stranger = bearer(issue_token(db, other, "t"))
    make_engineer(db, "ENG-9")
    db.scalar(select(Engineer).where(Engineer.code == "ENG-9")).user_id = other.id
    db.commit()
    ticket = open_ticket(
        db,
        site_code=world.mine.site,
        severity="P3",
        channel="phone",
        symptom="fan",
        actor="li.disp",
    ).number
    confirm_dispatch(db, ticket, engineer_code=world.engineer, actor="li.disp")
    refused = client.post(f"/api/tickets/{ticket}/arrive", json={}, headers=stranger)
    nobodys = client.post(f"/api/tickets/{_unknown(ticket)}/arrive", json={}, headers=stranger)
    assert refused.status_code == nobodys.status_code == 404
    assert (
        client.post(
            f"/api/rmas/{world.mine.rma}/return_faulty", json={}, headers=stranger
        ).status_code
        == 404
    )
    db.rollback()
    assert db.scalar(select(Ticket.status).where(Ticket.number == ticket)) == "dispatched"
    db.rollback()
    assigned = client.post(
        f"/api/tickets/{ticket}/arrive", json={}, headers=token_of(users, "engineer")
    )
    assert assigned.status_code == 200 and assigned.json["status"] == "on_site"


# --- warehouse staff act only at their own depots --------------------------------------------


@pytest.fixture
def second_depot(db, world) -> str:
    """SH01, with one unit of the world's part on its shelf (and one more at the world's)."""
    make_depot(db, "SH01")
    receive_from_supplier(db, depot_code="SH01", part_number=world.part, actor="x", serial="SH-1")
    receive_from_supplier(
        db, depot_code=world.depot, part_number=world.part, actor="x", serial="BJ-1"
    )
    return "SH01"


def test_warehouse_staff_move_stock_only_at_the_depots_they_are_assigned(
    app, client, db, world, users, second_depot
):
    clerk = token_of(users, "warehouse")  # assigned to the world's depot only
    elsewhere = [
        ("/api/stock/receipts", {"depot": second_depot, "part_number": world.part, "serial": "N1"}),
        ("/api/stock/scrap", {"serial": "SH-1", "part_number": world.part, "reason": "x"}),
        (
            "/api/transfers",
            {
                "from_depot": second_depot,
                "to_depot": world.depot,
                "lines": [{"part_number": world.part, "serial": "SH-1"}],
            },
        ),
        (
            "/api/stock/reservations",
            {"depot": second_depot, "part_number": world.part, "reference": "X"},
        ),
        ("/api/stock/counts", {"depot": second_depot, "part_number": world.part, "serials": []}),
    ]
    for url, body in elsewhere:
        refused = client.post(url, json=body, headers=clerk)
        assert refused.status_code == 403, (url, refused.json)
        assert second_depot in refused.json["detail"]
    policy = f"/api/parts/{world.part}/policies/{second_depot}"
    body = {"reorder_point": 1, "target_level": 2}
    assert client.put(policy, json=body, headers=clerk).status_code == 403
    db.rollback()
    item = db.scalar(select(SerialItem).where(SerialItem.serial == "SH-1"))
    assert item.status == "in_stock" and item.location.code == second_depot
    assert (
        db.scalar(select(func.count()).select_from(SerialItem).where(SerialItem.serial == "N1"))
        == 0
    )
    db.rollback()
    # at their own depot the same clerk is served
    mine = {"depot": world.depot, "part_number": world.part, "serial": "N2"}
    assert client.post("/api/stock/receipts", json=mine, headers=clerk).status_code == 201
    # dispatchers and admins are bound to no depot
    for role in ("dispatcher", "admin"):
        held = client.post(
            "/api/stock/reservations",
            json={"depot": second_depot, "part_number": world.part, "reference": role},
            headers=token_of(users, role),
        )
        assert held.status_code == 201, (role, held.json)
        db.rollback()
        client.post(
            "/api/stock/receipts",
            json={"depot": second_depot, "part_number": world.part, "serial": f"AD-{role}"},
            headers=token_of(users, "admin"),
        )


def test_warehouse_staff_count_only_at_the_depots_they_are_assigned(
    client, db, world, users, second_depot
):
    clerk = token_of(users, "warehouse")  # assigned to the world's depot only
    refused = client.post("/api/counts", json={"depot": second_depot}, headers=clerk)
    assert refused.status_code == 403 and second_depot in refused.json["detail"]
    started = client.post(
        "/api/counts", json={"depot": second_depot}, headers=token_of(users, "admin")
    )
    assert started.status_code == 201, started.json
    number = started.json["number"]
    for method, url, body in (
        ("get", f"/api/counts/{number}", None),
        ("post", f"/api/counts/{number}/lines", {"serials": ["SH-1"]}),
        ("post", f"/api/counts/{number}/submit", None),
        ("post", f"/api/counts/{number}/post", {"confirm": True}),
    ):
        answer = getattr(client, method)(url, json=body, headers=clerk)
        assert answer.status_code == 403, (url, answer.json)
    listed = client.get("/api/counts", headers=clerk).json
    assert number not in [c["number"] for c in listed["items"]]
    mine = client.post("/api/counts", json={"depot": world.depot}, headers=clerk)
    assert mine.status_code == 201 and mine.json["depot"] == world.depot
    seen = client.get("/api/counts", headers=token_of(users, "dispatcher")).json["items"]
    assert {c["number"] for c in seen} == {number, mine.json["number"]}


def test_the_console_offers_only_the_clerks_own_depots(app, world, users, second_depot):
    client = app.test_client()
    client.post(
        "/login",
        data={"username": "wang.wh", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    page = client.get("/warehouse/").get_data(as_text=True)
    chooser = page.split('id="depot-select"', 1)[1].split("</select>", 1)[0]
    assert f'value="{world.depot}"' in chooser and f'value="{second_depot}"' not in chooser
    client.post("/warehouse/depot", data={"depot": second_depot, "csrf_token": csrf_token(client)})
    page = client.get("/warehouse/?q=SH-1").get_data(as_text=True)
    assert 'data-action="scrap"' not in page and 'data-action="transfer"' not in page


def test_warehouse_staff_print_only_their_own_depots_papers(
    app, client, db, world, users, second_depot
):
    """The shelf's papers are bound like the stock: the API and the console's download give
    a clerk the labels of the depots they work at and the papers of transfers from or to
    them; anything else answers like a number that does not exist (404)."""
    make_depot(db, "GZ01")
    receive_from_supplier(db, depot_code="SH01", part_number=world.part, actor="x", serial="SH-2")
    outbound = ship_transfer(  # from the clerk's depot: theirs
        db,
        from_depot=world.depot,
        to_depot=second_depot,
        lines=[LineRequest(world.part, "BJ-1")],
        actor="admin",
    ).number
    foreign = ship_transfer(  # between two depots the clerk does not work at
        db,
        from_depot=second_depot,
        to_depot="GZ01",
        lines=[LineRequest(world.part, "SH-2")],
        actor="admin",
    ).number
    db.commit()
    clerk = token_of(users, "warehouse")  # assigned to the world's depot only
    browser = app.test_client()
    browser.post(
        "/login",
        data={"username": "wang.wh", "password": PASSWORD, "csrf_token": csrf_token(browser)},
    )
    papers = ("item-labels.pdf", "pick-list.pdf", "delivery-note.pdf")
    for api, page in (
        ("/api/depots/{}/bin-labels.pdf", "/documents/depot/{}/bin-labels.pdf"),
        *((f"/api/transfers/{{}}/{p}", f"/documents/transfer/{{}}/{p}") for p in papers),
    ):
        mine, theirs = (world.depot, second_depot) if "depot" in page else (outbound, foreign)
        assert client.get(api.format(mine), headers=clerk).status_code == 200, api
        assert client.get(api.format(theirs), headers=clerk).status_code == 404, api
        assert browser.get(page.format(mine)).status_code == 200, page
        assert browser.get(page.format(theirs)).status_code == 404, page
        admin = token_of(users, "admin")  # bound to no depot
        assert client.get(api.format(theirs), headers=admin).status_code == 200, api


def test_a_transfer_is_received_only_by_staff_of_the_depot_it_arrives_at(
    client, db, world, users, second_depot
):
    shipped = ship_transfer(
        db,
        from_depot=world.depot,
        to_depot=second_depot,
        lines=[LineRequest(world.part, "BJ-1")],
        actor="wang.wh",
    ).number
    sender = token_of(users, "warehouse")
    url = f"/api/transfers/{shipped}/receive"
    for body in ({}, {"lines": []}):  # "everything" or "nothing arrived": neither from here
        refused = client.post(url, json=body, headers=sender)
        assert refused.status_code == 403, refused.json
    db.rollback()
    assert db.scalar(select(Transfer.status).where(Transfer.number == shipped)) == "shipped"
    db.rollback()
    _u, receiver = make_user(db, "warehouse", "zhao.wh", depots=(second_depot,))
    got = client.post(url, json={}, headers=bearer(receiver))
    assert got.status_code == 200 and got.json["status"] == "received"


def test_an_admin_assigns_a_clerks_depots_through_the_users_endpoint(client, world, users):
    admin = token_of(users, "admin")
    changed = client.patch("/api/users/wang.wh", json={"depots": ["SH01"]}, headers=admin)
    assert changed.status_code == 422 and "SH01" in changed.json["detail"]  # no such depot yet
    created = client.post(
        "/api/users",
        json={
            "username": "sun.wh",
            "display_name": "Sun",
            "role": "warehouse",
            "depots": [world.depot],
        },
        headers=admin,
    )
    assert created.status_code == 201 and created.json["depots"] == [world.depot]
    assert created.json["all_depots"] is False
    shown = client.get("/api/users/wang.wh", headers=admin).json
    assert shown["depots"] == [world.depot]
    everywhere = client.patch("/api/users/sun.wh", json={"all_depots": True}, headers=admin)
    assert everywhere.json["all_depots"] is True and everywhere.json["depots"] == [world.depot]
    events = client.get("/api/audit?subject_type=user&subject_ref=sun.wh", headers=admin)
    kinds = [e["kind"] for e in events.json["items"]] if events.status_code == 200 else []
    assert "depots_assigned" in kinds, events.json
