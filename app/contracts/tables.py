"""Contract prices: one source of the price resolver (the contracts issue adds the contracts themselves)."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Listing
from app.money import money_column


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
