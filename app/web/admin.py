"""Administration without code (管理): contracts with their SLA clocks and escalation ladder,
users with their roles and tokens, and the audit trail of any object.

Every form is read into the same shape the JSON API takes and checked by the API's own
marshmallow schema (app/api/customers.py, app/api/users.py), then handed to the same
service of ``inventory/`` — one home per rule. The services record every change as an
event, which the audit page lists per object. An error names the field, in the viewer's
language, and the form comes back as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from werkzeug.datastructures import MultiDict

from app.api.catalogue import PartSchema, PartUpdate, PolicySchema, SupersessionSchema
from app.api.customers import ContractCreate, ContractSettings
from app.api.depots import DepotSchema
from app.api.users import TokenRequest, UserSchema, UserUpdate
from app.auth import ALL_ROLES, actor_name, current_user, hash_password
from app.db import get_session
from app.geo import locate
from app.web.auth import PASSWORD_LINK_HOURS, not_found_page, password_link, roles_page
from app.web.i18n import MESSAGES, error_text, t
from inventory import accounts, audit, catalogue, contracts, supersession, vans
from inventory.errors import DomainError, NotFound
from models import ApiToken, Contract, Customer, Depot, Engineer, Part, StockPolicy, User
from models.enums import PartKind, Tracking

bp = Blueprint("admin", __name__, url_prefix="/admin")

CHANNELS = ("phone", "fax", "email", "web")
SEVERITIES = ("P1", "P2", "P3", "P4")
# single-number SLA settings, in the order the form shows them (minutes unless named days)
CLOCK_FIELDS = (
    "system_down_response_minutes",
    "onsite_promise_minutes",
    "replacement_unit_minutes",
    "spare_request_answer_minutes",
    "spare_delivery_days",
    "last_mile_minutes",
    "return_window_days",
)
TEXT_FIELDS = ("name", "kind", "coverage", "timezone", "country", "late_return_charge", "currency")
LADDER_ROWS = 6  # rows the form offers; the API takes up to 10 levels
HH_MM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class FieldError:
    field: str  # the form's name for the field, e.g. "escalation.1.who"
    label: str  # what the page calls it, in the viewer's language
    message: str


@bp.context_processor
def _words() -> dict:
    return {"event_word": event_word}


def event_word(kind: str) -> str:
    """An event kind in the viewer's language, or its code when it has no words yet."""
    key = f"adm.ev.{kind}"
    return t(key) if key in MESSAGES else kind


# --- reading forms into the API's shape --------------------------------------------------------


def _clock_time(text: str) -> str | int:
    """ "09:00" → 540 minutes after midnight ("24:00" → 1440); anything else goes to the
    schema as typed, which refuses it naming the field."""
    match = HH_MM.match(text)
    if match is None:
        return text
    return int(match.group(1)) * 60 + int(match.group(2))


def _hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# a customer problem's clocks on the contract form: hours by clock and urgency
COMPLAINT_CLOCK_KINDS = ("response", "resolution")
COMPLAINT_URGENCIES = ("normal", "urgent", "very_urgent")


def contract_payload(form: Mapping[str, str]) -> dict:
    """The contract form as the JSON body ``POST/PATCH /api/contracts`` takes; blank fields
    are left out (the service keeps the current value, or the shipped default)."""
    data: dict = {}
    for name in ("code", "customer_code", *TEXT_FIELDS, *CLOCK_FIELDS):
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    for name, key in (
        ("coverage_start", "coverage_start_min"),
        ("coverage_end", "coverage_end_min"),
    ):
        value = (form.get(name) or "").strip()
        if value:
            data[key] = _clock_time(value)
    for name, keys in (("response_minutes", CHANNELS), ("restore_minutes", SEVERITIES)):
        amounts = {k: form.get(f"{name}.{k}", "").strip() for k in keys}
        if any(amounts.values()):
            data[name] = {k: v for k, v in amounts.items() if v}
    hours = {
        which: {
            u: form.get(f"complaint_hours.{which}.{u}", "").strip()
            for u in COMPLAINT_URGENCIES
            if form.get(f"complaint_hours.{which}.{u}", "").strip()
        }
        for which in COMPLAINT_CLOCK_KINDS
    }
    if any(hours.values()):
        data["complaint_hours"] = {which: h for which, h in hours.items() if h}
    if form.get("active") in ("true", "false"):
        data["active"] = form["active"] == "true"
    ladder: list[dict] = []
    for row in range(LADDER_ROWS):
        step = {k: (form.get(f"escalation.{row}.{k}") or "").strip() for k in _LADDER_KEYS}
        if any(step.values()):
            ladder.append(
                {
                    "level": len(ladder) + 1,
                    "after_minutes": step["after_minutes"],
                    "who": step["who"],
                    "contact": step["contact"] or None,
                }
            )
    if ladder:
        data["escalation"] = ladder
    return data


_LADDER_KEYS = ("after_minutes", "who", "contact")


def contract_values(view: contracts.ContractView) -> dict[str, str]:
    """A stored contract as the form's fields."""
    values: dict[str, str] = {
        "code": view.code,
        "customer_code": view.customer_code,
        "coverage_start": _hh_mm(view.coverage_start_min),
        "coverage_end": _hh_mm(view.coverage_end_min),
        "active": "true" if view.active else "false",
    }
    for name in (*TEXT_FIELDS, *CLOCK_FIELDS):
        value = getattr(view, name, None)
        values[name] = "" if value is None else _number_text(value)
    for k, v in view.response_minutes.items():
        values[f"response_minutes.{k}"] = _number_text(v)
    for k, v in view.restore_minutes.items():
        values[f"restore_minutes.{k}"] = _number_text(v)
    for which, amounts in (view.complaint_hours or {}).items():
        for u, v in amounts.items():
            values[f"complaint_hours.{which}.{u}"] = _number_text(v)
    for row, step in enumerate(view.escalation):
        values[f"escalation.{row}.after_minutes"] = _number_text(step["after_minutes"])
        values[f"escalation.{row}.who"] = str(step["who"])
        values[f"escalation.{row}.contact"] = str(step.get("contact") or "")
    return values


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_label(path: str) -> str:
    """What the form calls the field at ``path`` ("escalation.1.who" → "第2级 · 升级给谁")."""
    parts = path.split(".")
    words = []
    for i, part in enumerate(parts):
        if part.isdigit() and i > 0 and parts[i - 1] == "escalation":
            words.append(t("adm.level_n", n=int(part) + 1))
        elif f"adm.f.{part}" in MESSAGES:
            words.append(t(f"adm.f.{part}"))
        elif part not in ("value", "key", "_schema"):
            words.append(part)
    return " · ".join(words) or t("adm.f.form")


def schema_errors(messages: object, prefix: str = "") -> list[FieldError]:
    """marshmallow's nested messages flattened to one line per field."""
    if isinstance(messages, Mapping):
        out = []
        for key, inner in messages.items():
            out += schema_errors(inner, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return [FieldError(prefix, field_label(prefix), " ".join(messages))]
    if isinstance(messages, list | tuple):
        return [e for m in messages for e in schema_errors(m, prefix)]
    return [FieldError(prefix, field_label(prefix), str(messages))]


def domain_error(error: DomainError) -> list[FieldError]:
    field = error.field or "_schema"
    inner = error.details.get("errors") if error.details else None
    if isinstance(inner, Mapping) and inner:
        return schema_errors(inner)
    return [FieldError(field, field_label(field), error_text(error))]


def load_form(schema: ma.Schema, data: dict) -> tuple[dict, list[FieldError]]:
    try:
        return schema.load(data), []
    except ma.ValidationError as error:
        return {}, schema_errors(error.messages)


def save_form(
    schema: ma.Schema, payload: dict, save: Callable[[dict], Any]
) -> tuple[Any, list[FieldError]]:
    """A form's one write: ``payload`` checked by ``schema``, then ``save`` of the checked
    data. (What ``save`` returned, []), or (None, the schema's or the domain's errors for
    the page to show)."""
    data, errors = load_form(schema, payload)
    if errors:
        return None, errors
    try:
        return save(data), []
    except DomainError as error:
        return None, domain_error(error)


# --- pages -----------------------------------------------------------------------------


@bp.get("/")
@roles_page()
def home():
    db = get_session()
    counts = {
        "contracts": db.scalar(select(func.count(Contract.id))) or 0,
        "users": db.scalar(select(func.count(User.id)).where(User.active)) or 0,
    }
    return render_template("admin/home.html", counts=counts)


@bp.get("/contracts")
@roles_page()
def contract_list():
    db = get_session()
    customer = request.args.get("customer", "").strip()
    stmt = (
        select(Contract).join(Customer, Customer.id == Contract.customer_id).order_by(Contract.code)
    )
    if customer:
        stmt = stmt.where(Customer.code == customer)
    rows = [contracts.contract_view(c) for c in db.scalars(stmt.limit(500))]
    return render_template(
        "admin/contracts.html", rows=rows, customers=_customers(), chosen=customer
    )


def _customers() -> list[Customer]:
    return list(get_session().scalars(select(Customer).order_by(Customer.code).limit(2000)))


def _contract_page(values: dict, errors: list[FieldError], *, contract_code: str | None):
    trail = None
    if contract_code is not None:
        db = get_session()
        trail = audit.audit_trail(db, audit.resolve_subject(db, "contract", contract_code))
    return render_template(
        "admin/contract.html",
        values=values,
        errors=errors,
        invalid={e.field.split(".")[0] for e in errors} | {e.field for e in errors},
        editing=contract_code,
        customers=_customers(),
        kinds=contracts.CONTRACT_KINDS,
        channels=CHANNELS,
        severities=SEVERITIES,
        clock_fields=CLOCK_FIELDS,
        ladder_rows=LADDER_ROWS,
        trail=trail,
    ), (422 if errors else 200)


@bp.route("/contracts/new", methods=["GET", "POST"])
@roles_page()
def contract_new():
    if request.method == "GET":
        defaults = contract_values(_default_view())
        defaults.update(code="", customer_code=request.args.get("customer", ""), name="")
        return _contract_page(defaults, [], contract_code=None)
    payload = contract_payload(request.form)
    view, errors = save_form(
        ContractCreate(),
        payload,
        lambda data: contracts.create_contract(get_session(), actor=actor_name(), **data),
    )
    if not errors:
        flash(t("adm.contract_saved", code=view.code), "success")
        return redirect(url_for("admin.contract_edit", code=view.code))
    return _contract_page(dict(request.form), errors, contract_code=None)


def _default_view() -> contracts.ContractView:
    """The shipped defaults as a contract the form can start from."""
    d = contracts.default_policy_data()
    return contracts.ContractView(
        code="",
        customer_code="",
        name="",
        valid_from=None,
        valid_to=None,
        **{k: d[k] for k in contracts.ContractView.__dataclass_fields__ if k in d},
    )


@bp.route("/contracts/<code>", methods=["GET", "POST"])
@roles_page()
def contract_edit(code: str):
    db = get_session()
    try:
        contract = contracts.contract_by_code(db, code)
    except NotFound:
        return not_found_page()
    if request.method == "GET":
        return _contract_page(
            contract_values(contracts.contract_view(contract)), [], contract_code=code
        )
    payload = contract_payload(request.form)
    payload.pop("code", None)
    payload.pop("customer_code", None)
    _, errors = save_form(
        ContractSettings(),
        payload,
        lambda data: contracts.update_contract(db, code, actor=actor_name(), **data),
    )
    if not errors:
        flash(t("adm.contract_saved", code=code), "success")
        return redirect(url_for("admin.contract_edit", code=code))
    values = dict(request.form)
    values.update(code=code, customer_code=contract.customer.code)
    return _contract_page(values, errors, contract_code=code)


# --- users -----------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@roles_page()
def user_list():
    db = get_session()
    errors: list[FieldError] = []
    values: dict[str, str] = {"role": "dispatcher", "locale": "zh"}
    if request.method == "POST":
        values = dict(request.form)
        payload = _user_payload(request.form, ("username", "display_name", "role", "locale"))
        data, errors = load_form(UserSchema(), payload)
        if not errors:
            password = data.pop("password", None)
            try:
                user = accounts.create_user(
                    db,
                    data,
                    password_hash=hash_password(password) if password else None,
                    actor=actor_name(),
                )
            except DomainError as error:
                errors = domain_error(error)
            else:
                flash(t("adm.user_created", name=user.username), "success")
                if password is None:  # invited: they choose their password through the link
                    accounts.record_password_link(db, user, actor=actor_name(), invitation=True)
                    return _user_page(user, [], new_link=password_link(user))
                return redirect(url_for("admin.user_page", username=user.username))
    users = list(db.scalars(select(User).order_by(User.username).limit(1000)))
    return render_template(
        "admin/users.html",
        users=users,
        values=values,
        errors=errors,
        roles=ALL_ROLES,
        customers=_customers(),
        depots=_depots(),
        chosen_depots=request.form.getlist("depots"),
    ), (422 if errors else 200)


def _depots() -> list[Depot]:
    return list(get_session().scalars(select(Depot).where(Depot.active).order_by(Depot.code)))


def _user_payload(form: MultiDict[str, str], names: tuple[str, ...]) -> dict:
    """The user form as the JSON body of ``/api/users``: blank fields left out; the customer
    select gives an id, or "" for none; the depot boxes give the depots a warehouse user
    works at, or "every depot"."""
    data: dict = {k: form[k].strip() for k in names if (form.get(k) or "").strip()}
    if "customer_id" in form:
        data["customer_id"] = form["customer_id"].strip() or None
    if "depots_shown" in form:
        data["depots"] = form.getlist("depots")
        data["all_depots"] = "all_depots" in form
    if form.get("password"):
        data["password"] = form["password"]
    return data


def _user_or_404(username: str) -> User | None:
    return get_session().scalar(select(User).where(User.username == username))


def _user_page(
    user: User,
    errors: list[FieldError],
    *,
    new_token: str | None = None,
    new_link: str | None = None,
):
    db = get_session()
    tokens = list(
        db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )
    trail = audit.audit_trail(db, audit.resolve_subject(db, "user", user.username))
    me = current_user()
    return render_template(
        "admin/user.html",
        user=user,
        tokens=tokens,
        errors=errors,
        roles=ALL_ROLES,
        customers=_customers(),
        depots=_depots(),
        new_token=new_token,
        new_link=new_link,
        link_hours=PASSWORD_LINK_HOURS,
        trail=trail,
        is_me=me is not None and me.id == user.id,
    ), (422 if errors else 200)


@bp.get("/users/<username>")
@roles_page()
def user_page(username: str):
    user = _user_or_404(username)
    if user is None:
        return not_found_page()
    return _user_page(user, [])


@bp.post("/users/<username>")
@roles_page()
def user_change(username: str):
    """One of the user page's forms: details (name, role, language, customer), a new
    password, or deactivating / reactivating — each checked by ``UserUpdate``."""
    db = get_session()
    user = _user_or_404(username)
    if user is None:
        return not_found_page()
    action = request.form.get("action", "")
    if action == "details":
        payload = _user_payload(request.form, ("display_name", "role", "locale"))
        payload.pop("password", None)
    elif action == "password":
        payload = {"password": request.form.get("password", "")}
    elif action in ("deactivate", "reactivate"):
        payload = {"active": action == "reactivate"}
    else:
        return render_template("error.html", code=400, message=t("adm.bad_action")), 400
    data, errors = load_form(UserUpdate(), payload)
    if not errors:
        password = data.pop("password", None)
        me = current_user()
        try:
            accounts.update_user(
                db,
                user,
                data,
                password_hash=hash_password(password) if password else None,
                actor=actor_name(),
                acting_user_id=me.id if me is not None else None,
            )
        except DomainError as error:
            errors = domain_error(error)
        else:
            flash(t(f"adm.user_{action}", name=username), "success")
            return redirect(url_for("admin.user_page", username=username))
    return _user_page(user, errors)


@bp.post("/users/<username>/link")
@roles_page()
def user_link(username: str):
    """An invitation (no password yet) or a password-reset link, shown on this answer
    only: the person sets their own password with it (app/web/auth.py)."""
    db = get_session()
    user = _user_or_404(username)
    if user is None or not user.active:
        return not_found_page()
    invitation = not user.password_hash
    accounts.record_password_link(db, user, actor=actor_name(), invitation=invitation)
    return _user_page(user, [], new_link=password_link(user))


@bp.post("/users/<username>/tokens")
@roles_page()
def token_issue(username: str):
    """Issue a token: shown on this one answer only (never put in the session cookie)."""
    db = get_session()
    user = _user_or_404(username)
    if user is None:
        return not_found_page()
    payload = {"name": request.form.get("name", "").strip() or "default"}
    data, errors = load_form(TokenRequest(), payload)
    if errors:
        return _user_page(user, errors)
    _token_id, token = accounts.issue_user_token(db, user, data["name"], actor=actor_name())
    return _user_page(user, [], new_token=token)


@bp.post("/users/<username>/tokens/<int:token_id>/revoke")
@roles_page()
def token_revoke(username: str, token_id: int):
    db = get_session()
    user = _user_or_404(username)
    token = db.get(ApiToken, token_id) if user is not None else None
    if user is None or token is None or token.user_id != user.id:
        return not_found_page()
    accounts.revoke_token(db, token, actor=actor_name())
    flash(t("adm.token_revoked", name=token.name), "success")
    return redirect(url_for("admin.user_page", username=username))


# --- the audit trail of one object -------------------------------------------------------


@bp.get("/audit")
@roles_page()
def audit_page():
    """The events recorded against one object, newest first (inventory/audit.py)."""
    db = get_session()
    subject_type = request.args.get("type", "").strip()
    ref = request.args.get("ref", "").strip()
    try:
        page = max(1, min(int(request.args.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    trail, errors = None, []
    if subject_type and ref:
        try:
            trail = audit.audit_trail(
                db, audit.resolve_subject(db, subject_type, ref), page=page, page_size=50
            )
        except DomainError as error:
            errors = domain_error(error)
    return render_template(
        "admin/audit.html",
        trail=trail,
        errors=errors,
        types=audit.SUBJECT_TYPES,
        chosen_type=subject_type,
        ref=ref,
        page=page,
    ), (404 if errors else 200)


# --- the part catalogue and its per-depot reorder policy ---------------------------------------

PART_PAGE_SIZE = 100


@bp.get("/engineers")
@roles_page()
def engineer_tools():
    """Each active engineer's skills and the tools they carry, the tools editable."""
    db = get_session()
    engineers = list(db.scalars(select(Engineer).where(Engineer.active).order_by(Engineer.code)))
    return render_template("admin/engineers.html", engineers=engineers)


@bp.post("/engineers/<code>/tools")
@roles_page()
def engineer_tools_set(code: str):
    """The tools as one comma- or line-separated list (inventory.vans.set_tools)."""
    tools = [x for x in re.split(r"[,，\n]", request.form.get("tools", "")) if x.strip()]
    try:
        vans.set_tools(get_session(), code, tools, actor=actor_name())
    except DomainError as error:
        flash(t("wh.failed", message=error_text(error)), "error")
    else:
        flash(t("eng_tools.saved", engineer=code), "success")
    return redirect(url_for("admin.engineer_tools"))


@bp.route("/parts", methods=["GET", "POST"])
@roles_page()
def part_list():
    """The catalogue (searchable, 100 a page) and a form adding a part (``PartSchema``)."""
    db = get_session()
    errors: list[FieldError] = []
    values: dict[str, str] = {"tracking": "serialized", "kind": "repairable", "unit_cost": "0"}
    if request.method == "POST":
        values = dict(request.form)
        fields = ("part_number", "description", "description_zh", "category", "tracking")
        payload = {k: request.form[k].strip() for k in (*fields, "kind", "unit_cost")}
        payload = {k: v for k, v in payload.items() if v or k != "description_zh"}
        data, errors = load_form(PartSchema(), payload)
        # a part's "kind" is not a contract's
        errors = [
            replace(e, label=t("adm.f.part_kind")) if e.field == "kind" else e for e in errors
        ]
        if not errors:
            try:
                part = catalogue.create_part(db, data, actor=actor_name())
            except DomainError as error:
                errors = domain_error(error)
            else:
                flash(t("adm.part_created", part=part.part_number), "success")
                return redirect(url_for("admin.part_page", part_number=part.part_number))
    q = request.args.get("q", "").strip()[:80]
    stmt = select(Part).where(Part.active).order_by(Part.part_number)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Part.part_number.ilike(like),
                Part.description.ilike(like),
                Part.description_zh.ilike(like),
            )
        )
    parts = list(db.scalars(stmt.limit(PART_PAGE_SIZE)))
    return render_template(
        "admin/parts.html",
        parts=parts,
        q=q,
        values=values,
        errors=errors,
        trackings=[x.value for x in Tracking],
        kinds=[x.value for x in PartKind],
        page_size=PART_PAGE_SIZE,
    ), (422 if errors else 200)


def _part_page(part: Part, errors: list[FieldError], failed_depot: str | None = None):
    db = get_session()
    policies = {
        p.depot_id: p for p in db.scalars(select(StockPolicy).where(StockPolicy.part_id == part.id))
    }
    trail = audit.audit_trail(db, audit.resolve_subject(db, "part", part.part_number))
    return render_template(
        "admin/part.html",
        part=part,
        depots=_depots(),
        policies=policies,
        errors=errors,
        failed_depot=failed_depot,
        typed=request.form if failed_depot else {},
        details=request.form
        if errors and not failed_depot
        else {k: getattr(part, k) for k in catalogue.PART_FIELDS},
        kinds=[x.value for x in PartKind],
        trail=trail,
        succession=supersession.supersession_view(db, part),
    ), (422 if errors else 200)


def _part(part_number: str) -> Part | None:
    return get_session().scalar(select(Part).where(Part.part_number == part_number))


@bp.get("/parts/<part_number>")
@roles_page()
def part_page(part_number: str):
    part = _part(part_number)
    if part is None:
        return not_found_page()
    return _part_page(part, [])


@bp.post("/parts/<part_number>")
@roles_page()
def part_change(part_number: str):
    """The part's descriptions, category, kind and cost (``PartUpdate``); a blank Chinese
    description clears it."""
    db = get_session()
    part = _part(part_number)
    if part is None:
        return not_found_page()
    payload: dict = {
        k: request.form.get(k, "").strip() for k in ("description", "category", "kind", "unit_cost")
    }
    payload["description_zh"] = request.form.get("description_zh", "").strip() or None
    data, errors = load_form(PartUpdate(), payload)
    errors = [replace(e, label=t("adm.f.part_kind")) if e.field == "kind" else e for e in errors]
    if not errors:
        try:
            catalogue.update_part(db, part_number, data, actor=actor_name())
        except DomainError as error:
            errors = domain_error(error)
        else:
            flash(t("a14.part.saved", part=part_number), "success")
            return redirect(url_for("admin.part_page", part_number=part_number))
    return _part_page(part, errors)


@bp.post("/parts/<part_number>/supersession")
@roles_page()
def part_supersession(part_number: str):
    """Which part number replaces this one, one-way or two-way (``SupersessionSchema``);
    a blank part number: none does."""
    db = get_session()
    part = _part(part_number)
    if part is None:
        return not_found_page()
    payload = {
        "replaced_by": request.form.get("replaced_by", "").strip() or None,
        "two_way": request.form.get("two_way") == "yes",
    }
    _, errors = save_form(
        SupersessionSchema(),
        payload,
        lambda data: supersession.set_supersession(
            db, part_number, data["replaced_by"], two_way=data["two_way"], actor=actor_name()
        ),
    )
    if not errors:
        flash(t("sup.saved", part=part_number), "success")
        return redirect(url_for("admin.part_page", part_number=part_number))
    return _part_page(part, errors)


@bp.post("/parts/<part_number>/tools")
@roles_page()
def part_tools(part_number: str):
    """The tools a job on this part needs, as one comma- or line-separated list
    (inventory.vans.set_part_tools)."""
    db = get_session()
    part = _part(part_number)
    if part is None:
        return not_found_page()
    tools = [x for x in re.split(r"[,，、\n]", request.form.get("tools", "")) if x.strip()]
    try:
        vans.set_part_tools(db, part_number, tools, actor=actor_name())
    except DomainError as error:
        return _part_page(part, domain_error(error))
    flash(t("part_tools.saved", part=part_number), "success")
    return redirect(url_for("admin.part_page", part_number=part_number))


@bp.post("/parts/<part_number>/policies/<depot_code>")
@roles_page()
def part_policy(part_number: str, depot_code: str):
    """Set one depot's reorder point and target level (``PolicySchema``)."""
    db = get_session()
    part = _part(part_number)
    if part is None:
        return not_found_page()
    payload = {k: request.form.get(k, "").strip() for k in ("reorder_point", "target_level")}
    _, errors = save_form(
        PolicySchema(),
        payload,
        lambda data: catalogue.set_stock_policy(
            db, part_number, depot_code, actor=actor_name(), **data
        ),
    )
    if not errors:
        flash(t("adm.policy_saved", part=part_number, depot=depot_code), "success")
        return redirect(url_for("admin.part_page", part_number=part_number))
    return _part_page(part, errors, failed_depot=depot_code)


# --- depots ------------------------------------------------------------------------------------

DEPOT_LABELS = {"code": "adm.f.depot_code_new", "name": "adm.f.depot_name"}


@bp.route("/depots", methods=["GET", "POST"])
@roles_page()
def depot_list():
    """The depots and a form adding one (``DepotSchema``; placed from the coordinates given,
    else the geocoded address, as the API does)."""
    db = get_session()
    errors: list[FieldError] = []
    values: dict[str, str] = {"timezone": "Asia/Shanghai"}
    if request.method == "POST":
        values = dict(request.form)
        names = ("code", "name", "name_en", "address", "city", "lat", "lon", "timezone")
        payload = {k: request.form.get(k, "").strip() for k in names}
        payload = {k: v for k, v in payload.items() if v}
        depot, errors = save_form(
            DepotSchema(),
            payload,
            lambda data: catalogue.create_depot(db, data, locate=locate, actor=actor_name()),
        )
        if not errors:
            flash(t("adm.depot_created", code=depot.code), "success")
            return redirect(url_for("admin.depot_list"))
        errors = [
            replace(e, label=t(DEPOT_LABELS[e.field])) if e.field in DEPOT_LABELS else e
            for e in errors
        ]
    depots = list(db.scalars(select(Depot).order_by(Depot.code).limit(1000)))
    return render_template("admin/depots.html", depots=depots, values=values, errors=errors), (
        422 if errors else 200
    )
