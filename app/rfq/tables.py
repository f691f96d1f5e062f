"""Tables of requests for quotation. Amounts are integers of 1/10,000 (app/money.py); times aware UTC.

Composite unique rules are unique indexes made in the migrations (SQLite cannot add constraints).
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Product
from app.money import money_column
from app.rfq.states import BiddingMode, PaymentTerms, RfqStatus, Visibility


class RfqNumberCounter(Table, tablename="rfq_number_counter"):
    """The last RFQ sequence number given out per year (app/numbering.py)."""

    year = Integer(null=False, unique=True)
    last_value = Integer(null=False, default=0)


class Rfq(Table, tablename="rfq"):
    """A buyer's request for quotation; `number` (RFQ-2026-000012) is what users see and say, unique by an index."""

    number = Varchar(length=20, null=True, default=None)
    title = Varchar(length=200, null=False)
    description = Text(default="")
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    author = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    currency = Varchar(length=3, null=False)
    delivery_address = Text(default="")
    delivery_date = Date(null=True, default=None)
    payment_terms = Varchar(length=20, choices=PaymentTerms, default=PaymentTerms.NET_30.value)
    deadline = Timestamptz(null=False, index=True)
    visibility = Varchar(length=10, choices=Visibility, default=Visibility.INVITED.value)
    bidding_mode = Varchar(length=10, choices=BiddingMode, default=BiddingMode.SEALED.value)
    status = Varchar(length=20, choices=RfqStatus, default=RfqStatus.DRAFT.value, index=True)
    # Reverse auction settings.
    min_decrement = money_column(null=True, default=None, help_text="A new bid must beat the last by this much")
    show_best_price = Boolean(default=False)
    anti_snipe_minutes = Integer(default=0)
    max_extension_minutes = Integer(default=0)
    extended_minutes = Integer(default=0)
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    awarded_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    reminder_sent_at = Timestamptz(null=True, default=None)
    # The deadline a delayed closing message was last sent for: the sweeper schedules the others.
    close_scheduled_for = Timestamptz(null=True, default=None)
    # Set by app/analytics/facts.py once the award's savings facts are written: a partial index finds the others.
    facts_written_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.title])


class RfqLine(Table, tablename="rfq_line"):
    """A catalog product or a free-text specification, in a quantity."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    product = ForeignKey(Product, null=True, on_delete=OnDelete.restrict)
    description = Text(null=False)
    quantity = Integer(null=False)
    unit = Varchar(length=20, default="pcs")
    target_price = money_column(null=True, default=None, help_text="The buyer's target unit price")
    notes = Text(default="")


class RfqInvitation(Table, tablename="rfq_invitation"):
    """A vendor invited to answer; (rfq, vendor) is unique. Declining is recorded here."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    invited_at = Timestamptz()
    declined_at = Timestamptz(null=True, default=None)
    decline_reason = Text(default="")
    reminded_at = Timestamptz(null=True, default=None)


class RfqAttachment(Table, tablename="rfq_attachment"):
    """A file attached to an RFQ: its bytes live under settings.var_dir / "attachments", not in the database."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    filename = Varchar(length=255, null=False, help_text="The name the uploader gave it, for downloads")
    content_type = Varchar(length=100, null=False)
    size = Integer(null=False)
    stored_name = Varchar(length=64, null=False, unique=True, help_text="Random file name on disk")
    uploaded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz()


class RfqClarification(Table, tablename="rfq_clarification"):
    """A vendor's question and the buyer's answer: private to the asker, or published to every vendor
    without naming who asked."""

    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    asked_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    question = Text(null=False)
    asked_at = Timestamptz()
    answer = Text(default="")
    answered_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)
    published = Boolean(default=False)
