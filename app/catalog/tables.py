"""Tables of the shared catalog.

A `Product` is the shared entry buyers search; a `Listing` is one vendor's offer of it (its
product stays empty until an operator curates it). Amounts are integers of 1/10,000 of the
currency (see app/money.py). Composite unique rules are unique indexes made in the migrations.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.accounts.tables import Company
from app.catalog.states import ListingStatus, ProductStatus, RuleEffect, RuleTarget
from app.money import money_column


class Category(Table, tablename="category"):
    """A node of the category tree; `path` ("/1/4/9/") finds a whole subtree with one LIKE."""

    name = Varchar(length=200, null=False)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    path = Varchar(length=500, null=False, default="", index=True)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class Product(Table, tablename="product"):
    name = Varchar(length=300, null=False)
    brand = Varchar(length=200, default="", index=True)
    mpn = Varchar(length=100, default="", index=True, help_text="Manufacturer part number")
    gtin = Varchar(length=14, default="", index=True, help_text="GTIN / EAN / UPC")
    category = ForeignKey(Category, null=True, on_delete=OnDelete.restrict, index=True)
    attributes = JSON(default="{}")
    unit = Varchar(length=20, default="pcs", help_text="Unit of measure")
    description = Text(default="")
    image_urls = JSON(default="[]")
    status = Varchar(length=20, choices=ProductStatus, default=ProductStatus.ACTIVE.value, index=True)
    merged_into = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    featured = Boolean(default=False, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class Listing(Table, tablename="listing"):
    """One vendor's offer; (vendor, sku) is unique."""

    # No index of its own: the unique (vendor, sku) index of the migrations serves vendor lookups (2026-12-04T18:00).
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict)
    sku = Varchar(length=100, null=False, help_text="The vendor's own article number")
    product = ForeignKey(Product, null=True, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=300, null=False)
    brand = Varchar(length=200, default="")
    mpn = Varchar(length=100, default="")
    gtin = Varchar(length=14, default="", index=True)
    category = ForeignKey(Category, null=True, on_delete=OnDelete.set_null, help_text="The vendor's suggestion")
    description = Text(default="")
    unit = Varchar(length=20, default="pcs")
    pack_size = Integer(default=1)
    min_order_qty = Integer(default=1)
    stock = Integer(default=0)
    lead_time_days = Integer(default=0)
    base_price = money_column(null=False)
    currency = Varchar(length=3, null=False)
    tax_rate = Numeric(digits=(5, 2), null=True, default=None,
                       help_text="Percent; empty: the marketplace's default rate (MARKET_DEFAULT_TAX_RATE)")
    status = Varchar(length=20, choices=ListingStatus, default=ListingStatus.DRAFT.value, index=True)
    rejection_reason = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.sku])


class ListingTier(Table, tablename="listing_tier"):
    """A volume price of a listing: from `min_qty` on, `unit_price`; (listing, min_qty) is unique."""

    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.cascade, index=True)
    min_qty = Integer(null=False)
    unit_price = money_column(null=False)


class Segment(Table, tablename="segment"):
    name = Varchar(length=100, null=False, unique=True)
    description = Text(default="")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class SegmentMember(Table, tablename="segment_member"):
    """The one segment of a buyer company."""

    company = ForeignKey(Company, null=False, unique=True, on_delete=OnDelete.cascade)
    segment = ForeignKey(Segment, null=False, on_delete=OnDelete.restrict, index=True)


class SegmentRule(Table, tablename="segment_rule"):
    """Allow or deny a category (with its subtree), a product or a vendor to a segment's buyers."""

    segment = ForeignKey(Segment, null=False, on_delete=OnDelete.cascade, index=True)
    effect = Varchar(length=10, choices=RuleEffect, null=False)
    target = Varchar(length=20, choices=RuleTarget, null=False)
    target_id = Integer(null=False)
    created_at = Timestamptz()


class PriceList(Table, tablename="price_list"):
    """Prices for one segment or one buyer company (exactly one of the two), valid for a period."""

    name = Varchar(length=200, null=False)
    segment = ForeignKey(Segment, null=True, on_delete=OnDelete.cascade, index=True)
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade, index=True)
    currency = Varchar(length=3, null=False)
    valid_from = Timestamptz(null=True, default=None)
    valid_to = Timestamptz(null=True, default=None)
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class PriceListEntry(Table, tablename="price_list_entry"):
    """(price_list, listing, min_qty) is unique."""

    price_list = ForeignKey(PriceList, null=False, on_delete=OnDelete.cascade, index=True)
    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.cascade, index=True)
    min_qty = Integer(null=False, default=1)
    unit_price = money_column(null=False)


class CurationEvent(Table, tablename="curation_event"):
    """The audit log of curation: who did what to which listing or product, and what changed."""

    actor = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    action = Varchar(length=50, null=False, index=True)
    listing = ForeignKey(Listing, null=True, on_delete=OnDelete.set_null, index=True)
    product = ForeignKey(Product, null=True, on_delete=OnDelete.set_null, index=True)
    details = JSON(default="{}")
    created_at = Timestamptz(index=True)
