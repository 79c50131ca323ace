"""Who may fetch which document, and when a document exists at all.

Plain functions over a session and the signed-in ``User`` (no request context), shared by
the API and the pages. Admin, dispatchers and warehouse staff see every customer's papers;
an engineer the papers of the tickets (and their RMAs) assigned to them; a customer their
own customer unit's only. The shelf's papers (labels, pick lists, delivery notes) are the
warehouse's: admins print any, warehouse staff those of the depots they work at. Anything
else answers exactly like an unknown number (NotFound), so nobody learns which numbers
exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.depot_access import depot_ids_of
from inventory.errors import Conflict, NotFound
from inventory.inspections import inspection_by_number
from inventory.rmas import rma_by_ref
from inventory.tickets import ticket_by_ref
from models import Customer, Depot, Engineer, Inspection, Rma, Ticket, Transfer, User, Visit
from models.enums import Role

SEE_ALL = frozenset({Role.ADMIN.value, Role.DISPATCHER.value, Role.WAREHOUSE.value})

# The RMA states in which the customer holds (or is about to send) the faulty unit.
LABEL_STATES = frozenset({"shipped", "delivered", "awaiting_return", "faulty_in_transit"})
# An advance replacement has a packing slip once its spare is reserved.
SLIP_STATES = frozenset(
    {"allocated", "shipped", "delivered", "faulty_in_transit", "faulty_received", "closed"}
)
REPORTED_STATES = frozenset({"resolved", "closed"})


def engineer_id(session: Session, user: User) -> int | None:
    """The engineer (Engineer.id) a user account works as, if any."""
    return session.scalar(select(Engineer.id).where(Engineer.user_id == user.id))


def _may_see(
    session: Session, user: User, customer_id: int, engineer_ids: tuple[int | None, ...]
) -> bool:
    if user.role in SEE_ALL:
        return True
    if user.role == Role.CUSTOMER.value:
        return user.customer_id is not None and user.customer_id == customer_id
    if user.role == Role.ENGINEER.value:
        mine = engineer_id(session, user)
        return mine is not None and mine in engineer_ids
    return False


def rma_for(session: Session, ref: str, user: User) -> Rma:
    """The RMA ``ref`` if ``user`` may see its papers; NotFound otherwise."""
    rma = rma_by_ref(session, ref, field="number")
    if not _may_see(
        session,
        user,
        rma.customer_id,
        (rma.engineer_id, rma.ticket.engineer_id if rma.ticket else None),
    ):
        raise NotFound.unknown("rma", ref, field="number", noun="RMA")
    return rma


def ticket_for(session: Session, ref: str, user: User) -> Ticket:
    """The ticket ``ref`` if ``user`` may see its papers; NotFound otherwise."""
    ticket = ticket_by_ref(session, ref, field="number")
    if not _may_see(session, user, ticket.customer_id, (ticket.engineer_id,)):
        raise NotFound.unknown("ticket", ref, field="number")
    return ticket


def inspection_for(session: Session, number: str, user: User) -> Inspection:
    """The inspection ``number`` if ``user`` may read its report; NotFound otherwise. Its
    report exists once signed (Conflict before); a customer reads it once issued."""
    row = inspection_by_number(session, number)
    if not _may_see(session, user, row.customer_id, (row.engineer_id,)):
        raise NotFound.unknown("inspection", number, field="number")
    ready = row.report_issued_at if user.role == Role.CUSTOMER.value else row.signed_at
    if ready is None:
        raise Conflict(
            f"the report of {row.number} is not issued yet",
            field="number",
            key="report_not_issued",
            params={"ref": row.number},
        )
    return row


def customer_for(session: Session, code: str, user: User) -> Customer:
    """The customer ``code`` if ``user`` may read its monthly report (engineers may not)."""
    customer = session.scalar(select(Customer).where(Customer.code == code))
    if (
        customer is None
        or user.role == Role.ENGINEER.value
        or not _may_see(session, user, customer.id, ())
    ):
        raise NotFound.unknown("customer", code, field="code")
    return customer


# --- when a document exists ---------------------------------------------------------------


def return_label_due(rma: Rma | None) -> bool:
    """The customer needs a return label: the faulty unit is theirs to send back."""
    return rma is not None and rma.status in LABEL_STATES and rma.faulty_received_at is None


def packing_slip_available(rma: Rma | None) -> bool:
    """An advance replacement whose good part is reserved, on its way or delivered."""
    return rma is not None and rma.kind == "advance_replacement" and rma.status in SLIP_STATES


def return_label_available(rma: Rma | None) -> bool:
    """Staff print the label with the packing slip; customers while the unit is theirs to send."""
    return (
        rma is not None
        and rma.faulty_received_at is None
        and (return_label_due(rma) or packing_slip_available(rma))
    )


def fault_report_available(ticket: Ticket | None) -> bool:
    return ticket is not None and ticket.status in REPORTED_STATES


def require_packing_slip(rma: Rma) -> None:
    if not packing_slip_available(rma):
        raise Conflict(
            f"RMA {rma.number} ({rma.kind}) is {rma.status}: a packing slip exists once an advance "
            "replacement's spare is reserved",
            field="status",
            details={"current_status": rma.status},
            key="no_packing_slip",
            params={"ref": rma.number, "rma_status": rma.status},
        )


def require_return_label(rma: Rma) -> None:
    if not return_label_available(rma):
        raise Conflict(
            f"RMA {rma.number} is {rma.status}: no faulty unit is waiting to be sent back",
            field="status",
            details={"current_status": rma.status},
            key="no_faulty_to_return",
            params={"ref": rma.number, "rma_status": rma.status},
        )


def service_sheet_of(session: Session, ticket: Ticket) -> Visit:
    """The latest signed visit of a ticket (its technical service sheet); Conflict before
    the customer has signed one."""
    from inventory.visits import signed_visits

    signed = signed_visits(session, ticket)
    if not signed:
        raise Conflict(
            f"ticket {ticket.number}: the service sheet exists once the customer has signed it",
            field="status",
            details={"current_status": ticket.status},
            key="service_sheet_unsigned",
            params={"ref": ticket.number},
        )
    return signed[-1]


def require_fault_report(ticket: Ticket) -> None:
    if not fault_report_available(ticket):
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}: the fault report is written once it is "
            "resolved or closed",
            field="status",
            details={"current_status": ticket.status},
            key="fault_report_not_ready",
            params={"ref": ticket.number, "ticket_status": ticket.status},
        )


# --- the shelf's papers: depot-bound -------------------------------------------------------

SHELF_ROLES = frozenset({Role.ADMIN.value, Role.WAREHOUSE.value})


def _acts_at(session: Session, user: User, depot_ids: set[int]) -> bool:
    """Admins anywhere; warehouse staff at the depots they are assigned (or every depot)."""
    if user.role not in SHELF_ROLES:
        return False
    mine = depot_ids_of(session, user)
    return mine is None or bool(mine & depot_ids)


def depot_for(session: Session, code: str, user: User) -> Depot:
    """A depot whose labels the user may print: one they work at (else NotFound)."""
    depot = session.scalar(select(Depot).where(Depot.code == code))
    if depot is None or not _acts_at(session, user, {depot.id}):
        raise NotFound.unknown("depot", code)
    return depot


def transfer_for(session: Session, number: str, user: User) -> Transfer:
    """A transfer whose papers the user may print: from or to a depot they work at."""
    transfer = session.scalar(select(Transfer).where(Transfer.number == number))
    ends = {transfer.from_depot_id, transfer.to_depot_id} if transfer is not None else set()
    if transfer is None or not _acts_at(session, user, {d for d in ends if d is not None}):
        raise NotFound.unknown("transfer", number)
    return transfer
