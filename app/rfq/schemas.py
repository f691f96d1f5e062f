"""What the RFQ API takes and returns. Prices travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.rfq import rules

AwareDateTime = Annotated[datetime, msgspec.Meta(
    tz=True, examples=["2027-01-31T17:00:00+01:00"], description="Aware; at most 2 years ahead for a deadline")]
Price = Annotated[str, msgspec.Meta(max_length=40, examples=["12.50"],
                                    description="Decimal string, at most 4 decimals")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=rules.MAX_TITLE)]
Description = Annotated[str, msgspec.Meta(max_length=rules.MAX_DESCRIPTION)]
Address = Annotated[str, msgspec.Meta(max_length=rules.MAX_ADDRESS)]
LineText = Annotated[str, msgspec.Meta(max_length=rules.MAX_LINE_TEXT)]
Unit = Annotated[str, msgspec.Meta(max_length=rules.MAX_UNIT, examples=["pcs", "box"])]
# Codes the rules check against their lists; the bound only stops a megabyte from reaching them.
Currency = Annotated[str, msgspec.Meta(max_length=50, examples=["EUR"])]
PaymentTerms = Annotated[str, msgspec.Meta(max_length=50, examples=["net_30"])]
Visibility = Annotated[str, msgspec.Meta(max_length=50, examples=["invited", "open"])]
BiddingMode = Annotated[str, msgspec.Meta(max_length=50, examples=["sealed", "auction"])]
VendorIds = Annotated[list[int], msgspec.Meta(max_length=rules.MAX_INVITED)]
CostCenterId = Annotated[int, msgspec.Meta(
    ge=1, le=2_147_483_647, description="One of the buyer company's active cost centers (GET /api/v1/cost-centers)"
                                    "; left out or null on create: the buyer user's only cost center, if it has "
                                    "exactly one")]
CostCenterChange = Annotated[int, msgspec.Meta(
    ge=1, le=2_147_483_647, description="One of the buyer company's active cost centers; null: none")]


class AuctionSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    min_decrement: Price | None = None
    show_best_price: bool = False
    anti_snipe_minutes: int = 0
    max_extension_minutes: int = 0


class RfqLineIn(msgspec.Struct, forbid_unknown_fields=True):
    quantity: int
    product_id: int | None = None
    description: LineText = ""
    unit: Unit = "pcs"
    target_price: Price | None = None
    notes: LineText = ""


Lines = Annotated[list[RfqLineIn], msgspec.Meta(max_length=rules.MAX_LINES)]


class RfqIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    currency: Currency
    deadline: AwareDateTime
    description: Description = ""
    delivery_address: Address = ""
    delivery_date: date | None = None
    payment_terms: PaymentTerms = "net_30"
    visibility: Visibility = "invited"
    bidding_mode: BiddingMode = "sealed"
    auction: AuctionSettingsIn | None = None
    lines: Lines = []
    vendor_ids: VendorIds = []
    cost_center_id: CostCenterId | None = None


class RfqPatch(msgspec.Struct, forbid_unknown_fields=True):
    """A draft's changes; a field left out stays as it is. `lines` replaces every line, `vendor_ids` every
    invited vendor."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    deadline: AwareDateTime | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    delivery_address: Address | msgspec.UnsetType = msgspec.UNSET
    delivery_date: date | msgspec.UnsetType | None = msgspec.UNSET
    payment_terms: PaymentTerms | msgspec.UnsetType = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET
    bidding_mode: BiddingMode | msgspec.UnsetType = msgspec.UNSET
    auction: AuctionSettingsIn | msgspec.UnsetType | None = msgspec.UNSET
    lines: Lines | msgspec.UnsetType = msgspec.UNSET
    vendor_ids: VendorIds | msgspec.UnsetType = msgspec.UNSET
    cost_center_id: CostCenterChange | msgspec.UnsetType | None = msgspec.UNSET


class InvitationsIn(msgspec.Struct, forbid_unknown_fields=True):
    vendor_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=rules.MAX_INVITED)]


class ExtendIn(msgspec.Struct, forbid_unknown_fields=True):
    deadline: AwareDateTime


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)]


class AuctionSettingsOut(msgspec.Struct):
    min_decrement: Decimal | None
    show_best_price: bool
    anti_snipe_minutes: int
    max_extension_minutes: int


class RfqLineOut(msgspec.Struct):
    id: int
    position: int
    product_id: int | None
    description: str
    quantity: int
    unit: str
    target_price: Decimal | None
    notes: str


class InvitationOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    invited_at: datetime
    answered: bool
    declined: bool
    decline_reason: str


class RfqContractOut(msgspec.Struct):
    """A contract the RFQ's award made, one per awarded vendor."""

    id: int
    number: str
    vendor_name: str


class RfqOut(msgspec.Struct):
    """The buyer's view. Before the close it says how many answered and who declined, never a price."""

    id: int
    title: str
    description: str
    buyer_id: int
    buyer_name: str
    currency: str
    delivery_address: str
    delivery_date: date | None
    payment_terms: str
    deadline: datetime
    visibility: str
    bidding_mode: str
    auction: AuctionSettingsOut | None
    status: str
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[RfqLineOut]
    attachments: list[AttachmentOut]
    invitations: list[InvitationOut]
    answered_count: int
    invited_count: int
    # Once awarded: the contracts the award made, by number.
    contracts: list[RfqContractOut] = []
    number: str | None = None  # RFQ-2026-000012: what users see and quote
    cost_center_id: int | None = None  # the buyer company's cost center the RFQ buys for
    cost_center: str | None = None  # its code and name


class RfqVendorOut(msgspec.Struct):
    """A vendor's view: the request itself, never other vendors, the invitation list or any offer."""

    id: int
    title: str
    description: str
    buyer_name: str
    currency: str
    delivery_address: str
    delivery_date: date | None
    payment_terms: str
    deadline: datetime
    visibility: str
    bidding_mode: str
    auction: AuctionSettingsOut | None
    status: str
    published_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    lines: list[RfqLineOut]
    attachments: list[AttachmentOut]
    declined: bool
    number: str | None = None  # RFQ-2026-000012: what users see and quote


class RfqSummaryOut(msgspec.Struct):
    id: int
    title: str
    buyer_id: int
    buyer_name: str
    status: str
    deadline: datetime
    currency: str
    visibility: str
    bidding_mode: str
    number: str | None = None  # RFQ-2026-000012: what users see and quote


class RfqPage(msgspec.Struct):
    items: list[RfqSummaryOut]
    total: int
    page: int
    per_page: int


class VendorChoice(msgspec.Struct):
    id: int
    name: str


class AttachmentOut(msgspec.Struct):
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    question: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    answer: Annotated[str, msgspec.Meta(min_length=1, max_length=8000)]
    # True: question and answer go to every vendor, without naming who asked; False: to the asker only.
    publish: bool = False


class ClarificationOut(msgspec.Struct):
    """For the buyer `vendor_name` says who asked; a vendor sees it only on its own questions."""

    id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    published: bool
    mine: bool
    vendor_name: str | None
