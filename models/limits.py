"""The longest text each kind of field accepts, in characters: one table for the database
columns, the API's marshmallow schemas, the web forms and the documents (which are tested
with every free-text field at these lengths, in Chinese and in English).

Change a limit here and every entry point follows; a column narrower than its limit
needs a migration.
"""

from __future__ import annotations

from typing import Final

CODE: Final = 32  # depot, site, customer, contract, engineer codes
REF: Final = 24  # human numbers: TKT-2026-000123, RMA-2026-000123
SERIAL: Final = 64
PART_NUMBER: Final = 64
REFERENCE: Final = 64  # delivery references
PART_DESCRIPTION: Final = 200
ORG_NAME: Final = 160  # customer, customer unit, site
DEPOT_NAME: Final = 120
PERSON_NAME: Final = 80  # contacts, recipients
DISPLAY_NAME: Final = 120  # users
USERNAME: Final = 64
TOKEN_NAME: Final = 64
PHONE: Final = 32  # phone and fax numbers
ADDRESS: Final = 300
CITY: Final = 80
POSTCODE: Final = 12
URL: Final = 300  # webhook endpoints
DAY_NAME: Final = 80  # a company holiday's name
CARRIER: Final = 40
WAYBILL: Final = 64
VENDOR: Final = 120
CATEGORY: Final = 40
SKILL: Final = 40
REASON: Final = 500  # reasons, short notes
STAFF_NOTE: Final = 2000  # a staff note on a move
COMMENT: Final = 2000  # a customer's survey comment
LONG_TEXT: Final = 4000  # fault symptom, analysis, action taken, resolution, internal notes
SYMPTOM: Final = LONG_TEXT
