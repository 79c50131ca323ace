"""Server-rendered pages for the roles: sign-in, warehouse console, dispatcher board,
engineer jobs and the customer tracking page. Business rules stay in ``inventory/``
and ``logistics/``; these views read, call one service, and render."""

from __future__ import annotations

from datetime import UTC

from flask import Flask, current_app, g, render_template, request
from markupsafe import Markup, escape

from app.formatting import format_deadline
from app.web import maps
from app.web.i18n import (
    HTML_LANG,
    LANGS,
    ZONES,
    category_text,
    city_text,
    current_lang,
    current_zone,
    day_text,
    duration_text,
    error_text,
    escalation_who,
    init_babel,
    js_messages,
    local_time,
    minutes_text,
    money_text,
    month_text,
    number_text,
    part_text,
    percent_text,
    t,
    t_code,
    utc_iso,
)
from inventory.sla_outcomes import clock_pause
from inventory.tracking import grouped
from models import limits, utcnow

# (endpoint, message key, roles that see it); admin sees every page of a signed-in role.
NAV = [
    ("admin.home", "nav.admin", ()),
    ("warehouse.console", "nav.warehouse", ("warehouse",)),
    ("warehouse.delivery_import", "nav.import", ("warehouse",)),
    ("wh_counts.index", "nav.counts", ("warehouse",)),
    ("warehouse.reorder", "nav.reorder", ("warehouse", "dispatcher")),
    ("planning_page.page", "nav.planning", ("warehouse",)),
    ("dispatch.board", "nav.dispatch", ("dispatcher",)),
    ("dispatch.routes", "nav.routes", ("dispatcher",)),
    ("dispatch.alerts", "nav.alerts", ("dispatcher",)),
    ("engineer.jobs", "nav.jobs", ("engineer",)),
    ("vans.mine", "nav.my_van", ("engineer",)),
    ("vans.depot_page", "nav.vans", ("warehouse", "dispatcher")),
    ("rtv.index", "nav.rtv", ("warehouse",)),
    ("customer.overview", "nav.my_service", ("customer",)),
    ("tracking.my_rmas", "nav.my_rmas", ("customer",)),
    ("complaints.mine", "nav.my_complaints", ("customer",)),
    ("service_files.index", "nav.service_files", ("customer",)),
    ("complaints.board", "nav.complaints", ("dispatcher",)),
    ("reports.indicators", "nav.indicators", ("dispatcher",)),
    ("tracking.track_form", "nav.track", ("customer", "anonymous")),
]

WEB_BLUEPRINTS = (
    "web_auth",
    "warehouse",
    "wh_counts",
    "dispatch",
    "engineer",
    "customer",
    "tracking",
    "documents",
    "planning_page",
    "admin",
    "admin_settings",
    "admin_network",
    "vans",
    "complaints",
    "inspections_web",
    "rtv",
    "reports",
    "service_files",
)

# Pages only load their own scripts and styles; nothing inline, nothing third-party.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The browsable API docs (flask-smorest's Swagger UI page) start Swagger UI inline.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
# JSON is data, never a document: it may load nothing and be framed nowhere.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"
JSON_TYPES = ("application/json", "application/problem+json")


def register_web(app: Flask) -> None:
    from app.web import (
        admin,
        admin_network,
        admin_settings,
        auth,
        complaints,
        counts,
        customer,
        dispatcher,
        documents,
        engineer,
        inspections,
        planning,
        reports,
        rtv,
        service_files,
        tracking,
        vans,
        warehouse,
    )

    for module in (
        auth,
        warehouse,
        counts,
        dispatcher,
        engineer,
        customer,
        tracking,
        documents,
        planning,
        admin,
        admin_settings,
        admin_network,
        vans,
        complaints,
        inspections,
        rtv,
        reports,
        service_files,
    ):
        app.register_blueprint(module.bp)

    init_babel(app)
    app.jinja_env.globals.update(
        t=t,
        t_code=t_code,
        current_lang=current_lang,
        current_zone=current_zone,
        LANGS=LANGS,
        ZONES=ZONES,
        html_lang=lambda: HTML_LANG[current_lang()],
        nav_items=_nav_items,
        local_time=local_time,
        day_text=day_text,
        month_text=month_text,
        deadline_text=deadline_text,
        utc_iso=utc_iso,
        duration_text=duration_text,
        minutes_text=minutes_text,
        escalation_who=escalation_who,
        error_text=error_text,
        clock_pause=lambda ticket, outcome: clock_pause(ticket, outcome, utcnow()),
        map_base=maps.base_layer,
        map_credit=_map_credit,
        js_messages=js_messages,
        viewer=_viewer,
        limits=limits,
        responsive_table=_responsive_table,
    )
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["deadline"] = deadline
    app.jinja_env.filters["fromiso"] = from_iso
    app.jinja_env.filters["trackcode"] = grouped
    app.jinja_env.filters["city"] = city_text
    app.jinja_env.filters["part"] = part_text
    app.jinja_env.filters["category"] = category_text
    app.jinja_env.filters["day"] = day_text
    app.jinja_env.filters["money"] = money_text
    app.jinja_env.filters["number"] = number_text
    app.jinja_env.filters["percent"] = percent_text
    app.context_processor(lambda: {"server_now": utcnow()})
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf_failed(error):
        if request.path.startswith("/api"):
            return app.extensions["sparelog.api"].handle_http_exception(error)
        return render_template("error.html", code=400, message=t("error.csrf")), 400

    base = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]
    if app.config.get("HSTS"):
        # browsers heed it only over HTTPS, which production is served on
        base.append(("Strict-Transport-Security", HSTS))

    page_csp = CSP
    with app.app_context():
        tiles = maps.tile_origin()
    if tiles:  # a configured tile server: its images may load on the pages
        page_csp = CSP.replace("img-src 'self' data:", f"img-src 'self' data: {tiles}")

    @app.after_request
    def _security_headers(response):
        """Every response: no MIME sniffing, no framing, no referrer outside the site, no
        device features, HTTPS only (production). Pages and JSON get their own CSP, and
        what a signed-in caller sees is not stored by caches. A header the view set wins."""
        wanted = list(base)
        if response.mimetype == "text/html":
            wanted.append(
                (
                    "Content-Security-Policy",
                    DOCS_CSP if request.blueprint == "api-docs" else page_csp,
                )
            )
            if request.blueprint in WEB_BLUEPRINTS:
                wanted.append(("Cache-Control", "no-store"))
                response.vary.add("Cookie")
        elif response.mimetype in JSON_TYPES:
            wanted.append(("Content-Security-Policy", API_CSP))
            if g.get("current_user") is not None:
                wanted.append(("Cache-Control", "no-store"))
        present = {key.lower() for key, _value in response.headers}
        response.headers.extend([(k, v) for k, v in wanted if k.lower() not in present])
        return response


def _responsive_table(*args, **kwargs):
    """The ``responsive_table`` macro of app/templates/_table.html, callable from every page
    without an import (``{% call responsive_table([...]) %}rows{% endcall %}``)."""
    macro = current_app.jinja_env.get_template("_table.html").module.responsive_table  # type: ignore[attr-defined]
    return macro(*args, **kwargs)


def _map_credit() -> str:
    """Who made the map's base layer: the tile source's attribution, or the bundled outline."""
    layer = maps.base_layer()
    if "tiles" in layer:
        return layer["attribution"] or t("map.tiles_credit")
    return t("map.outline_credit")


def when(moment, kind: str = "datetime") -> Markup:
    """A UTC moment as ``<time>``: shown in the viewer's zone and locale (``local_time``),
    the UTC ISO in ``datetime``."""
    if moment is None:
        return Markup(escape(t("common.none")))
    iso = utc_iso(moment)
    return Markup(
        f'<time datetime="{iso}" data-utc="{iso}">{escape(local_time(moment, kind))}</time>'
    )


def deadline_text(moment) -> str:
    """A deadline in the viewer's zone and language, as the documents print it:
    "12月26日 24:00前" / "by end of 26 Dec" (app/formatting.format_deadline)."""
    if moment is None:
        return t("common.none")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_deadline(moment, current_zone(), current_lang())


def deadline(moment) -> Markup:
    """A deadline as ``<time>``, the UTC ISO in ``datetime``."""
    if moment is None:
        return Markup(escape(t("common.none")))
    iso = utc_iso(moment)
    return Markup(f'<time datetime="{iso}" data-utc="{iso}">{escape(deadline_text(moment))}</time>')


def from_iso(text):
    """An ISO 8601 string from event data as an aware datetime (None when unreadable)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _viewer():
    from app.auth import viewer_for_page

    return viewer_for_page()


def _nav_items() -> list[tuple[str, str, bool]]:
    """(url, label, is current) for the viewer's role."""
    from flask import current_app, url_for

    user = _viewer()
    role = user.role if user is not None else "anonymous"
    items = []
    for endpoint, key, roles in NAV:
        if endpoint not in current_app.view_functions:
            continue
        if role in roles or role == "admin":
            items.append((url_for(endpoint), t(key), request.endpoint == endpoint))
    return items
