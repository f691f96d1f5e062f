"""What the offers API takes and returns. Prices travel as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.rfq.rules import MAX_LINES
from app.rfq.schemas import AttachmentOut, ClarificationOut

Price = Annotated[str, msgspec.Meta(max_length=40, examples=["12.50"],
                                    description="Unit price, a decimal string, ≤ 4 decimals")]


class OfferLineIn(msgspec.Struct, forbid_unknown_fields=True):
    rfq_line_id: int
    unit_price: Price
    # Less than asked is allowed; left out means the quantity asked.
    quantity: Annotated[int, msgspec.Meta(ge=1)] | None = None


class OfferIn(msgspec.Struct, forbid_unknown_fields=True):
    # One line per RFQ line at most.
    lines: Annotated[list[OfferLineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]
    lead_time_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] = 0
    valid_until: datetime | None = None
    notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    # The prices' currency (ISO 4217); left out, the RFQ's. Another currency is compared in the RFQ's at the rate
    # in force on the close; without such a rate the offer is shown in its own currency, unranked, until an
    # operator adds one. A reverse auction takes bids in the RFQ's currency only.
    currency: Annotated[str, msgspec.Meta(max_length=10, examples=["USD"])] | None = None
    # Days after the invoice the buyer has to pay; left out, the RFQ's payment terms.
    payment_terms_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None


class DeclineIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class OfferLineOut(msgspec.Struct):
    rfq_line_id: int
    unit_price: Decimal
    quantity: int


class RevisionOut(msgspec.Struct):
    number: int
    received_at: datetime
    lead_time_days: int
    valid_until: datetime | None
    notes: str
    lines: list[OfferLineOut]
    currency: str = ""  # the prices' currency
    payment_terms_days: int = 0


class OfferOut(msgspec.Struct):
    """A vendor's own offer, with every revision (newest last)."""

    id: int
    rfq_id: int
    currency: str
    status: str
    revision_count: int
    created_at: datetime
    withdrawn_at: datetime | None
    revisions: list[RevisionOut]


class DeclineOut(msgspec.Struct):
    rfq_id: int
    declined_at: datetime
    reason: str


class DeclinedVendorOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    declined_at: datetime
    reason: str


class BuyerOfferOut(msgspec.Struct):
    """A live offer's latest revision, shown to the buyer once bidding has closed."""

    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_number: int
    received_at: datetime
    lead_time_days: int
    valid_until: datetime | None
    notes: str
    lines: list[OfferLineOut]
    currency: str = ""  # the prices' currency, the RFQ's unless the vendor offered in another
    payment_terms_days: int = 0


class RfqOffersOut(msgspec.Struct):
    """Sealed until the close: `answered` and `declined` only, `offers` stays empty."""

    rfq_id: int
    title: str
    status: str
    sealed: bool
    currency: str
    answered: int
    declined: list[DeclinedVendorOut]
    offers: list[BuyerOfferOut]


class AwardLineIn(msgspec.Struct, forbid_unknown_fields=True):
    rfq_line_id: int
    offer_id: int


class AwardIn(msgspec.Struct, forbid_unknown_fields=True):
    awards: Annotated[list[AwardLineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]
    # Required when a line goes to an offer that is not the cheapest (app/contracts/rules.py says which).
    justification: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class AwardOut(msgspec.Struct):
    id: int
    rfq_line_id: int
    position: int  # the line's number on the RFQ, as people name it
    offer_id: int
    revision_number: int
    vendor_id: int
    vendor_name: str
    unit_price: Decimal
    currency: str
    quantity: int
    awarded_by: int | None
    awarded_at: datetime
    justification: str = ""  # why this line went to an offer that was not the cheapest


class AwardResultOut(msgspec.Struct):
    rfq_id: int
    status: str
    awards: list[AwardOut]


class CellOut(msgspec.Struct):
    offer_id: int
    unit_price: Decimal
    quantity: int
    extended_price: Decimal
    best: bool
    savings: Decimal | None
    own_unit_price: Decimal | None = None  # as offered, in the vendor's currency, when it is not the RFQ's


class RowOut(msgspec.Struct):
    rfq_line_id: int
    position: int
    description: str
    quantity: int
    unit: str
    target_price: Decimal | None
    best_unit_price: Decimal | None
    cells: list[CellOut | None]


class VendorColumnOut(msgspec.Struct):
    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_number: int
    lead_time_days: int
    valid_until: datetime | None
    total: Decimal
    lines_offered: int
    line_count: int
    lines_best: int
    savings: Decimal | None  # against the target prices; null when none of the vendor's lines has one
    lines_without_target: int  # the vendor's lines left out of `savings`, having no target price
    currency: str = ""  # the offer's own currency; its prices above are converted into the RFQ's
    rate: str | None = None  # the rate used, "1 USD = 0.9213 EUR, 2026-11-30"; null in the RFQ's own currency
    payment_terms_days: int = 0


class NotComparedOut(msgspec.Struct):
    """A live offer in a currency without an exchange rate in force on the close."""

    offer_id: int
    vendor_id: int
    vendor_name: str
    currency: str
    reason: str


class ComparisonOut(msgspec.Struct):
    """Every price in `currency`, the RFQ's: offers in another are converted at the rate each column names."""

    rfq_id: int
    title: str
    status: str
    currency: str
    vendors: list[VendorColumnOut]
    rows: list[RowOut]
    rfq_number: str | None = None
    not_compared: list[NotComparedOut] = msgspec.field(default_factory=list)


class RfqLineView(msgspec.Struct):
    id: int
    position: int
    description: str
    quantity: int
    unit: str
    notes: str


class VendorRfqOut(msgspec.Struct):
    """An RFQ as a vendor it is meant for sees it: the request, never anyone else's answer."""

    id: int
    title: str
    description: str
    currency: str
    status: str
    deadline: datetime
    delivery_address: str
    payment_terms: str
    lines: list[RfqLineView]
    declined: bool
    offer: OfferOut | None
    # The buyer's counter-proposals on the vendor's own offer (after the close).
    proposals: list[CounterProposalOut] = []
    bidding_mode: str = "sealed"
    # What the buyer gave besides the lines: its company's name, its files, the questions and their answers.
    buyer_name: str = ""
    attachments: list[AttachmentOut] = []
    clarifications: list[ClarificationOut] = []


class ProposalLineIn(msgspec.Struct, forbid_unknown_fields=True):
    rfq_line_id: int
    unit_price: Price


class CounterProposalIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[ProposalLineIn], msgspec.Meta(min_length=1, max_length=MAX_LINES)]
    message: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class ProposalLineOut(msgspec.Struct):
    rfq_line_id: int
    unit_price: Decimal


class CounterProposalOut(msgspec.Struct):
    id: int
    offer_id: int
    status: str
    message: str
    created_at: datetime
    answered_at: datetime | None
    revision_number: int | None
    lines: list[ProposalLineOut]


class NegotiationOut(msgspec.Struct):
    """The whole thread on one offer: the buyer's counter-proposals and the vendor's revisions."""

    offer: OfferOut
    proposals: list[CounterProposalOut]


class OfferAttachmentOut(msgspec.Struct):
    """A file of an offer, listed with the revision that was current when it was added."""

    id: int
    offer_id: int
    revision_number: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class InboxItemOut(msgspec.Struct):
    rfq_id: int
    title: str
    currency: str
    deadline: datetime
    seconds_left: int
    declined: bool
    offer_id: int | None
    offer_revisions: int


class InboxPageOut(msgspec.Struct):
    """One page of the vendor's inbox, soonest deadline first; `next_page` is null on the last page."""

    items: list[InboxItemOut]
    page: int
    per_page: int
    next_page: int | None


class WaitingTaskOut(msgspec.Struct):
    """One thing a closed RFQ waits for from the vendor, and the page where the vendor does it."""

    kind: str  # counter_proposal, lines_to_link, amendment
    text: str
    href: str


class WaitingRfqOut(msgspec.Struct):
    """A closed or awarded RFQ that waits for the vendor."""

    rfq_id: int
    title: str
    buyer_name: str
    status: str
    tasks: list[WaitingTaskOut]
    number: str | None = None


class VendorInboxOut(msgspec.Struct):
    """The vendor's RFQ inbox: what waits for it after the close, and one page of the open RFQs."""

    waiting: list[WaitingRfqOut]
    open: InboxPageOut


class HistoryItemOut(msgspec.Struct):
    """A past RFQ and how it ended for the vendor (offers.rules.Outcome): its own result only."""

    rfq_id: int
    title: str
    buyer_name: str
    status: str
    deadline: datetime
    outcome: str
    lines_won: int


class HistoryPageOut(msgspec.Struct):
    """One page of the vendor's past RFQs, latest deadline first, of one outcome or all."""

    items: list[HistoryItemOut]
    outcome: str | None
    page: int
    per_page: int
    next_page: int | None


class VendorRfqCountsOut(msgspec.Struct):
    """The vendor dashboard's RFQ figures: open, waiting for the vendor, and past RFQs by outcome."""

    open: int
    waiting: int
    outcomes: dict[str, int]


# --- reverse auction: the live view (app/offers/live.py) ----------------------------------------


class AuctionVendorOut(msgspec.Struct, tag="vendor", tag_field="view"):
    """What one vendor sees of a reverse auction: its own standing, never who else bids or at what price."""

    rfq_id: int
    status: str
    deadline: datetime
    currency: str
    bidders: int
    min_decrement: Decimal | None
    anti_snipe_minutes: int
    extended_minutes: int
    max_extension_minutes: int
    your_rank: int | None
    your_total: Decimal | None
    # The highest total your next bid may have (your total less the minimum decrement).
    your_next_max_total: Decimal | None
    # The lowest live total, only when the buyer shows it; never who holds it.
    best_price: Decimal | None


class AuctionStandingOut(msgspec.Struct):
    rank: int
    offer_id: int
    vendor_id: int
    vendor_name: str
    total: Decimal
    received_at: datetime


class AuctionBuyerOut(msgspec.Struct, tag="buyer", tag_field="view"):
    """The buyer's view: counts while bidding is open (sealed like any RFQ), the standings once it closed."""

    rfq_id: int
    status: str
    deadline: datetime
    currency: str
    bidders: int
    extended_minutes: int
    max_extension_minutes: int
    best_price: Decimal | None
    standings: list[AuctionStandingOut] | None
