"""SQLAlchemy 2.x models. Importing this package registers every table on Base.metadata."""

from models.base import Base, UTCDateTime, utcnow
from models.catalogue import Part, PartSupersession, StockPolicy
from models.complaints import Complaint, Department
from models.counts import PurchaseRequest, ReorderAction, StockCount, StockCountLine
from models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionPhoto,
    InspectionProgramme,
)
from models.jobs import Job
from models.knowledge import KnowledgeArticle
from models.network import Depot, Location
from models.outbox import OutboxMessage, SweepFiring
from models.people import ApiToken, Customer, Engineer, Site, User, UserDepot
from models.rtv import Rtv, RtvLine, WarrantyTerm
from models.service import (
    Contract,
    Equipment,
    Event,
    IdempotencyRecord,
    RepairBatch,
    RepairLine,
    Rma,
    Survey,
    Ticket,
)
from models.service_files import ServiceFile
from models.settings import CalendarException, WebhookEndpoint
from models.stock import Delivery, Movement, SerialItem, StockQuantity
from models.transfers import Counter, Transfer, TransferDiscrepancy, TransferLine
from models.vans import PartReturn, ReturnRule, VanStockLevel
from models.visits import Visit, VisitPart, VisitPhoto

__all__ = [
    "ServiceFile",
    "Complaint",
    "Department",
    "CalendarException",
    "WebhookEndpoint",
    "ApiToken",
    "Contract",
    "Equipment",
    "Event",
    "IdempotencyRecord",
    "RepairBatch",
    "RepairLine",
    "Rma",
    "Survey",
    "Ticket",
    "PartReturn",
    "Rtv",
    "RtvLine",
    "WarrantyTerm",
    "ReturnRule",
    "VanStockLevel",
    "Visit",
    "VisitPart",
    "VisitPhoto",
    "Counter",
    "PurchaseRequest",
    "ReorderAction",
    "StockCount",
    "StockCountLine",
    "Transfer",
    "TransferDiscrepancy",
    "TransferLine",
    "Base",
    "Customer",
    "Depot",
    "Engineer",
    "Inspection",
    "InspectionFinding",
    "InspectionPhoto",
    "InspectionProgramme",
    "Job",
    "KnowledgeArticle",
    "Location",
    "Movement",
    "OutboxMessage",
    "Part",
    "PartSupersession",
    "SerialItem",
    "Delivery",
    "Site",
    "StockPolicy",
    "StockQuantity",
    "SweepFiring",
    "UTCDateTime",
    "User",
    "UserDepot",
    "utcnow",
]
