"""A product's page for a buyer: the product with every offer they may see, priced for a quantity, cheapest first."""

from __future__ import annotations

from app.auth import Principal
from app.catalog.buyer_offers import OFFER_FROM, buyer_context, by_price, offer_out
from app.catalog.price_candidates import resolve_prices
from app.catalog.schemas import ProductDetail
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.errors import InvalidInput, NotFound

MAX_QUANTITY = 10_000_000


async def product_detail(principal: Principal, product_id: int, quantity: int = 1) -> ProductDetail:
    """The product with every offer this buyer may see, cheapest first for `quantity` units.

    404 when the buyer may see no offer of it: an invisible product does not exist for them.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number between 1 and {MAX_QUANTITY}")
    context = buyer_context(principal)
    visible, args = visible_offer_sql(context.buyer.segment_id)
    rows = await Listing.raw(
        f"""SELECT l.id, l.sku, l.lead_time_days, l.stock, l.min_order_qty, l.unit, l.vendor,
                   v.name AS vendor_name, p.name, p.brand, p.mpn, p.gtin, p.unit AS product_unit, p.description,
                   p.featured, p.category AS category_id, c.name AS category_name
            {OFFER_FROM} WHERE p.id = {{}} AND {visible}""",
        product_id, *args,
    )
    if not rows:
        raise NotFound("No such product.")
    prices = await resolve_prices({row["id"]: quantity for row in rows}, context.buyer)
    first = rows[0]
    return ProductDetail(
        id=product_id, name=first["name"], brand=first["brand"] or "", mpn=first["mpn"] or "",
        gtin=first["gtin"] or "", unit=first["product_unit"] or "", description=first["description"] or "",
        category_id=first["category_id"], category=first["category_name"] or "", featured=bool(first["featured"]),
        quantity=quantity,
        offers=sorted((offer_out(row, prices[row["id"]]) for row in rows), key=by_price(context.currency)),
    )
