"""The savings facts: one row per award with the baselines it is compared with, derived from the award, its RFQ and
its offers once (app/analytics/facts.py) so that a buyer's page sums rows instead of re-deriving two years of offers.

Everything in a fact is fixed once the award is made (the target price, the first offers, the buyer's earlier
awards of the product), so a fact is written once and never updated; what does change, the quantity consumed by
orders, is read from the contract line at query time. Amounts are integers of 1/10,000 (app/money.py).
"""

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.tables import Category, Product
from app.money import money_column
from app.offers.tables import Award
from app.rfq.tables import Rfq, RfqLine
from app.spending.tables import CostCenter

__all__ = ["AwardFact", "SavingsMonth", "VendorMonth"]


class AwardFact(Table, tablename="award_fact"):
    """One awarded RFQ line with its baselines; `award` is unique (a unique index in the migration)."""

    award = ForeignKey(Award, null=False, on_delete=OnDelete.cascade)
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.cascade)
    rfq = ForeignKey(Rfq, null=False, on_delete=OnDelete.cascade, index=True)
    rfq_line = ForeignKey(RfqLine, null=False, on_delete=OnDelete.cascade)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(Product, null=True, on_delete=OnDelete.set_null)
    category = ForeignKey(Category, null=True, on_delete=OnDelete.set_null)
    currency = Varchar(length=3, null=False)
    awarded_at = Timestamptz(null=False)
    awarded_on = Date(null=False, help_text="The award's day in UTC: the period filters")
    month = Varchar(length=7, null=False, help_text="The award's month in UTC, 2026-05")
    quantity = Integer(null=False)
    unit_price = money_column(null=False)
    target_price = money_column(null=True, default=None)
    last_contract_price = money_column(
        null=True, default=None, help_text="The buyer's previous award of the same product in the same currency")
    median_first_x2 = money_column(
        null=True, default=None, help_text="Twice the median of the vendors' first offers on the line (exact)")
    own_first_price = money_column(null=True, default=None, help_text="The awarded vendor's first offer on the line")
    cost_center = ForeignKey(CostCenter, null=True, default=None, on_delete=OnDelete.set_null,
                             help_text="The RFQ's cost center (app/spending RfqCostCenter) when it was awarded")


class VendorMonth(Table, tablename="vendor_month"):
    """A vendor's competitiveness on one buyer's awarded RFQs of one month (the RFQ's deadline) in one currency:
    the lines it quoted, on how many its latest offer was the best, and its prices and the best prices times the
    quantities asked. Added to once per awarded RFQ, in the transaction that marks the RFQ's facts written
    (app/analytics/facts.py), so it is always the sum over the awarded RFQs whose facts exist; (buyer, vendor,
    month, currency) is unique (an index of the migration)."""

    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.cascade)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.cascade)
    month = Varchar(length=7, null=False)
    currency = Varchar(length=3, null=False)
    lines = Integer(null=False, default=0)
    best_lines = Integer(null=False, default=0)
    offered = money_column(null=False, default=0)
    best = money_column(null=False, default=0)


class SavingsMonth(Table, tablename="savings_month"):
    """The award facts of one buyer summed per month, category, vendor, cost center and currency (0: none), so that
    a page sums a few thousand rows for its whole months instead of every fact (the facts of a period's partial
    months are read themselves). Added to once per awarded RFQ, in the transaction that writes its facts
    (app/analytics/facts.py); the key is unique (an index of the migration). `<baseline>_base` sums the baseline
    times the quantity on the lines that have it (twice the median for the median of first offers), `_awarded` the
    awarded value of the same lines, `_lines` counts them."""

    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.cascade)
    month = Varchar(length=7, null=False)
    category = Integer(null=False, default=0)
    vendor = Integer(null=False)
    cost_center = Integer(null=False, default=0)
    currency = Varchar(length=3, null=False)
    lines = Integer(null=False, default=0)
    awarded = money_column(null=False, default=0)
    target_base = money_column(null=False, default=0)
    target_awarded = money_column(null=False, default=0)
    target_lines = Integer(null=False, default=0)
    last_contract_base = money_column(null=False, default=0)
    last_contract_awarded = money_column(null=False, default=0)
    last_contract_lines = Integer(null=False, default=0)
    median_first_offer_base = money_column(null=False, default=0)
    median_first_offer_awarded = money_column(null=False, default=0)
    median_first_offer_lines = Integer(null=False, default=0)
    first_offer_base = money_column(null=False, default=0)
    first_offer_awarded = money_column(null=False, default=0)
    first_offer_lines = Integer(null=False, default=0)
