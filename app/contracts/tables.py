"""Contracts made from awards, their lines, tiers and versions, and the contract prices the resolver reads.

Amounts are integers of 1/10,000 (app/money.py); times aware UTC. Composite and partial unique rules
are indexes made in the migrations: one contract per RFQ and vendor, one line per RFQ line, one
current and at most one proposed version per contract.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Listing
from app.contracts.rules import ContractStatus, Side, VersionStatus
from app.money import money_column
from app.offers.tables import OfferRevision
from app.rfq.tables import Rfq, RfqLine


class ContractNumberCounter(Table, tablename="contract_number_counter"):
    """The last sequence number given out per year: incremented by one conditional update per contract."""

    year = Integer(null=False, unique=True)
    last_value = Integer(null=False, default=0)


class Contract(Table, tablename="contract"):
    """What a buyer company agreed with one vendor by awarding its offer: prices for a period."""

    number = Varchar(length=20, null=False, unique=True, help_text="C-<year>-<sequence>, shown with every price")
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    currency = Varchar(length=3, null=False)
    payment_terms = Varchar(length=20, null=False)
    valid_from = Timestamptz(null=False)
    valid_to = Timestamptz(null=False, index=True)
    status = Varchar(length=20, choices=ContractStatus, default=ContractStatus.ACTIVE.value, index=True,
                     help_text="For lists; prices follow the dates and terminated_at alone")
    version = Integer(null=False, default=1, help_text="The number of the current version")
    terminated_at = Timestamptz(null=True, default=None)
    terminated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    termination_reason = Text(default="")
    # Provenance.
    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.restrict, index=True)
    offer_revision = ForeignKey(OfferRevision, null=False, on_delete=OnDelete.restrict)
    awarded_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    reminded_30_at = Timestamptz(null=True, default=None)
    reminded_7_at = Timestamptz(null=True, default=None)
    renewal_rfq = ForeignKey(Rfq, null=True, on_delete=OnDelete.set_null, help_text="The draft RFQ renewing it")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.number])


class ContractLine(Table, tablename="contract_line"):
    """One awarded RFQ line: its listing (empty until the vendor links a free-text line) and current terms."""

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    rfq_line = ForeignKey(RfqLine, null=False, on_delete=OnDelete.restrict)
    position = Integer(null=False)
    description = Text(null=False)
    unit = Varchar(length=20, default="pcs")
    listing = ForeignKey(Listing, null=True, on_delete=OnDelete.restrict, index=True)
    unit_price = money_column(null=False)
    committed_qty = Integer(null=True, default=None)
    consumed_qty = Integer(null=False, default=0, help_text="Units ordered at this line's price so far")
    min_order_qty = Integer(null=False, default=1)
    max_order_qty = Integer(null=True, default=None)
    linked_at = Timestamptz(null=True, default=None)
    linked_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class ContractLineMark(Table, tablename="contract_line_mark"):
    """A consumption mark (80 or 100 % of the committed quantity) already notified; (line, mark) is unique."""

    line = ForeignKey(ContractLine, null=False, on_delete=OnDelete.cascade)
    mark = Integer(null=False)
    reached_at = Timestamptz()


class ContractLineTier(Table, tablename="contract_line_tier"):
    """A volume price of a contract line from `min_qty` on; (line, min_qty) is unique."""

    line = ForeignKey(ContractLine, null=False, on_delete=OnDelete.cascade, index=True)
    min_qty = Integer(null=False)
    unit_price = money_column(null=False)


class ContractVersion(Table, tablename="contract_version"):
    """The terms at one version: dates and a snapshot of every line. Never changed once decided."""

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.restrict, index=True)
    number = Integer(null=False)
    status = Varchar(length=20, choices=VersionStatus, null=False)
    proposed_side = Varchar(length=10, choices=Side, null=False)
    valid_from = Timestamptz(null=False)
    valid_to = Timestamptz(null=False)
    lines = JSON(default="[]", help_text="Snapshot: line id, position, description, prices as decimal strings")
    note = Text(default="")
    proposed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    proposed_at = Timestamptz()
    decided_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)


class ContractPrice(Table, tablename="contract_price"):
    """A negotiated unit price of one listing for one buyer company, from `min_qty` on, for a period."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.restrict, index=True)
    min_qty = Integer(null=False, default=1)
    unit_price = money_column(null=False)
    currency = Varchar(length=3, null=False)
    valid_from = Timestamptz(null=False)
    valid_to = Timestamptz(null=True, default=None)
    terminated_at = Timestamptz(null=True, default=None)
    reference = Varchar(length=50, default="", help_text="The contract number shown with the price")
    contract_line = ForeignKey(ContractLine, null=True, on_delete=OnDelete.restrict, index=True,
                               help_text="The contract line this price comes from")


class ContractRating(Table, tablename="contract_rating"):
    """The buyer company's rating of the vendor of one of its contracts: 1 to 5 with a comment. A contract has one
    buyer company, so `contract` being unique is the rule "one rating per buyer company per contract"; rating again
    replaces the rating (app/contracts/ratings.py says why). `buyer` and `vendor` repeat the contract's parties,
    which never change, so that scorecards aggregate by vendor without joining contracts."""

    contract = ForeignKey(Contract, null=False, unique=True, on_delete=OnDelete.restrict)
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    score = Integer(null=False, help_text="1 (poor) to 5 (excellent)")
    comment = Text(null=False, default="")
    rated_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(null=False)
    updated_at = Timestamptz(null=False)
