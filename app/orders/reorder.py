"""Reorder: an order's lines into the buyer's cart again, at today's prices, with what changed said line by line."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from app.auth import Principal
from app.catalog.buyer_offers import buyer_context
from app.catalog.price_candidates import resolve_line_prices
from app.catalog.services import visible_listing_ids
from app.errors import Conflict
from app.money import format_money, from_minor
from app.orders.access import actor_of, order_for
from app.orders.cart import add_listings
from app.orders.order_schemas import CheckoutChangeOut, ReorderOut
from app.orders.states import Actor
from app.orders.tables import OrderLine


async def reorder(principal: Principal, order_id: int) -> ReorderOut:
    """Put the order's listings and quantities (split lines added up) in the caller's cart. An offer the buyer may
    no longer see is skipped and said so, never added; a price that is not what the order captured is flagged."""
    head = await order_for(principal, order_id)
    if actor_of(principal, head) is not Actor.BUYER:
        raise Conflict("Only the buyer can reorder this order.")
    rows = await OrderLine.select(
        OrderLine.position, OrderLine.listing, OrderLine.name, OrderLine.quantity, OrderLine.unit_price,
        OrderLine.currency,
    ).where(OrderLine.order == order_id).order_by(OrderLine.position)
    wanted: dict[int, int] = defaultdict(int)
    first: dict[int, dict] = {}
    for row in rows:
        wanted[row["listing"]] += row["quantity"]
        first.setdefault(row["listing"], row)
    visible = set(await visible_listing_ids(principal.company_id, list(wanted)))
    skipped = [CheckoutChangeOut(line_id=first[listing]["position"], change="unavailable",
                                 message=f"Line {first[listing]['position']} ({first[listing]['name']}): no longer "
                                         "available to your company, not added.")
               for listing in wanted if listing not in visible]
    adding = {listing: quantity for listing, quantity in wanted.items() if listing in visible}
    await add_listings(principal, adding)
    prices = await resolve_line_prices(adding, buyer_context(principal).buyer)
    changed = []

    def price(amount: Decimal, currency: str) -> str:
        return format_money(amount, currency, principal.locale, unit_price=True)

    for listing in adding:
        before = first[listing]
        parts = prices.get(listing)
        if not parts:
            continue
        now = parts[0].price
        was = from_minor(before["unit_price"])
        if (now.unit_price, now.currency) != (was, before["currency"]) or len(parts) > 1:
            changed.append(CheckoutChangeOut(
                line_id=before["position"], change="price",
                message=f"Line {before['position']} ({before['name']}): {price(now.unit_price, now.currency)} "
                        f"today ({now.why}), was {price(was, before['currency'])}"
                        + (", and only part of it at that price" if len(parts) > 1 else "") + ".",
            ))
    return ReorderOut(added=len(adding), skipped=skipped, changed=changed)
