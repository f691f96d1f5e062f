"""What the contracts API takes and returns. Prices travel as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.rfq.rules import MAX_LINES, MAX_TITLE

AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True, examples=["2027-12-31T23:59:59+00:00"])]
Price = Annotated[str, msgspec.Meta(max_length=40, examples=["12.50"],
                                    description="Decimal string, at most 4 decimals")]
# Quantity tiers of one contract line, as many as a listing may have.
MAX_TIERS = 20


# --- in -----------------------------------------------------------------------------------------


class TerminateIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, examples=["Supplier no longer certified"])]


class RatingIn(msgspec.Struct, forbid_unknown_fields=True):
    """The buyer company's rating of the contract's vendor; rating again replaces it."""

    score: Annotated[int, msgspec.Meta(ge=1, le=5, description="1 (poor) to 5 (excellent)", examples=[4])]
    comment: Annotated[str, msgspec.Meta(max_length=2000, examples=["On time; one damaged pallet replaced at once"])] \
        = ""


class RenewIn(msgspec.Struct, forbid_unknown_fields=True):
    """A draft RFQ prefilled from the contract; the buyer reviews and publishes it."""

    deadline: AwareDateTime | None = None
    title: Annotated[str, msgspec.Meta(max_length=MAX_TITLE)] | None = None


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    listing_id: int


class ContractTierIn(msgspec.Struct, forbid_unknown_fields=True):
    min_qty: Annotated[int, msgspec.Meta(ge=2)]
    unit_price: Price


class AmendLineIn(msgspec.Struct, forbid_unknown_fields=True):
    """New terms of one line; a field left out keeps its current value. `tiers` replaces every tier."""

    line_id: int
    unit_price: Price | msgspec.UnsetType = msgspec.UNSET
    tiers: Annotated[list[ContractTierIn], msgspec.Meta(max_length=MAX_TIERS)] | msgspec.UnsetType = msgspec.UNSET
    committed_qty: int | msgspec.UnsetType | None = msgspec.UNSET
    min_order_qty: int | msgspec.UnsetType = msgspec.UNSET
    max_order_qty: int | msgspec.UnsetType | None = msgspec.UNSET


class AmendmentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A proposed amendment: new dates and/or line terms; the other side accepts or rejects it."""

    valid_from: AwareDateTime | msgspec.UnsetType = msgspec.UNSET
    valid_to: AwareDateTime | msgspec.UnsetType = msgspec.UNSET
    # A contract has at most one line per RFQ line.
    lines: Annotated[list[AmendLineIn], msgspec.Meta(max_length=MAX_LINES)] = []
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


# --- out ----------------------------------------------------------------------------------------


class ContractTierOut(msgspec.Struct):
    min_qty: int
    unit_price: Decimal


class ContractLineOut(msgspec.Struct):
    id: int
    position: int
    rfq_line_id: int
    product_id: int | None
    description: str
    unit: str
    listing_id: int | None
    listing_sku: str | None
    listing_title: str | None
    waiting_for_listing: bool
    unit_price: Decimal
    tiers: list[ContractTierOut]
    committed_qty: int | None
    min_order_qty: int
    max_order_qty: int | None
    linked_at: datetime | None
    ordered_qty: Annotated[int, msgspec.Meta(description="Units ordered at this line's price so far")] = 0
    remaining_qty: Annotated[int | None, msgspec.Meta(
        description="Units of the committed quantity not ordered yet (never below 0); null: no committed quantity"
    )] = None
    justification: Annotated[str, msgspec.Meta(
        description="Why the line was awarded to this offer although another was cheaper; empty when it was not"
    )] = ""


class VersionLineOut(msgspec.Struct):
    line_id: int
    position: int
    description: str
    unit_price: Decimal
    tiers: list[ContractTierOut]
    committed_qty: int | None
    min_order_qty: int
    max_order_qty: int | None


class VersionOut(msgspec.Struct):
    number: int
    status: str
    proposed_side: str
    valid_from: datetime
    valid_to: datetime
    note: str
    proposed_at: datetime
    decided_at: datetime | None
    lines: list[VersionLineOut]


class PartyOut(msgspec.Struct):
    id: int
    name: str
    tax_id: str
    country: str


class ContractSummaryOut(msgspec.Struct):
    id: int
    number: str
    buyer: PartyOut
    vendor: PartyOut
    currency: str
    valid_from: datetime
    valid_to: datetime
    status: Annotated[str, msgspec.Meta(description="active, expired or terminated, by the dates")]
    in_effect: Annotated[bool, msgspec.Meta(description="Whether its prices apply right now")]
    lines_waiting: Annotated[int, msgspec.Meta(description="Free-text lines the vendor has not linked yet")]


class ContractOut(msgspec.Struct):
    id: int
    number: str
    buyer: PartyOut
    vendor: PartyOut
    currency: str
    payment_terms: str
    valid_from: datetime
    valid_to: datetime
    status: str
    in_effect: bool
    version: int
    rfq_id: int
    rfq_title: str
    offer_revision_id: int
    offer_revision_number: int
    awarded_by: str | None
    created_at: datetime
    terminated_at: datetime | None
    termination_reason: str
    renewal_rfq_id: int | None
    lines: list[ContractLineOut]
    versions: list[VersionOut]
    proposal: VersionOut | None
    renewal_rfq_title: str | None = None
    rfq_number: str | None = None  # RFQ-2026-000012: what users see and quote (never the RFQ's id)


class ContractPage(msgspec.Struct):
    items: list[ContractSummaryOut]
    total: int
    page: int
    per_page: int


class RenewalOut(msgspec.Struct):
    contract_id: int
    rfq_id: int
    rfq_status: str


class AwardPreviewLine(msgspec.Struct):
    """One line of an award as the confirmation page states it, before anything is written."""

    rfq_line_id: int  # what the confirming form sends back, never shown
    offer_id: int
    position: int
    description: str
    quantity: int
    unit: str
    vendor_name: str
    unit_price: Decimal
    extended_price: Decimal
    cheapest_price: Decimal
    needs_justification: bool
    # The prices above are in the RFQ's currency; an offer in another is awarded (and contracted) at its own price:
    own_unit_price: Decimal | None = None  # set when the offer is in another currency
    own_currency: str = ""


class AwardPreview(msgspec.Struct):
    """What an award would do: each line, its winner and price, the total, who wins and who loses."""

    rfq_id: int
    title: str
    currency: str
    lines: list[AwardPreviewLine]
    total: Decimal
    winners: list[str]
    losers: list[str]  # vendors with a live offer that win no line
    left_out: list[int]  # positions of the RFQ's lines awarded to nobody
    needing_justification: list[int]  # positions: lines that go to an offer that is not the cheapest


class RatingOut(msgspec.Struct):
    """A contract's rating as its buyer company and operators see it (a vendor sees only its aggregate)."""

    contract_id: int
    vendor_id: int
    score: int
    comment: str
    rated_by: str | None
    created_at: datetime
    updated_at: datetime
    replaced: bool = False  # true when it replaced the company's earlier rating of this contract
