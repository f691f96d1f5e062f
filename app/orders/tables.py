"""Tables of ordering: carts, checkouts (order groups), one purchase order per vendor, their lines, shipments,
receipts and timeline, and requisition lists.

A cart line names a listing and a quantity, nothing else: its name, price and availability are read live from the
catalog every time the cart is shown, so a line never keeps anything its buyer may no longer see. "One line per
listing in a cart" and "a quantity of at least 1" are constraints the migrations make
(orders_2026_12_04t19_00_01_000000), so a race cannot break them.
"""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    Boolean,
    Date,
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

from app.accounts.tables import Company, CompanyAddress
from app.catalog.pricing import PriceSource
from app.catalog.tables import Listing, Product
from app.contracts.tables import ContractLine
from app.money import money_column
from app.orders.states import GroupStatus, OrderStatus


class Cart(Table, tablename="cart"):
    """The one active cart of a buyer user, kept for its company (the company it buys for)."""

    user = ForeignKey(BaseUser, null=False, unique=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class CartLine(Table, tablename="cart_line"):
    """A listing and a quantity in a cart; (cart, listing) is unique, so adding a listing again adds to its line."""

    # No index of its own: the unique (cart, listing) index of the migrations serves a cart's lines.
    cart = ForeignKey(Cart, null=False, on_delete=OnDelete.cascade)
    # Restrict: a listing in someone's cart is suspended or withdrawn, never deleted from under it.
    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(null=False, default=1)
    added_at = Timestamptz()


class OrderGroup(Table, tablename="order_group"):
    """One checkout: the buyer's purchase order number, where it goes, and one purchase order per vendor.

    (company, po_number) is unique, and so is (company, idempotency_key) when a key was given: indexes of the
    migrations, so a retried or double-clicked checkout finds the group it made instead of making another.
    """

    number = Varchar(length=30, null=False, unique=True, help_text="The marketplace's number: O-<id>")
    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    placed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    # Ordering on behalf (#14): placed_by is the buyer user it was for; acted_by who placed it (an operator or an
    # assigned vendor sales user), and acted_by_text how the buyer reads it, kept as it was: "Sam Sales (Vendor A)".
    acted_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    acted_by_text = Varchar(length=300, default="", help_text="Who placed it on the buyer's behalf, if anyone")
    po_number = Varchar(length=50, null=False, help_text="The buyer's own purchase order number")
    idempotency_key = Varchar(length=100, null=True, default=None)
    request_hash = Varchar(length=64, default="", help_text="What the keyed request asked: a replay must ask the same")
    delivery_address = ForeignKey(CompanyAddress, null=False, on_delete=OnDelete.restrict)
    delivery_address_text = Text(null=False, help_text="The address as it was at checkout")
    billing_address_text = Text(default="")
    requested_delivery_date = Date(null=True, default=None)
    note = Text(default="")
    status = Varchar(length=20, choices=GroupStatus, default=GroupStatus.PLACED.value)
    placed_at = Timestamptz()
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.number])


class PurchaseOrder(Table, tablename="purchase_order"):
    """What one vendor receives from one checkout: its lines, in its currency, and where they stand."""

    number = Varchar(length=40, null=False, unique=True, help_text="O-<group>-<position>")
    group = ForeignKey(OrderGroup, null=False, on_delete=OnDelete.restrict, index=True)
    position = Integer(null=False)
    buyer = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    vendor = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    placed_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    acted_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    acted_by_text = Varchar(length=300, default="", help_text="Who placed it on the buyer's behalf, if anyone")
    status = Varchar(length=30, choices=OrderStatus, default=OrderStatus.PLACED.value, index=True)
    currency = Varchar(length=3, null=False)
    net = money_column(null=False)
    tax = money_column(null=False)
    gross = money_column(null=False)
    line_count = Integer(null=False)
    expected_ship_date = Date(null=True, default=None)
    rejection_reason = Text(default="")
    cancellation_reason = Text(default="")
    payment_terms_days = Integer(null=True, default=None,
                                 help_text="The buyer's payment terms in force when placed (days, 0 = prepaid)")
    billed_in_full = Boolean(default=False, help_text="Every line invoiced in full: the order holds no more credit "
                                                      "(kept by invoicing; billing's exposure skips it)")
    placed_at = Timestamptz(index=True)
    updated_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.number])


class OrderLine(Table, tablename="order_line"):
    """One line of a purchase order with the price captured at checkout and why it was that price.

    A line that ran past what its contract line still covered is two lines: the part at the contract price
    (`contract_line`, `at_contract` = its quantity) and the rest at the next price source.
    """

    order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.cascade, index=True)
    position = Integer(null=False)
    listing = ForeignKey(Listing, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=True, on_delete=OnDelete.set_null)
    sku = Varchar(length=100, null=False)
    name = Varchar(length=300, null=False)
    unit = Varchar(length=20, default="pcs")
    quantity = Integer(null=False)
    unit_price = money_column(null=False)
    currency = Varchar(length=3, null=False)
    tax_rate = Numeric(digits=(5, 2), null=False, help_text="Percent")
    net = money_column(null=False)
    tax = money_column(null=False)
    gross = money_column(null=False)
    price_source = Varchar(length=30, choices=PriceSource, null=False)
    price_reason = Varchar(length=200, default="")
    price_reference = Varchar(length=50, default="")
    contract_line = ForeignKey(ContractLine, null=True, on_delete=OnDelete.restrict, index=True)
    at_contract = Integer(null=False, default=0, help_text="Units taken from the contract line's quantity")
    stock_reserved = Integer(null=False, default=0, help_text="Units taken from the listing's stock")
    shipped_qty = Integer(null=False, default=0)
    received_qty = Integer(null=False, default=0)


class Shipment(Table, tablename="shipment"):
    """A parcel the vendor sent: which lines and how many, with the carrier and tracking number."""

    order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.cascade, index=True)
    number = Integer(null=False, help_text="1, 2, … within its order")
    carrier = Varchar(length=100, default="")
    tracking_number = Varchar(length=100, default="")
    note = Text(default="")
    shipped_at = Timestamptz()
    shipped_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class ShipmentLine(Table, tablename="shipment_line"):
    shipment = ForeignKey(Shipment, null=False, on_delete=OnDelete.cascade, index=True)
    order_line = ForeignKey(OrderLine, null=False, on_delete=OnDelete.cascade, index=True)
    quantity = Integer(null=False)


class Receipt(Table, tablename="receipt"):
    """What the buyer recorded as arrived, per line and quantity."""

    order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.cascade, index=True)
    note = Text(default="")
    received_at = Timestamptz()
    received_by = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)


class ReceiptLine(Table, tablename="receipt_line"):
    receipt = ForeignKey(Receipt, null=False, on_delete=OnDelete.cascade, index=True)
    order_line = ForeignKey(OrderLine, null=False, on_delete=OnDelete.cascade, index=True)
    quantity = Integer(null=False)


class OrderEvent(Table, tablename="order_event"):
    """The order's timeline: each move, who made it and what they said."""

    order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=30, choices=OrderStatus, null=False, help_text="The status after the event")
    kind = Varchar(length=40, null=False, help_text="placed, confirmed, shipment 2, receipt, …")
    side = Varchar(length=10, null=False, help_text="buyer, vendor or system")
    actor = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null)
    note = Text(default="")
    at = Timestamptz()


class RequisitionList(Table, tablename="requisition_list"):
    """A named list of products and quantities a buyer user keeps to order again; shared with its company or not."""

    company = ForeignKey(Company, null=False, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, index=True)
    name = Varchar(length=120, null=False)
    shared = Boolean(default=False, help_text="Colleagues of the company may read it and add it to their cart")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RequisitionListLine(Table, tablename="requisition_list_line"):
    """A product (and the listing it was taken from, if any) and a quantity; (list, product, listing) is unique."""

    requisition_list = ForeignKey(RequisitionList, null=False, on_delete=OnDelete.cascade, index=True)
    product = ForeignKey(Product, null=True, on_delete=OnDelete.cascade, index=True)
    listing = ForeignKey(Listing, null=True, on_delete=OnDelete.set_null, index=True)
    quantity = Integer(null=False, default=1)
    note = Varchar(length=200, default="")
    added_at = Timestamptz()


__all__ = [
    "Cart", "CartLine", "OrderEvent", "OrderGroup", "OrderLine", "PurchaseOrder", "Receipt", "ReceiptLine",
    "RequisitionList", "RequisitionListLine", "Shipment", "ShipmentLine",
]
