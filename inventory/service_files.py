"""The customer's service files: which period a file covers, keeping the generated PDF,
and telling the customer (an event ``issued`` → the outbox e-mails them a link to their
pages). Rendering is app/documents' (no PDF is made here).

Periods: ``2026Q4`` (a quarterly file: every fault handling report of the quarter behind a
summary) and ``2026`` (the annual service summary), in the customer's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from inventory.errors import InvalidInput, NotFound
from inventory.events import record_on
from inventory.transaction import transaction
from models import Customer, ServiceFile, utcnow

KINDS = ("quarterly", "annual")
LANGS = ("zh", "en")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # quarterly | annual
    year: int
    quarter: int | None  # 1-4 for a quarterly file

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of each month the period covers, in order."""
        first = (self.quarter - 1) * 3 + 1 if self.quarter else 1
        count = 3 if self.quarter else 12
        return [(self.year, m) for m in range(first, first + count)]

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The period in ``tz`` as a half-open UTC interval [start, end)."""
        zone = ZoneInfo(tz)
        first_year, first_month = self.months()[0]
        last_year, last_month = self.months()[-1]
        start = datetime(first_year, first_month, 1, tzinfo=zone)
        end_year, end_month = (
            (last_year + 1, 1) if last_month == 12 else (last_year, last_month + 1)
        )
        end = datetime(end_year, end_month, 1, tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def first_and_last_day(self) -> tuple[date, date]:
        (y0, m0), (y1, m1) = self.months()[0], self.months()[-1]
        end = date(y1 + 1, 1, 1) if m1 == 12 else date(y1, m1 + 1, 1)
        return date(y0, m0, 1), date.fromordinal(end.toordinal() - 1)


def parse_period(text: str, *, field: str = "period") -> Period:
    """``2026Q4`` → a quarterly period, ``2026`` → an annual one; InvalidInput otherwise."""
    text = (text or "").strip().upper()
    if m := _QUARTER.match(text):
        year, quarter = int(m.group(1)), int(m.group(2))
        kind = "quarterly"
    elif m := _YEAR.match(text):
        year, quarter, kind = int(m.group(1)), None, "annual"
    else:
        raise InvalidInput(
            "a period is YYYYQn (a quarter) or YYYY (a year)", field=field, key="period_format"
        )
    if not 2000 <= year <= 2199:
        raise InvalidInput("the year is out of range", field=field, key="year_out_of_range")
    return Period(kind, year, quarter)


def previous_periods(now: datetime, tz: str) -> list[Period]:
    """The quarter and the year that ended last before ``now`` (in ``tz``): what the
    schedule generates."""
    today = now.astimezone(ZoneInfo(tz)).date()
    quarter = (today.month - 1) // 3 + 1
    last_q = (
        Period("quarterly", today.year, quarter - 1)
        if quarter > 1
        else Period("quarterly", today.year - 1, 4)
    )
    return [last_q, Period("annual", today.year - 1, None)]


def has_ended(period: Period, tz: str, now: datetime) -> bool:
    return period.bounds(tz)[1] <= now


def stored_file(
    session: Session, customer_id: int, period: Period, lang: str
) -> ServiceFile | None:
    return session.scalar(
        select(ServiceFile).where(
            ServiceFile.customer_id == customer_id,
            ServiceFile.kind == period.kind,
            ServiceFile.period == period.code,
            ServiceFile.lang == lang,
        )
    )


def files_of(session: Session, customer_id: int) -> list[ServiceFile]:
    """A customer's stored files, newest period first (without loading the PDFs' bytes
    more than the list needs)."""
    return list(
        session.scalars(
            select(ServiceFile)
            .where(ServiceFile.customer_id == customer_id)
            .order_by(ServiceFile.period.desc(), ServiceFile.kind, ServiceFile.lang)
        )
    )


def file_for_download(
    session: Session, customer_id: int, period_code: str, lang: str
) -> ServiceFile:
    """The stored file of a period in ``lang`` (else in the other language); NotFound."""
    period = parse_period(period_code)
    for wanted in (lang, *(x for x in LANGS if x != lang)):
        found = stored_file(session, customer_id, period, wanted)
        if found is not None:
            return found
    raise NotFound.unknown(
        "service_file", period.code, message=f"no service file {period.code}", field="period"
    )


def store_file(
    session: Session,
    customer: Customer,
    period: Period,
    lang: str,
    pdf: bytes,
    *,
    reports: int,
    actor: str,
    now: datetime | None = None,
) -> ServiceFile:
    """Keep the generated PDF (replacing an earlier one of the same period and language)
    and tell the customer (event ``issued``: the outbox e-mails them); commits."""
    if lang not in LANGS:
        raise InvalidInput("lang must be zh or en", field="lang", key="lang_choice")
    now = now or utcnow()
    with transaction(session):
        existing = stored_file(session, customer.id, period, lang)
        if existing is None:
            existing = ServiceFile(
                customer_id=customer.id, kind=period.kind, period=period.code, lang=lang,
                pdf=pdf, reports=reports, generated_at=now, generated_by=actor,
            )  # fmt: skip
            session.add(existing)
            session.flush()
        else:
            session.execute(
                update(ServiceFile)
                .where(ServiceFile.id == existing.id)
                .values(pdf=pdf, reports=reports, generated_at=now, generated_by=actor)
                .execution_options(synchronize_session=False)
            )
        record_on(
            session,
            "service_file",
            existing,
            "issued",
            actor=actor,
            ref=f"{period.code} {lang}",
            customer_id=customer.id,
            at=now,
            customer_visible=True,
            data={"kind": period.kind, "period": period.code, "lang": lang, "reports": reports},
        )
    session.refresh(existing)
    return existing
