"""Stock counts as documents (started, counted, reviewed, posted) and the actions the
reorder list leads to (a transfer accepted from a surplus depot, or a purchase request)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow

COUNT_STATUS_CHECK = "status IN ('counting', 'review', 'posted', 'cancelled')"


class StockCount(Base):
    """One count of some parts (or every part) at one depot. The expected list is frozen
    when it starts; its status moves only by compare-and-set (inventory.stock_counts)."""

    __tablename__ = "stock_counts"
    __table_args__ = (CheckConstraint(COUNT_STATUS_CHECK, name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # models.enums.CountStatus
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))
    # the variance a line may show before it needs a recount or a second person
    limit_units: Mapped[int] = mapped_column(default=2)
    limit_value: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("1000"))
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]
    posted_by: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime | None]
    round: Mapped[int] = mapped_column(default=1)  # 2, 3...: recounts asked for

    lines: Mapped[list[StockCountLine]] = relationship(
        back_populates="count", order_by="StockCountLine.id"
    )


class StockCountLine(Base):
    """What the books said at the start (``expected``) and what was counted, for one
    serial or one (part, condition) quantity. A serial scanned that the list did not
    expect is a line with ``expected`` 0 and a ``finding``."""

    __tablename__ = "stock_count_lines"
    __table_args__ = (
        CheckConstraint("expected >= 0", name="expected_nonneg"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    serial_item_id: Mapped[int | None] = mapped_column(ForeignKey("serial_items.id"))
    serial: Mapped[str | None] = mapped_column(String(64))
    condition: Mapped[str] = mapped_column(String(12))
    reserved: Mapped[bool] = mapped_column(default=False)  # promised at the start
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    expected: Mapped[int] = mapped_column(default=0)  # the books at the start
    book_at_count: Mapped[int | None]  # the books when it was counted (counted parts)
    counted: Mapped[int | None]
    counted_by: Mapped[str | None] = mapped_column(String(64))
    counted_at: Mapped[datetime | None]
    previous_counted: Mapped[int | None]  # the count before a recount was asked for
    previous_counted_by: Mapped[str | None] = mapped_column(String(64))
    recount: Mapped[bool] = mapped_column(default=False)  # asked to be counted again
    finding: Mapped[str | None] = mapped_column(String(16))  # models.enums.CountFinding
    finding_where: Mapped[str | None] = mapped_column(String(120))  # where the ledger has it
    outcome: Mapped[str | None] = mapped_column(String(24))  # what posting did

    count: Mapped[StockCount] = relationship(back_populates="lines")


class PurchaseRequest(Base):
    """A suggestion to buy, accepted from the reorder list when no depot can spare it."""

    __tablename__ = "purchase_requests"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("status IN ('open', 'ordered', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    qty: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")  # PurchaseRequestStatus
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))


class ReorderAction(Base):
    """A reorder line accepted: the transfer or purchase request it created. ``open_key``
    (depot:part) is unique while the action is under way, so a second click — or a second
    person — gets the same action back instead of a second one."""

    __tablename__ = "reorder_actions"
    __table_args__ = (UniqueConstraint("open_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    open_key: Mapped[str | None] = mapped_column(String(80))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    kind: Mapped[str] = mapped_column(String(12))  # transfer | purchase
    qty: Mapped[int]
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    purchase_request_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_requests.id"))
    accepted_by: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
