"""Stable codes for the states and kinds the ledger records (stored as strings)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    WAREHOUSE = "warehouse"
    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"
    CUSTOMER = "customer"


class TicketStatus(StrEnum):
    """A service ticket's life (the moves between them: inventory/tickets.py)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class LocationKind(StrEnum):
    DEPOT = "depot"
    SUPPLIER = "supplier"
    IN_TRANSIT = "in_transit"
    CUSTOMER_SITE = "customer_site"
    REPAIR_VENDOR = "repair_vendor"
    SCRAP = "scrap"
    ADJUSTMENT = "adjustment"
    VAN = "van"  # an engineer's van or backpack: one location per engineer
    VENDOR = "vendor"  # a vendor's own site (e.g. its Shanghai hub) that parts go back to


class Tracking(StrEnum):
    SERIALIZED = "serialized"
    COUNTED = "counted"


class PartKind(StrEnum):
    REPAIRABLE = "repairable"
    CONSUMABLE = "consumable"


class Condition(StrEnum):
    GOOD = "good"
    FAULTY = "faulty"
    IN_REPAIR = "in_repair"
    SCRAPPED = "scrapped"


class ItemStatus(StrEnum):
    """Where a serialized item is in its life, independent of its condition."""

    IN_STOCK = "in_stock"  # on a depot shelf
    RESERVED = "reserved"  # on a depot shelf, promised to a reference (RMA, transfer)
    IN_TRANSIT = "in_transit"
    AT_CUSTOMER = "at_customer"
    AT_VENDOR = "at_vendor"
    SCRAPPED = "scrapped"
    MISSING = "missing"  # written off by a count; can be found again


class TransferStatus(StrEnum):
    """A transfer between depots: in transit until the receiving depot books it in."""

    SHIPPED = "shipped"
    RECEIVED = "received"  # everything as shipped
    DISCREPANCY = "discrepancy"  # received, with something missing, short, over or unexpected


class DiscrepancyStatus(StrEnum):
    """A transfer discrepancy (``models.TransferDiscrepancy``): open until resolved."""

    OPEN = "open"
    WRITE_OFF_REQUESTED = "write_off_requested"  # lost in transit, waiting for approval
    FOUND = "found"  # turned up at the destination, booked in
    WRITTEN_OFF = "written_off"  # the write-off approved by a second person
    NOTED = "noted"  # units that arrived unannounced, looked into


class PurchaseRequestStatus(StrEnum):
    """A purchase request raised from the reorder list."""

    OPEN = "open"  # raised, not yet ordered from a supplier
    ORDERED = "ordered"
    CANCELLED = "cancelled"


class CountStatus(StrEnum):
    """A stock count document: counted, then reviewed, then posted to the ledger."""

    COUNTING = "counting"  # started: the expected list frozen, lines being counted
    REVIEW = "review"  # submitted: variances shown, recount or approve, then post
    POSTED = "posted"  # movements written
    CANCELLED = "cancelled"


class CountFinding(StrEnum):
    """What the ledger says about a serial a count found that it did not expect."""

    MISSING = "missing"  # written off earlier: posting books it back in
    ELSEWHERE = "elsewhere"  # the books have it at another place: not moved, shown
    RECEIVED = "received"  # booked in here after the count started: nothing to post
    UNKNOWN = "unknown"  # no such serial: receive it (a delivery not booked?)
    RESERVED = "reserved"  # expected, promised, not found: never written off by a count


class MovementReason(StrEnum):
    """Typed stock history: why a movement happened."""

    RECEIPT = "receipt"  # from supplier
    TRANSFER_OUT = "transfer_out"  # depot -> in-transit
    TRANSFER_IN = "transfer_in"  # in-transit -> depot
    ADJUSTMENT = "adjustment"
    CYCLE_COUNT = "cycle_count"
    SCRAP = "scrap"
    SHIP_TO_CUSTOMER = "ship_to_customer"
    DELIVER_TO_CUSTOMER = "deliver_to_customer"
    RETURN_FROM_CUSTOMER = "return_from_customer"
    RETURN_RECEIVED = "return_received"
    SEND_TO_REPAIR = "send_to_repair"
    RETURN_FROM_REPAIR = "return_from_repair"
    CONDITION_CHANGE = "condition_change"
    TRANSIT_LOSS = "transit_loss"  # in-transit -> written off, approved by a second person
    USED_ON_JOB = "used_on_job"  # van -> customer site: a part installed from the van
    REMOVED_ON_JOB = "removed_on_job"  # customer site -> van: a part the engineer took out
    PART_RETURN_OUT = "part_return_out"  # van -> in-transit: a removed part sent back
    PART_RETURN_IN = "part_return_in"  # in-transit -> where the return rule sends it
    RTV_OUT = "rtv_out"  # depot -> a vendor: a unit shipped on a return-to-vendor claim
    RTV_IN = "rtv_in"  # a vendor -> depot: a unit back from a return-to-vendor claim
    RTV_REPLACED = "rtv_replaced"  # a vendor -> scrap: the vendor kept it, sent another


class PartSource(StrEnum):
    """Where a part consumed on a job came from."""

    VAN = "van"
    DEPOT_PICKUP = "depot_pickup"
    COURIER = "courier"


class RemovedCondition(StrEnum):
    """What a part taken out on a job is: faulty, or unused and still good."""

    FAULTY = "faulty"
    GOOD = "good"


class ReturnStatus(StrEnum):
    """A removed part owed back: with the engineer, on its way, or received."""

    OWED = "owed"
    SHIPPED = "shipped"
    RECEIVED = "received"


class JobStatus(StrEnum):
    """A background job's life (route plans, planning runs; inventory/jobs.py): queued,
    claimed by one runner, finished one way or the other."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# Virtual locations exist once each; their codes are stable.
VIRTUAL_LOCATIONS: dict[LocationKind, str] = {
    LocationKind.SUPPLIER: "SUPPLIER",
    LocationKind.IN_TRANSIT: "IN-TRANSIT",
    LocationKind.CUSTOMER_SITE: "CUSTOMER",
    LocationKind.REPAIR_VENDOR: "REPAIR",
    LocationKind.SCRAP: "SCRAP",
    LocationKind.ADJUSTMENT: "ADJUST",
}


class RmaKind(StrEnum):
    ADVANCE_REPLACEMENT = "advance_replacement"
    RETURN_FOR_REPAIR = "return_for_repair"


class RmaStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALLOCATED = "allocated"
    AWAITING_RETURN = "awaiting_return"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    FAULTY_IN_TRANSIT = "faulty_in_transit"
    FAULTY_RECEIVED = "faulty_received"
    RECEIVED = "received"
    IN_REPAIR = "in_repair"
    REPAIRED = "repaired"
    CLOSED = "closed"
    CANCELLED = "cancelled"
