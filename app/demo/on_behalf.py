"""Demo of ordering on behalf (#14): Globex's sales user Greta is assigned to Acme by Acme's admin, and has placed
an order for Bernd Buyer at Acme's prices (his order pages say "placed by … on your behalf"; the back office shows
the audit log)."""

from __future__ import annotations

from datetime import timedelta

from app.catalog.tables import Listing
from app.clock import utcnow
from app.demo.rfqs import demo_principal
from app.onbehalf import assignments
from app.orders import checkout, on_behalf
from app.orders.order_schemas import CheckoutIn, ExpectedLineIn
from app.orders.schemas import CartLineIn
from app.orders.tables import OrderGroup

SALES_REP = "rep@globex.example"
PO_NUMBER = "ACME-2027-0004"
LINES = (("GX-GLV-M", 200),)


async def load_demo_on_behalf() -> int | None:
    """The assignment and the order placed on behalf (each once, however often the demo data is loaded)."""
    admin = await demo_principal("admin@acme.example")
    await assignments.assign(admin, admin.company_id, SALES_REP)
    buyer = await demo_principal("buyer@acme.example")
    done = await OrderGroup.select(OrderGroup.id).where(
        (OrderGroup.company == buyer.company_id) & (OrderGroup.po_number == PO_NUMBER)).first()
    if done is not None:
        return done["id"]
    rep = await demo_principal(SALES_REP)
    for sku, quantity in LINES:
        listing = await Listing.select(Listing.id).where(Listing.sku == sku).first()
        if listing is not None:
            await on_behalf.add_line(rep, buyer.user_id, CartLineIn(quantity=quantity, listing_id=listing["id"]))
    seen = (await on_behalf.get_cart(rep, buyer.user_id)).lines
    if not seen:
        return None
    group = await checkout.checkout(rep, CheckoutIn(
        po_number=PO_NUMBER, note="Agreed on the phone with Bernd: gloves for the winter stock.",
        requested_delivery_date=(utcnow() + timedelta(days=14)).date(), on_behalf_of=buyer.user_id,
        expected_lines=[ExpectedLineIn(line_id=line.id, quantity=line.quantity, unit_price=line.unit_price,
                                       net=line.net) for line in seen],
    ))
    return group.id
