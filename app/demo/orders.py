"""Demo orders made through the real services, as the demo users would: checkouts to several vendors (one at Acme's
contract price for gloves, using part of the awarded quantity), then each vendor's moves, so that the pages show an
order in every state; and a shared requisition list. Idempotent: a checkout whose PO number exists is skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.accounts import services as accounts
from app.auth import Principal
from app.catalog.tables import Listing
from app.clock import utcnow
from app.demo.rfqs import demo_principal
from app.orders import cart, checkout, fulfilment
from app.orders.order_schemas import (
    CheckoutIn,
    ConfirmIn,
    ExpectedLineIn,
    OrderCancelIn,
    OrderRejectIn,
    QuantityLineIn,
    ReceiptIn,
    ShipmentIn,
)
from app.orders.schemas import CartLineIn
from app.orders.tables import OrderGroup, OrderLine, PurchaseOrder, RequisitionList, RequisitionListLine


@dataclass(frozen=True)
class DemoOrder:
    po_number: str
    buyer: str  # e-mail of the buyer user who checks out
    lines: tuple[tuple[str, int], ...]  # (vendor SKU, quantity)
    # vendor company name -> (vendor user e-mail, its moves in order: confirm, ship-half, ship-rest, receive,
    # reject, cancel, ask-cancel)
    moves: dict[str, tuple[str, tuple[str, ...]]]
    note: str = ""


DEMO_ORDERS = (
    DemoOrder("ACME-2027-0001", "buyer@acme.example", (("GX-GLV-M", 500), ("IN-A4-80", 100)), {
        "Globex Medical Supplies": ("sales@globex.example", ("confirm", "ship-half")),
        "Initech Office": ("sales@initech.example", ("confirm", "ship-rest", "receive")),
    }, note="Gloves for the wards: at the 2027 contract price."),
    DemoOrder("ACME-2027-0002", "admin@acme.example", (("UL-PIP-1000", 2), ("GX-GAUZE", 40)), {
        "Globex Medical Supplies": ("sales@globex.example", ("confirm", "ship-rest")),
    }),
    DemoOrder("ACME-2027-0003", "buyer@acme.example", (("IN-PEN-50", 10),), {
        "Initech Office": ("sales@initech.example", ("cancel",)),
    }),
    DemoOrder("NW-2027-0101", "buyer@northwind.example", (("IN-PEN-50", 30), ("ST-PAPER", 20)), {
        "Initech Office": ("sales@initech.example", ("reject",)),
        "Stark Industrial": ("sales@stark.example", ("confirm", "ask-cancel")),
    }),
)  # fmt: skip


async def _listing(sku: str) -> int | None:
    row = await Listing.select(Listing.id).where(Listing.sku == sku).first()
    return None if row is None else row["id"]


async def _check_out(buyer: Principal, demo: DemoOrder) -> int | None:
    for sku, quantity in demo.lines:
        listing = await _listing(sku)
        if listing is not None:
            await cart.add_line(buyer, CartLineIn(quantity=quantity, listing_id=listing))
    seen = (await cart.get_cart(buyer)).lines
    if not seen:
        return None
    group = await checkout.checkout(buyer, CheckoutIn(
        po_number=demo.po_number, note=demo.note, requested_delivery_date=(utcnow() + timedelta(days=10)).date(),
        expected_lines=[ExpectedLineIn(line_id=line.id, quantity=line.quantity, unit_price=line.unit_price,
                                       net=line.net) for line in seen],
    ))
    return group.id


async def _move(order_id: int, move: str, vendor: Principal, buyer: Principal) -> None:
    lines = await OrderLine.select(OrderLine.id, OrderLine.quantity, OrderLine.shipped_qty).where(
        OrderLine.order == order_id)
    if move == "confirm":
        await fulfilment.confirm(vendor, order_id, ConfirmIn(expected_ship_date=(utcnow() + timedelta(days=3)).date()))
    elif move in ("ship-half", "ship-rest"):
        wanted = [QuantityLineIn(line_id=line["id"], quantity=(line["quantity"] - line["shipped_qty"]) // (
            2 if move == "ship-half" else 1)) for line in lines]
        await fulfilment.ship(vendor, order_id, ShipmentIn(lines=[w for w in wanted if w.quantity > 0],
                                                           carrier="DHL", tracking_number=f"JD{order_id:012d}"))
    elif move == "receive":
        await fulfilment.receive(buyer, order_id, ReceiptIn(
            lines=[QuantityLineIn(line_id=line["id"], quantity=line["quantity"]) for line in lines]))
    elif move == "reject":
        await fulfilment.reject(vendor, order_id, OrderRejectIn(reason="This colour is discontinued."))
    elif move == "cancel":
        await fulfilment.cancel(buyer, order_id, OrderCancelIn(reason="Ordered twice by mistake."))
    elif move == "ask-cancel":
        await fulfilment.cancel(buyer, order_id, OrderCancelIn(reason="The term starts later this year."))


async def ensure_demo_order(demo: DemoOrder) -> int | None:
    buyer = await demo_principal(demo.buyer)
    done = await OrderGroup.select(OrderGroup.id).where(
        (OrderGroup.company == buyer.company_id) & (OrderGroup.po_number == demo.po_number)
    ).first()
    if done is not None:
        return done["id"]
    group_id = await _check_out(buyer, demo)
    if group_id is None:
        return None
    for vendor_name, (email, moves) in demo.moves.items():
        vendor_id = await accounts.find_company_id("vendor", vendor_name)
        order = await PurchaseOrder.select(PurchaseOrder.id).where(
            (PurchaseOrder.group == group_id) & (PurchaseOrder.vendor == vendor_id)).first()
        if order is None:
            continue
        vendor = await demo_principal(email)
        for move in moves:
            await _move(order["id"], move, vendor, buyer)
    return group_id


async def ensure_requisition_list() -> None:
    """Acme's shared "Ward restock" list: what the wards order every month."""
    buyer = await demo_principal("buyer@acme.example")
    if await RequisitionList.exists().where(
        (RequisitionList.company == buyer.company_id) & (RequisitionList.name == "Ward restock")
    ):
        return
    now = utcnow()
    made = await RequisitionList.insert(RequisitionList(
        company=buyer.company_id, owner=buyer.user_id, name="Ward restock", shared=True, created_at=now,
        updated_at=now,
    )).returning(RequisitionList.id)
    for sku, quantity in (("GX-GLV-M", 200), ("GX-GAUZE", 20), ("GX-SYR-5", 2000)):
        listing = await Listing.select(Listing.id, Listing.product).where(Listing.sku == sku).first()
        if listing is not None:
            await RequisitionListLine(requisition_list=made[0]["id"], product=listing["product"],
                                      listing=listing["id"], quantity=quantity, added_at=now).save()


async def load_demo_orders() -> list[int]:
    groups = [await ensure_demo_order(demo) for demo in DEMO_ORDERS]
    await ensure_requisition_list()
    return [group for group in groups if group is not None]
