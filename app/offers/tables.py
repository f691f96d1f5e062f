"""Offers, their immutable revisions, and awards.

One live offer per vendor and RFQ (a partial unique index), one award per RFQ line (a unique
index): both made in the migrations, so a race cannot break them.
"""

from enum import StrEnum

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company
from app.money import money_column
from app.rfq.tables import Rfq, RfqLine


class OfferStatus(StrEnum):
    LIVE = "live"
    WITHDRAWN = "withdrawn"


class Offer(Table, tablename="offer"):
    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.restrict, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, choices=OfferStatus, default=OfferStatus.LIVE.value)
    revision_count = Integer(default=0)
    created_at = Timestamptz()
    withdrawn_at = Timestamptz(null=True, default=None)


class OfferRevision(Table, tablename="offer_revision"):
    """What the vendor offered at one moment; never changed after it is written."""

    offer = ForeignKey(Offer, null=False, on_delete=OnDelete.restrict, index=True)
    number = Integer(null=False)
    received_at = Timestamptz(null=False, help_text="The database's clock when the revision arrived")
    submitted_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    lead_time_days = Integer(default=0)
    valid_until = Timestamptz(null=True, default=None)
    notes = Text(default="")
    # The currency of this revision's prices (ISO 4217; the RFQ's unless the vendor chose another: the comparison
    # converts at the rate in force on the close) and its payment terms in days after the invoice.
    currency = Varchar(length=3, default="")
    payment_terms_days = Integer(default=0)


class OfferLine(Table, tablename="offer_line"):
    revision = ForeignKey(OfferRevision, null=False, on_delete=OnDelete.restrict, index=True)
    rfq_line = ForeignKey(RfqLine, null=False, on_delete=OnDelete.restrict, index=True)
    unit_price = money_column(null=False)
    quantity = Integer(null=False, help_text="May be less than asked")


class Award(Table, tablename="award"):
    """One RFQ line awarded to one offer revision, with everything a contract needs."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.restrict, index=True)
    rfq_line = ForeignKey(RfqLine, null=False, on_delete=OnDelete.restrict)
    offer = ForeignKey(Offer, null=False, on_delete=OnDelete.restrict, index=True)
    revision = ForeignKey(OfferRevision, null=False, on_delete=OnDelete.restrict)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict)
    unit_price = money_column(null=False)
    currency = Varchar(length=3, null=False)
    quantity = Integer(null=False)
    awarded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    awarded_at = Timestamptz()
    justification = Text(
        default="", help_text="Why the line went to an offer that was not the cheapest; empty when it was"
    )


class OfferAttachment(Table, tablename="offer_attachment"):
    """A file a vendor attached to its offer; its bytes live under settings.var_dir / "attachments".

    It belongs to the offer, not to one revision: once added it goes with every later revision (revisions
    stay immutable; files are only ever added). `revision_number` is the revision that was current when it
    was added, so each file is listed with it. Sealed like the prices: see app/offers/offer_attachments.py.
    """

    offer = ForeignKey(Offer, null=False, on_delete=OnDelete.restrict, index=True)
    revision_number = Integer(null=False, help_text="The offer's current revision when the file was added")
    filename = Varchar(length=255, null=False, help_text="The name the vendor gave it, for downloads")
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    stored_name = Varchar(length=64, null=False, unique=True, help_text="Random file name on disk")
    uploaded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz()


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    ANSWERED = "answered"


class CounterProposal(Table, tablename="counter_proposal"):
    """After the close, the buyer's target prices to one vendor's offer; the vendor accepts or answers."""

    offer = ForeignKey(Offer, null=False, on_delete=OnDelete.restrict, index=True)
    author = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    message = Text(default="")
    status = Varchar(length=20, choices=ProposalStatus, default=ProposalStatus.OPEN.value)
    created_at = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    # The revision that accepted or answered it.
    revision = ForeignKey(OfferRevision, null=True, on_delete=OnDelete.restrict)


class CounterProposalLine(Table, tablename="counter_proposal_line"):
    proposal = ForeignKey(CounterProposal, null=False, on_delete=OnDelete.restrict, index=True)
    rfq_line = ForeignKey(RfqLine, null=False, on_delete=OnDelete.restrict)
    unit_price = money_column(null=False)
