"""The pages' words in zh-CN (default) and English, and the viewer's language and zone.

The words live in the gettext catalogue (``app.i18n``: app/translations/*/messages.po,
msgid = the key). Templates and views call ``t("key", name=...)``; a key missing from
the catalogue raises ``MissingTranslation`` when the app runs with ``I18N_STRICT`` (on
under TESTING), so a test that renders a page in both languages proves the page has no
untranslated key. In production a missing key shows the key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.support import Translations
from flask import Flask, current_app, g, session
from flask_babel import Babel, Domain

from app import formatting
from app import i18n as catalogue
from app.i18n import LANGS, MESSAGES, MissingTranslation

__all__ = ["LANGS", "MESSAGES", "MissingTranslation", "init_babel", "t", "t_code"]

HTML_LANG = {"zh": "zh-CN", "en": "en"}
# The zones offered in the preferences; any IANA name is accepted in the session.
ZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
)


# Not-yet-folded message modules of work in progress: ``{key: (zh, en)}`` dicts in
# app/web/i18n_<name>.py, registered with one import and one ``MESSAGES.update(...)`` line
# here; ``python -m scripts.i18n fold app.web.i18n_<name>`` moves them into the .po
# catalogues and deletes both lines (docs/i18n.md).


class _CatalogueDomain(Domain):
    """Flask-Babel's gettext and the Jinja ``_()`` read the same compiled catalogue."""

    def get_translations(self) -> Translations:
        return catalogue.translations(current_lang())


class _Babel(Babel):
    _catalogue_domain = _CatalogueDomain()

    @property
    def domain_instance(self) -> Domain:
        return self._catalogue_domain


def init_babel(app: Flask) -> None:
    """Flask-Babel with the viewer's language (``current_lang``) and zone as its locale
    and timezone: the locale is the one ``app.formatting`` formats that language by
    (``en_GB`` for English), so ``flask_babel.format_datetime`` / ``format_decimal``
    agree with the pages' and the PDFs' formats. The words come from the catalogue."""
    _Babel(
        app,
        locale_selector=lambda: formatting.FORMAT_LOCALES[current_lang()],
        timezone_selector=current_zone,
        default_locale="zh_CN",
        default_timezone="Asia/Shanghai",
    )


def strict() -> bool:
    return bool(current_app.config.get("I18N_STRICT", current_app.config.get("TESTING")))


def current_lang() -> str:
    """The viewer's language: their choice in the session, else their account's, else
    the configured default (zh)."""
    if "lang" in g:
        return g.lang
    lang = session.get("lang")
    if lang not in LANGS:
        from app.auth import viewer_for_page

        user = viewer_for_page()
        lang = user.locale if user is not None and user.locale in LANGS else None
    if lang not in LANGS:
        lang = current_app.config.get("DEFAULT_LOCALE", "zh")
        lang = lang if lang in LANGS else "zh"
    g.lang = lang
    return lang


def current_zone() -> str:
    zone = session.get("tz") or current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "Asia/Shanghai"
    return zone


def translate(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang``; a missing key raises under I18N_STRICT."""
    return catalogue.message(key, lang, values, strict=strict())


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the viewer's language."""
    return translate(key, current_lang(), **values)


def t_code(prefix: str, code: str | None) -> str:
    """A stored code (state, reason, condition) in words; '—' for None."""
    if code is None or code == "":
        return t("common.none")
    return t(f"{prefix}.{code}")


def city_text(city: str | None) -> str:
    """A city as the reader names it: a Chinese city's Chinese name on a Chinese page (the
    gazetteer's, from GeoNames), else the name as stored."""
    if not city:
        return t("common.none")
    if current_lang() == "zh":
        from logistics.gazetteer import gazetteer

        return gazetteer().chinese_name(city) or city
    return city


def part_text(part) -> str:
    """A part's description in the reader's language: the Chinese one on a Chinese page when
    the catalogue has it, else the (English) description."""
    if part is None:
        return t("common.none")
    if current_lang() == "zh" and getattr(part, "description_zh", None):
        return part.description_zh
    return part.description


def category_text(category: str | None) -> str:
    """A part category (a code such as ``server``) in words when the catalogue has them."""
    if not category:
        return t("common.none")
    key = f"category.{category}"
    return t(key) if key in MESSAGES else category


def escalation_who(who: str | None) -> str:
    """Whom an escalation step goes to: the default ladder's roles in the reader's
    language, a contract's own words as typed."""
    from logistics.sla import DEFAULT_ESCALATION

    for step in DEFAULT_ESCALATION:
        if who == step.who:
            return t(f"esc.default_who.{step.level}")
    return who or t("common.none")


# The params of a domain error that are codes, and the catalogue prefix that words them.
_CODED_PARAMS = {
    "what": "thing",
    "rma_status": "rma_status",
    "ticket_status": "ticket_status",
    "condition": "condition",
    "item_status": "status",
    "return_status": "van.rstatus",
    "why": "refusal",
    "inspection_status": "ins.status",
    "rtv_status": "rtv_status",
    "count_status": "cnt.status",
    "complaint_status": "cpl.status",
    "discrepancy_status": "trf.dstatus",
}


def error_text(error) -> str:
    """A domain error (``inventory.errors.DomainError``) in the reader's language: the
    catalogue's ``err.<key>`` when the error carries a key, else its English message."""
    key = getattr(error, "key", None)
    if not key:
        return error.message
    values = dict(error.params or {})
    for name, prefix in _CODED_PARAMS.items():
        coded = f"{prefix}.{values.get(name)}"
        if name in values and coded in MESSAGES:  # a code without words prints as it is
            values[name] = t(coded)
    return t(f"err.{key}", **values)


def is_valid_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def local_time(moment: datetime | None, kind: str = "datetime") -> str:
    """``moment`` (aware, UTC) in the viewer's zone and locale (``app.formatting``):
    "2026年12月7日 14:30" / "7 Dec 2026, 14:30"; ``kind`` "day_time", "date" or "time"."""
    if moment is None:
        return t("common.none")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return formatting.format_moment(moment, current_zone(), current_lang(), kind)


def day_text(day: date | None) -> str:
    """A calendar day in the viewer's locale: "2026年12月7日" / "7 Dec 2026"."""
    return t("common.none") if day is None else formatting.format_day(day, current_lang())


def month_text(year: int, month: int) -> str:
    """A month in the viewer's locale: "2026年12月" / "December 2026"."""
    return formatting.format_month(year, month, current_lang())


def money_text(
    value: float | Decimal | None, whole: bool = False, currency: str | None = None
) -> str:
    """An amount in the viewer's locale, yuan unless ``currency`` says otherwise:
    "¥1,234.50" / "CN¥1,234.50"."""
    if value is None:
        return t("common.none")
    return formatting.format_money(value, current_lang(), whole=whole, currency=currency)


def number_text(value: float | Decimal | None, places: int = 0) -> str:
    """A quantity with the viewer's grouping: "12,346"."""
    if value is None:
        return t("common.none")
    return formatting.format_number(value, current_lang(), places)


def percent_text(rate: float | None) -> str:
    """A 0.0–1.0 share: "95.1%"."""
    if rate is None:
        return t("common.none")
    return formatting.format_percent(rate, current_lang())


def utc_iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def duration_text(seconds: float) -> str:
    """A short human duration, e.g. 1d 3h / 2h 5m / 4m 10s (absolute value)."""
    s = int(abs(seconds))
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    parts = []
    if d:
        parts += [t("duration.d", n=d), t("duration.h", n=h)]
    elif h:
        parts += [t("duration.h", n=h), t("duration.m", n=m)]
    else:
        parts += [t("duration.m", n=m), t("duration.s", n=sec)]
    return " ".join(parts)


def minutes_text(minutes: float) -> str:
    """Whole minutes as a short duration, e.g. 1h 5m / 12m (absolute value)."""
    m = int(abs(minutes))
    h, m = divmod(m, 60)
    if h >= 24:
        d, h = divmod(h, 24)
        return " ".join([t("duration.d", n=d), t("duration.h", n=h)])
    if h:
        return " ".join([t("duration.h", n=h), t("duration.m", n=m)])
    return t("duration.m", n=m)


def js_messages() -> dict[str, str]:
    """The few words the page scripts need, in the viewer's language."""
    keys = (
        "duration.d",
        "duration.h",
        "duration.m",
        "duration.s",
        "dsp.breached",
        "dsp.remaining",
        "trk.overdue",
        "imp.uploading",
        "imp.processing",
        "common.error",
        "common.loading",
        "eng.outbox.pending",
        "eng.outbox.rejected",
        "eng.outbox.discard",
        "eng.outbox.signin",
        "eng.outbox.full",
        "eng.sign.empty",
        "map.zoom_in",
        "map.zoom_out",
    )
    return {k: t(k) for k in keys}
