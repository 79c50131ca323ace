"""Schemas and helpers shared by the API blueprints."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Response, current_app, request
from marshmallow import validate
from sqlalchemy import or_

from app.auth import roles_required
from app.errors import problem
from app.idempotency import IDEMPOTENCY_PARAM, idempotent
from inventory.paging import count_and_cut
from inventory.serials import normalize_optional_serial
from inventory.vans import MAX_TOOLS, TOOL_LIMIT
from models import limits
from models.enums import Condition, JobStatus


class WholeNumber(ma.fields.Integer):
    """The one type of every whole number a client sends (quantities, counts, days, pages):
    ``3``, ``3.0`` and ``"3"`` are 3; ``1.9`` or ``"1.9"`` is refused (422), never cut to 1."""

    default_error_messages = {"invalid": "Not a whole number."}

    def _validated(self, value):
        if isinstance(value, float | Decimal) and not (
            Decimal(value).is_finite() and Decimal(value) == Decimal(value).to_integral_value()
        ):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Amount(ma.fields.Decimal):
    """A decimal amount with a fixed number of places: a value with more places is refused
    (``"2400.005"`` for cents is 422, never rounded), and zero has no sign (``"-0"`` is
    ``"0.00"``)."""

    default_error_messages = {"places": "At most {places} decimal places."}

    def _format_num(self, value):
        exact = Decimal(str(value))
        if self.places is not None and exact.is_finite() and exact != exact.quantize(self.places):
            raise self.make_error("places", places=-self.places.as_tuple().exponent)
        number = super()._format_num(value)
        return number.copy_abs() if number.is_finite() and number.is_zero() else number


class BothCoordinates(ma.Schema):
    """A place's ``lat`` and ``lon`` are given together or not at all (none: the address is
    geocoded); the schemas of sites and depots build on it."""

    @ma.validates_schema
    def _both_coordinates(self, data, **_kw):
        if ("lat" in data) != ("lon" in data):
            raise ma.ValidationError(
                "give both lat and lon, or neither", "lat" if "lat" not in data else "lon"
            )


class PageArgs(ma.Schema):
    # bounded so that the row offset, (page - 1) * page_size, fits a 64-bit database integer
    page = WholeNumber(load_default=1, validate=validate.Range(min=1, max=1_000_000_000))
    page_size = WholeNumber(load_default=50, validate=validate.Range(min=1, max=500))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """An envelope ``{items, page, page_size, total}`` around a list of ``item_schema``."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema)),
            "page": ma.fields.Integer(),
            "page_size": ma.fields.Integer(),
            "total": ma.fields.Integer(),
        },
    )


def page_of(items, total: int, args: dict) -> dict:
    return {"items": items, "page": args["page"], "page_size": args["page_size"], "total": total}


def _count_and_cut(db, stmt, args: dict):
    """The number of rows `stmt` selects, and `stmt` cut to the requested page."""
    return count_and_cut(db, stmt, args["page"], args["page_size"])


def scalar_page(db, stmt, args: dict, convert=lambda row: row) -> dict:
    """One page of an ORM select, counted and cut by the database (not in Python)."""
    total, page = _count_and_cut(db, stmt, args)
    return page_of([convert(row) for row in db.scalars(page)], total, args)


def mapping_page(db, stmt, args: dict) -> dict:
    """One page of a select of named columns, each row a dict; counted and cut likewise."""
    total, page = _count_and_cut(db, stmt, args)
    return page_of([dict(row) for row in db.execute(page).mappings()], total, args)


def where_given(stmt, args: dict, **columns):
    """``stmt`` narrowed to ``column == args[name]`` for each ``name=column`` filter the
    query gave (one left out or empty narrows nothing)."""
    for name, column in columns.items():
        if args.get(name):
            stmt = stmt.where(column == args[name])
    return stmt


def where_text(stmt, text: str | None, *columns):
    """``stmt`` narrowed to the rows where any of ``columns`` contains ``text`` in any
    case (a search box); no text narrows nothing."""
    if not text:
        return stmt
    like = f"%{text}%"
    return stmt.where(or_(*(column.ilike(like) for column in columns)))


def list_page(rows: list, args: dict) -> dict:
    """One page of rows already in memory (ranked or computed in Python, so no database
    cuts them), each dumped ``plain``."""
    start = (args["page"] - 1) * args["page_size"]
    return page_of([plain(row) for row in rows[start : start + args["page_size"]]], len(rows), args)


def plain(obj):
    """Dataclasses to dicts for marshmallow dumping."""
    if is_dataclass(obj):
        return asdict(obj)
    return obj


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A file the browser saves as ``filename`` rather than shows (a CSV or Excel export)."""
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def csv_attachment(header, rows, filename: str) -> Response:
    """``header`` and ``rows`` as a CSV file the browser saves as ``filename`` (with a BOM:
    Excel opens UTF-8 Chinese text correctly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return attachment("\ufeff" + out.getvalue(), "text/csv", filename)


def xlsx_attachment(header, rows, filename: str, *, sheet: str, widths=()) -> Response:
    """``header`` and ``rows`` as a one-sheet Excel workbook (the header row frozen; column
    ``widths`` in characters, from column A) the browser saves as ``filename``."""
    from openpyxl import Workbook  # loaded when a spreadsheet is first asked for
    from openpyxl.utils import get_column_letter

    book = Workbook()
    page = book.active
    page.title = sheet
    page.append(list(header))
    for cells in rows:
        page.append(list(cells))
    page.freeze_panes = "A2"
    for number, width in enumerate(widths, start=1):
        page.column_dimensions[get_column_letter(number)].width = width
    out = io.BytesIO()
    book.save(out)
    return attachment(out.getvalue(), XLSX, filename)


def file_responses(description: str, schema, *, xlsx: bool = True) -> dict:
    """How a read that answers JSON, or with ``?format=csv`` (and ``xlsx``) a file, is
    documented: its 200 with one content type each (for ``blp.doc(responses=...)``)."""
    content = {
        "application/json": {"schema": schema},
        "text/csv": {"schema": {"type": "string"}},
    }
    if xlsx:
        content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
    return {"200": {"description": description, "content": content}}


def require_json():
    """Write endpoints take JSON; anything else is 415 naming the header."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "_accepts_any_body", False):
        return None
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype != "application/json":
        if request.content_length or request.mimetype:
            return problem(
                415,
                "Unsupported Media Type",
                f"send Content-Type: application/json (got {request.mimetype or 'nothing'})",
                errors={"Content-Type": ["must be application/json"]},
            )
    return None


def screen_input():
    """What no schema can judge: a JSON body nested deeper than the parser goes (400), and
    text no database stores in the query or JSON body (422 naming the field): U+0000, which
    PostgreSQL refuses, and unpaired surrogates (JSON "\\ud800"), which are not UTF-8."""
    try:
        body = request.get_json(silent=True) if request.is_json else None
    except RecursionError:
        return problem(
            400,
            "Bad Request",
            "the JSON body is nested too deeply",
            errors={"_schema": ["nested too deeply"]},
        )
    query = {name: "".join(values) for name, values in request.args.lists()}
    field = _unstorable_text(query) or _unstorable_text(body)
    if field is None:
        return None
    message = "must not contain NUL (U+0000) or unpaired surrogate characters"
    return problem(422, "Unprocessable Entity", f"{field}: {message}", errors={field: [message]})


def _unstorable_text(value) -> str | None:
    """Where in a parsed JSON value a key or string is text no database stores, as ``lines.0.serial``."""
    pending = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str) and not _storable(item):
            return path or "_schema"
        children = (
            item.items()
            if isinstance(item, dict)
            else enumerate(item)
            if isinstance(item, list)
            else ()
        )
        for key, child in children:
            name = f"{path}.{key}" if path else str(key)
            if not _storable(name):
                return name
            pending.append((name, child))
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def Str(max_len: int, **kw) -> ma.fields.String:
    """A trimmed string field with a length limit matching its column."""
    required = kw.pop("required", False)
    checks = [validate.Length(min=1 if required else 0, max=max_len)]
    extra = kw.pop("validate", None)
    if extra is not None:
        checks.append(extra)
    return ma.fields.String(required=required, validate=checks, **kw)


class Flag(ma.fields.Boolean):
    """A JSON ``true`` / ``false``, as the spec says: 0, 1 or "yes" are refused (marshmallow
    would read them as booleans). Query strings keep ma.fields.Boolean ("true", "1")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class _SerialText(ma.fields.String):
    """A serial number, normalised on the way in (``inventory.serials.normalize_serial``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return normalize_optional_serial(text) or ""


def Serial(**kw) -> ma.fields.String:
    """A serial number: normalised (NFKC, no control or zero-width characters, trimmed,
    capitals) before its length is checked, so every schema takes serials one way."""
    required = kw.pop("required", False)
    checks = [validate.Length(min=1 if required else 0, max=limits.SERIAL)]
    return _SerialText(required=required, validate=checks, **kw)


STOCK_CONDITIONS = [Condition.GOOD.value, Condition.FAULTY.value]


def StockCondition() -> ma.fields.String:
    """The condition units are booked in with (received, counted, adjusted, transferred):
    good, the default, or faulty."""
    return ma.fields.String(load_default="good", validate=validate.OneOf(STOCK_CONDITIONS))


def tool_list(description: str) -> ma.fields.List:
    """A set of tool names as the API takes it (an engineer's kit, a part's job needs)."""
    return ma.fields.List(
        Str(TOOL_LIMIT, validate=validate.Length(min=1)),
        required=True,
        validate=validate.Length(max=MAX_TOOLS),
        metadata={"description": description},
    )


def Zone(**kw) -> ma.fields.String:
    """An IANA time zone name such as "Asia/Shanghai"; the clocks and reports run on it."""
    return Str(64, validate=_known_zone, **kw)


def _known_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (
        Exception
    ):  # not found (KeyError), malformed (ValueError), a folder such as "America" (OSError)
        raise ma.ValidationError(f"unknown time zone {name!r}") from None


def _amount_in_range(value) -> None:
    # a plain function, not validate.Range: apispec would document Range's bounds on a string
    if not 0 <= value <= 10_000_000:
        raise ma.ValidationError("must be between 0 and 10000000")


def _decimal_string(pattern: str, example: str) -> dict:
    """How an amount is documented: a string in decimal format (apispec would call a
    Decimal field a number), with its pattern and an example."""
    return {"type": "string", "format": "decimal", "pattern": pattern, "example": example}


def Money(**kw) -> Amount:
    """An amount with two decimals, 0 to 10,000,000, exchanged as a decimal string ("2400.00")
    so no client rounds it through a float; a number is accepted on input too. Documented
    as a string with a pattern (apispec would call a Decimal field a number)."""
    kw.setdefault("as_string", True)
    return Amount(
        places=2,
        validate=_amount_in_range,
        metadata=_decimal_string(r"^[0-9]{1,8}(\.[0-9]{1,2})?$", "2400.00"),
        **kw,
    )


def Choice(values, **kw) -> ma.fields.String:
    """A string the server answers from a fixed vocabulary (a status, a kind), documented
    with its enum so a client can switch over every value."""
    metadata = {"enum": [str(v) for v in values], **kw.pop("metadata", {})}
    return ma.fields.String(metadata=metadata, **kw)


def SignedMoney(**kw) -> ma.fields.Decimal:
    """An amount the server computes (a count's variance at cost: "-2400.00"), sent as a
    decimal string with two places and documented so, with its sign."""
    return ma.fields.Decimal(
        places=2,
        as_string=True,
        dump_only=True,
        metadata=_decimal_string(r"^-?[0-9]+\.[0-9]{2}$", "-2400.00"),
        **kw,
    )


# Dates and times a client sends stay within these years: past them the date arithmetic
# (a warranty's end, a day's minutes, the UTC form of a year-1 time at +14:00) overflows.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)
FIRST_TIME, LAST_TIME = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def Day(**kw) -> ma.fields.Date:
    """A calendar date from 1970 to 2199."""
    return ma.fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY), **kw)


def When(**kw) -> ma.fields.AwareDateTime:
    """An ISO 8601 timestamp with its UTC offset, from 1970 to 2199."""
    return ma.fields.AwareDateTime(validate=validate.Range(min=FIRST_TIME, max=LAST_TIME), **kw)


def idempotent_write(
    blp,
    path: str,
    body: type[ma.Schema] | ma.Schema | None,
    answer: type[ma.Schema] | ma.Schema,
    *roles: str,
    status: int = 200,
    body_required: bool = True,
    location: str = "json",
    method: str = "post",
):
    """Register a write a client may retry on ``blp``: ``method`` ``path`` taking ``body``
    (from ``location``; None: the path says it all), the ``Idempotency-Key`` header
    documented and honoured (a retry gets the first answer back and writes nothing twice),
    ``answer`` dumped with ``status``, for ``roles`` (an admin always may). One order for
    every such endpoint: the key is claimed after the body validates, the stored answer is
    the dumped one, and the role check runs inside."""

    def register(view):
        view = roles_required(*roles)(view)
        view = blp.response(status, answer)(view)
        view = idempotent(view)
        view = blp.doc(parameters=[IDEMPOTENCY_PARAM])(view)
        if body is not None:
            view = blp.arguments(body, location=location, required=body_required)(view)
        return getattr(blp, method)(path)(view)

    return register


def query_read(
    blp,
    path: str,
    query: type[ma.Schema] | ma.Schema,
    answer: type[ma.Schema] | ma.Schema,
    *roles: str,
):
    """Register a read on ``blp``: GET ``path`` taking ``query`` from the query string,
    ``answer`` dumped with 200, for ``roles`` (an admin always may). One order for every
    such endpoint, as ``idempotent_write`` for writes: the arguments are read and checked
    first, the role check runs inside."""

    def register(view):
        view = roles_required(*roles)(view)
        view = blp.response(200, answer)(view)
        view = blp.arguments(query, location="query")(view)
        return blp.get(path)(view)

    return register


class JobFields(ma.Schema):
    """A background job as ``inventory.jobs.job_fields`` answers it (route plans, planning
    runs); each API adds its own fields and its ``href``."""

    id = ma.fields.String()
    status = Choice(JobStatus)
    progress = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)
    error = ma.fields.String(allow_none=True)
    result = ma.fields.Dict(allow_none=True)
