"""Text typed into the pages' forms, held to the same limits as the API (models/limits.py).

``form_text(form, "symptom")`` is the trimmed text of a field, or None when blank; text
longer than the field's limit raises InvalidInput naming the field in the reader's
language, which the views already show ("创建工单失败：故障现象最多 4000 个字符"). A form field
is listed once in ``FORM_FIELDS`` with its limit and the label the page shows for it; a
page that adds a free-text field adds it here, and its template sets
``maxlength="{{ limits.X }}"`` from the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.web.i18n import t
from inventory.errors import InvalidInput
from models import limits


@dataclass(frozen=True)
class FormField:
    limit: int  # characters, from models/limits.py
    label: str  # i18n key of the label the page shows


FORM_FIELDS: dict[str, FormField] = {
    # the dispatcher's fault report
    "symptom": FormField(limits.SYMPTOM, "dsp.symptom"),
    "contact_name": FormField(limits.PERSON_NAME, "dsp.contact"),
    "contact_phone": FormField(limits.PHONE, "dsp.phone"),
    "part_number": FormField(limits.PART_NUMBER, "common.part_number"),
    "equipment_serial": FormField(limits.SERIAL, "dsp.equipment_serial"),
    # a new site (placed by address, or picked on the map)
    "site_code": FormField(limits.CODE, "dsp.site_code"),
    "site_name": FormField(limits.ORG_NAME, "dsp.site_name"),
    "site_address": FormField(limits.ADDRESS, "dsp.site_address"),
    # the warehouse's actions
    "new_serial": FormField(limits.SERIAL, "wh.act.new_serial"),
    "carrier": FormField(limits.CARRIER, "wh.act.carrier"),
    "waybill": FormField(limits.WAYBILL, "wh.act.waybill"),
    "analysis": FormField(limits.LONG_TEXT, "wh.act.analysis"),
    "vendor": FormField(limits.VENDOR, "wh.act.vendor"),
    "reason": FormField(limits.REASON, "common.reason"),
    "note": FormField(limits.STAFF_NOTE, "common.note"),
    "reference": FormField(limits.REFERENCE, "common.reference"),
}


def form_text(form: Mapping[str, str], name: str) -> str | None:
    """The trimmed text of field ``name`` (None when blank); InvalidInput naming the field
    when it is longer than its limit."""
    field = FORM_FIELDS[name]
    text = (form.get(name) or "").strip()
    if len(text) > field.limit:
        message = t("form.too_long", field=t(field.label), n=field.limit, got=len(text))
        raise InvalidInput(
            message,
            field=name,
            key="too_long",
            params={"field": t(field.label), "n": field.limit, "got": len(text)},
        )
    return text or None
