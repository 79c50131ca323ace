"""Wording the e-mails of the outbox at send time, in the recipient's language.

``inventory.notifications`` records each e-mail as plain data — message keys of the
catalogue and their params, the recipient's language and zone (``OutboxMessage.mail``) —
and this module turns it into a subject and a text body: the words from the gettext
catalogue (``app.i18n``), dates, deadlines and money from ``app.formatting`` in the
mail's zone ("请在3月5日 24:00前寄回故障件。" / "Return the faulty part by end of 5 Mar.").
An e-mail stored with its words (before this, ``mail`` NULL) is sent as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from app import formatting
from app.i18n import LANGS, N_, has_key, translate
from logistics.sla import DEFAULT_ESCALATION

DEFAULT_ZONE = "Asia/Shanghai"
# a complaint escalated to a department without a named head (inventory.sweep)
_DEPARTMENT_HEAD = "department head"


def render_mail(mail: Mapping, *, now: datetime | None = None) -> tuple[str, str]:
    """(subject, body) of a mail recorded as keys and params; ``now`` (UTC, default the
    current time) decides whether a deadline names its year."""
    lang = str(mail["lang"]) if mail.get("lang") in LANGS else "zh"
    zone = mail.get("zone") or DEFAULT_ZONE
    key, params = mail["subject"]
    subject = _line(key, params, lang, zone, now).rstrip(" .。:：")
    lines = [
        "" if line is None else _line(line[0], line[1], lang, zone, now)
        for line in mail.get("lines", [])
    ]
    return subject, "\n".join(lines) + "\n"


def _line(key: str, params: Mapping, lang: str, zone: str, now: datetime | None) -> str:
    values = {name: _value(value, lang, zone, now) for name, value in (params or {}).items()}
    return translate(key, lang, **values).rstrip()


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _value(value: object, lang: str, zone: str, now: datetime | None) -> str:
    if value is None:
        return formatting.BLANK
    if not isinstance(value, Mapping):
        return str(value)
    if "deadline" in value:
        return formatting.format_deadline(_moment(value["deadline"]), zone, lang, now=now)
    if "moment" in value:
        return formatting.format_moment(_moment(value["moment"]), zone, lang)
    if "money" in value:
        return formatting.format_money(
            Decimal(value["money"]), lang, currency=value.get("currency")
        )
    if "code" in value:
        prefix, code = value["code"]
        return _coded(prefix, code, lang)
    if "key" in value:
        return translate(value["key"], lang)
    if "who" in value:
        return escalation_target(value["who"], lang)
    if "names" in value:
        names = value["names"]
        return str(names.get(lang) or names.get("zh") or formatting.BLANK)
    raise ValueError(f"unknown mail value {value!r}")


def _coded(prefix: str, code: object, lang: str) -> str:
    if code is None or code == "":
        return formatting.BLANK
    key = f"{prefix}.{code}"
    return translate(key, lang) if has_key(key) else str(code)


def escalation_target(who: str, lang: str) -> str:
    """Whom an escalation goes to: the default ladder's roles and "department head" in
    ``lang``; a contract's or a department's own words as typed."""
    for step in DEFAULT_ESCALATION:
        if who == step.who:
            return translate(f"esc.default_who.{step.level}", lang)
    if who == _DEPARTMENT_HEAD:
        return translate(N_("mail.who.department_head"), lang)
    return who
