"""Administration of the network's places: customers and their sites, and changes to a
depot (its details, deactivating it).

As on the other administration pages (app/web/admin.py) a form is read into the JSON body
the API takes, checked by the API's own schema (app/api/customers.py, app/api/depots.py)
and handed to the same service, which records the change for the audit trail. A site or
depot whose address changes without new coordinates is placed again by the geocoder, as
the API places it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.api.customers import CustomerSchema, CustomerUpdate, SiteSchema, SiteUpdate
from app.api.depots import DepotUpdate
from app.auth import actor_name
from app.db import get_session
from app.geo import locate
from app.web.admin import FieldError, event_word, save_form
from app.web.auth import not_found_page, roles_page
from app.web.i18n import t
from inventory import audit, catalogue, installed_base
from models import Contract, Customer, Depot, Site

bp = Blueprint("admin_network", __name__, url_prefix="/admin")
bp.context_processor(lambda: {"event_word": event_word})

CUSTOMER_OPTIONAL = ("name_en", "contact_name", "phone", "fax", "email")
SITE_OPTIONAL = ("postcode", "contact_name", "phone")
SITE_PLACE = ("city", "lat", "lon", "timezone")
DEPOT_OPTIONAL = ("name_en",)
DEPOT_PLACE = ("city", "lat", "lon", "timezone")
# the page's own words for fields whose generic label means something else
LABELS = {"code": "a14.f.code", "name": "adm.f.name", "active": "common.status"}


def _labelled(errors: list[FieldError]) -> list[FieldError]:
    return [replace(e, label=t(LABELS[e.field])) if e.field in LABELS else e for e in errors]


def _payload(
    form: Mapping[str, str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    place: tuple[str, ...] = (),
    *,
    editing: bool,
) -> dict:
    """A form as the API's JSON body. Creating, blank fields are left out; editing, a blank
    optional field is null (cleared), a blank required one is sent blank (refused by the
    schema, naming it), and blank place fields are left out (kept, or geocoded)."""
    data: dict = {}
    for name in required:
        value = (form.get(name) or "").strip()
        if value or editing:
            data[name] = value
    for name in optional:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
        elif editing:
            data[name] = None
    for name in place:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    return data


def _coordinates_unchanged(data: dict, row: Site | Depot) -> None:
    """The edit form shows the stored coordinates; sent back as they were, they are not
    "entered" coordinates (a new address is then geocoded, an old one keeps its place)."""
    try:
        same = float(data.get("lat", "x")) == row.lat and float(data.get("lon", "x")) == row.lon
    except ValueError:
        return
    if same:
        data.pop("lat"), data.pop("lon")


def _trail(subject_type: str, ref: str):
    db = get_session()
    return audit.audit_trail(db, audit.resolve_subject(db, subject_type, ref))


# --- customers -------------------------------------------------------------------------------


@bp.route("/customers", methods=["GET", "POST"])
@roles_page()
def customer_list():
    """The customers and a form adding one (``CustomerSchema``)."""
    db = get_session()
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    if request.method == "POST":
        values = dict(request.form)
        payload = _payload(request.form, ("code", "name"), CUSTOMER_OPTIONAL, editing=False)
        view, errors = save_form(
            CustomerSchema(),
            payload,
            lambda data: installed_base.create_customer(db, actor=actor_name(), **data),
        )
        if not errors:
            flash(t("a14.cust.created", code=view.code), "success")
            return redirect(url_for("admin_network.customer_page", code=view.code))
        errors = _labelled(errors)
    customers = list(db.scalars(select(Customer).order_by(Customer.code).limit(2000)))
    return render_template(
        "admin/customers.html", customers=customers, values=values, errors=errors
    ), (422 if errors else 200)


def _customer_page(customer: Customer, errors: list[FieldError], site_errors: list[FieldError]):
    db = get_session()
    sites = list(
        db.scalars(select(Site).where(Site.customer_id == customer.id).order_by(Site.code))
    )
    contracts = list(
        db.scalars(
            select(Contract).where(Contract.customer_id == customer.id).order_by(Contract.code)
        )
    )
    typed = dict(request.form) if request.method == "POST" else {}
    return render_template(
        "admin/customer.html",
        customer=customer,
        sites=sites,
        contracts=contracts,
        errors=errors,
        site_errors=site_errors,
        values=typed if errors else asdict(installed_base.customer_view(customer)),
        site_values=typed if site_errors else {"timezone": "Asia/Shanghai"},
        trail=_trail("customer", customer.code),
    ), (422 if errors or site_errors else 200)


def _customer_or_none(code: str) -> Customer | None:
    return get_session().scalar(select(Customer).where(Customer.code == code))


@bp.route("/customers/<code>", methods=["GET", "POST"])
@roles_page()
def customer_page(code: str):
    """A customer: its details (``CustomerUpdate``), sites, contracts and audit trail."""
    db = get_session()
    customer = _customer_or_none(code)
    if customer is None:
        return not_found_page()
    if request.method == "GET":
        return _customer_page(customer, [], [])
    payload = _payload(request.form, ("name",), CUSTOMER_OPTIONAL, editing=True)
    _, errors = save_form(
        CustomerUpdate(),
        payload,
        lambda data: installed_base.update_customer(db, code, actor=actor_name(), **data),
    )
    if not errors:
        flash(t("a14.cust.saved", code=code), "success")
        return redirect(url_for("admin_network.customer_page", code=code))
    return _customer_page(customer, _labelled(errors), [])


@bp.post("/customers/<code>/sites")
@roles_page()
def site_new(code: str):
    """Add a site to the customer (``SiteSchema``), placed as the API places it."""
    db = get_session()
    customer = _customer_or_none(code)
    if customer is None:
        return not_found_page()
    payload = _payload(
        request.form, ("code", "name", "address"), SITE_OPTIONAL, SITE_PLACE, editing=False
    )
    payload["customer_code"] = code

    def create(data: dict):
        locate(data)
        return installed_base.create_site(db, actor=actor_name(), **data)

    view, errors = save_form(SiteSchema(), payload, create)
    if not errors:
        flash(
            t("a14.site.created", code=view.code, precision=t(f"adm.precision.{view.precision}")),
            "success",
        )
        return redirect(url_for("admin_network.site_page", code=view.code))
    return _customer_page(customer, [], _labelled(errors))


# --- sites -----------------------------------------------------------------------------------


@bp.route("/sites/<code>", methods=["GET", "POST"])
@roles_page()
def site_page(code: str):
    """A site: its details (``SiteUpdate``; a new address is geocoded again unless
    coordinates are entered) and its audit trail."""
    db = get_session()
    site = db.scalar(select(Site).where(Site.code == code))
    if site is None:
        return not_found_page()
    errors: list[FieldError] = []
    if request.method == "POST":
        payload = _payload(
            request.form, ("name", "address"), SITE_OPTIONAL, SITE_PLACE, editing=True
        )
        _coordinates_unchanged(payload, site)
        view, errors = save_form(
            SiteUpdate(),
            payload,
            lambda data: installed_base.update_site(
                db, code, locate=locate, actor=actor_name(), **data
            ),
        )
        if not errors:
            flash(
                t("a14.site.saved", code=code, precision=t(f"adm.precision.{view.precision}")),
                "success",
            )
            return redirect(url_for("admin_network.site_page", code=code))
    values = dict(request.form) if errors else asdict(installed_base.site_view(site))
    return render_template(
        "admin/site.html",
        site=site,
        values=values,
        errors=_labelled(errors),
        trail=_trail("site", code),
    ), (422 if errors else 200)


# --- a depot ---------------------------------------------------------------------------------


@bp.route("/depots/<code>", methods=["GET", "POST"])
@roles_page()
def depot_page(code: str):
    """A depot: its details (``DepotUpdate``), deactivating or reactivating it (refused
    while stock or a transfer in transit is there), its staff and audit trail."""
    db = get_session()
    depot = db.scalar(select(Depot).where(Depot.code == code))
    if depot is None:
        return not_found_page()
    errors: list[FieldError] = []
    if request.method == "POST":
        action = request.form.get("action", "")
        if action in ("deactivate", "reactivate"):
            held, errors = save_form(
                DepotUpdate(),
                {"active": action == "reactivate"},
                lambda data: catalogue.set_depot_active(
                    db, code, data["active"], actor=actor_name()
                ),
            )
            if not errors:
                flash(
                    t(
                        f"a14.depot.{action}d",
                        code=code,
                        n=len(held.staff),
                        staff=", ".join(held.staff) or t("common.none"),
                    ),
                    "success",
                )
                return redirect(url_for("admin_network.depot_page", code=code))
        elif action == "details":
            payload = _payload(
                request.form, ("name", "address"), DEPOT_OPTIONAL, DEPOT_PLACE, editing=True
            )
            _coordinates_unchanged(payload, depot)
            _, errors = save_form(
                DepotUpdate(),
                payload,
                lambda data: catalogue.update_depot(
                    db, code, data, locate=locate, actor=actor_name()
                ),
            )
            if not errors:
                flash(t("a14.depot.saved", code=code), "success")
                return redirect(url_for("admin_network.depot_page", code=code))
        else:
            return render_template("error.html", code=400, message=t("adm.bad_action")), 400
    values = (
        dict(request.form)
        if errors and request.form.get("action") == "details"
        else {k: getattr(depot, k) for k in ("name", "name_en", "address", *DEPOT_PLACE)}
    )
    return render_template(
        "admin/depot.html",
        depot=depot,
        values=values,
        errors=_labelled(errors),
        holdings=catalogue.depot_holdings(db, depot),
        trail=_trail("depot", code),
    ), (422 if errors else 200)
