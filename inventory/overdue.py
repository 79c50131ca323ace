"""Which faulty parts are late: a pure function over plain data (no database, no clock).

An advance replacement's faulty part is due back by its return deadline (computed on the
contract's calendar when the replacement was delivered, see ``logistics.sla``). At time
`now` it is overdue when the deadline has passed and the part has not been received; the
charge is the contract's late-return charge. The escalation sweep and the RMA service both
call this; flagging (once) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from logistics.calendars import require_utc


@dataclass(frozen=True)
class ReturnWindow:
    """One RMA's return window. Times UTC; `charge` is the contract's late-return charge."""

    rma_id: int
    number: str
    return_due_at: datetime | None
    faulty_received_at: datetime | None = None
    already_flagged: bool = False
    charge: Decimal = Decimal("0")
    currency: str = "CNY"


@dataclass(frozen=True)
class LateReturn:
    """A return past its window: `late_by_minutes` of wall-clock time at `now`."""

    rma_id: int
    number: str
    return_due_at: datetime
    late_by_minutes: float
    charge: Decimal
    currency: str


def is_overdue(window: ReturnWindow, now: datetime) -> bool:
    """Past the deadline (strictly) with the part not received by then."""
    now = require_utc(now, "now")
    if window.return_due_at is None:
        return False
    due = require_utc(window.return_due_at, "return_due_at")
    if window.faulty_received_at is not None:
        return require_utc(window.faulty_received_at, "faulty_received_at") > due
    return now > due


def overdue_returns(
    windows: Iterable[ReturnWindow], now: datetime, *, include_flagged: bool = False
) -> list[LateReturn]:
    """The windows that are overdue at `now` (not yet flagged unless `include_flagged`),
    most late first."""
    now = require_utc(now, "now")
    late = []
    for w in windows:
        if (w.already_flagged and not include_flagged) or not is_overdue(w, now):
            continue
        assert w.return_due_at is not None  # is_overdue said so
        due = require_utc(w.return_due_at, "return_due_at")
        until = w.faulty_received_at or now
        late.append(
            LateReturn(
                w.rma_id, w.number, due, (until - due).total_seconds() / 60.0, w.charge, w.currency
            )
        )
    return sorted(late, key=lambda r: (-r.late_by_minutes, r.number))
