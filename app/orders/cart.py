"""The buyer's cart: add a listing or a product, change or remove a line, and read it priced live.

Each buyer user has one cart (made by its first line). A line keeps only its listing and quantity; every read prices
it again with the one resolver (`app/catalog/pricing.py`, through `price_candidates.resolve_prices`) for its own
quantity, checks the quantity with `orders/quantities.check_quantity`, and asks the catalog's visibility rule
whether the buyer's company may still see the offer. A line that cannot be ordered as it is says why; one whose offer
the buyer may no longer see (suspended, withdrawn, hidden from its segment, or gone from an inactive vendor) keeps
its id and quantity but shows nothing of the offer and no price. Reading a cart costs two queries whatever its size:
its lines with their listings and visibility, then their prices.

Who calls: buyer users only (the `buyers_only` guard); a line of another user's cart is a 404 like a missing one.
Someone acting for a buyer user (`app/onbehalf/acting.py`) works on that user's cart as that user; a vendor's sales
user sees, adds, changes and checks out only its own company's lines there (`_only_vendor`): the other lines are
the buyer's business, never shown to it, and stay in the cart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app import db
from app.auth import Principal
from app.catalog.buyer_offers import buyer_context
from app.catalog.price_candidates import resolve_line_prices
from app.catalog.pricing import PricedPart, PriceSource
from app.catalog.product_page import product_detail
from app.catalog.services import visible_listing_ids
from app.catalog.tables import Listing
from app.catalog.visibility import visible_offer_sql
from app.clock import utcnow
from app.errors import InvalidInput, NotFound
from app.orders.cart_totals import LineAmounts, PricedLine, currency_totals, line_amounts, vendor_totals
from app.orders.quantities import check_quantity
from app.orders.schemas import (
    MAX_QUANTITY,
    CartLineIn,
    CartLineOut,
    CartOut,
    CartTotalOut,
    LineProblemOut,
    PricePartOut,
    ProblemCode,
    VendorTotalOut,
)
from app.orders.tables import Cart, CartLine
from app.settings import get_settings

NO_LISTING = "No such listing."
NO_LINE = "No such cart line."
UNAVAILABLE = "This offer is no longer available to your company: remove the line or choose another offer."

# A cart's lines with what the buyer may see of their offers, and whether it still may (the catalog's visibility
# rule, evaluated in the same statement): one query whatever the number of lines.
_LINES = """
SELECT cl.id AS id, cl.listing AS listing_id, cl.quantity AS quantity, cl.added_at AS added_at,
       l.product AS product_id, l.sku AS sku, l.title AS title, l.unit AS unit, l.vendor AS vendor_id,
       v.name AS vendor_name, l.min_order_qty AS min_order_qty, l.pack_size AS pack_size, l.stock AS stock,
       l.tax_rate AS tax_rate,
       p.name AS product_name, p.category AS category_id, CASE WHEN {visible} THEN 1 ELSE 0 END AS visible
FROM cart_line cl
JOIN cart ct ON ct.id = cl.cart
JOIN listing l ON l.id = cl.listing
JOIN company v ON v.id = l.vendor
LEFT JOIN product p ON p.id = l.product
LEFT JOIN category c ON c.id = p.category
WHERE ct."user" = {{}}
ORDER BY cl.added_at, cl.id
"""

# Adding a listing already in the cart adds to its line, atomically on both backends (the unique (cart, listing)
# index of migration orders_2026_12_04t19_00_01_000000).
_ADD = """
INSERT INTO cart_line (cart, listing, quantity, added_at) VALUES ({}, {}, {}, {})
ON CONFLICT (cart, listing) DO UPDATE SET quantity = cart_line.quantity + excluded.quantity
"""


# Many listings in one statement (quick order, a requisition list, a reorder): the pairs travel as one bound value.
_ADD_MANY_SQLITE = """
INSERT INTO cart_line (cart, listing, quantity, added_at)
SELECT {}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), {} FROM json_each({}) WHERE true
ON CONFLICT (cart, listing) DO UPDATE SET quantity = cart_line.quantity + excluded.quantity
"""
_ADD_MANY_POSTGRES = """
INSERT INTO cart_line (cart, listing, quantity, added_at)
SELECT {}, t.listing, t.quantity, {} FROM unnest({}::bigint[], {}::int[]) AS t(listing, quantity)
ON CONFLICT (cart, listing) DO UPDATE SET quantity = cart_line.quantity + excluded.quantity
"""


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveLine:
    """A cart line as it stands now: its row, its price parts (None when unavailable), and what the buyer sees."""

    row: dict[str, Any]
    parts: tuple[PricedPart, ...] | None
    shown: CartLineOut


async def live_lines(principal: Principal) -> list[LiveLine]:
    """The caller's cart lines priced now, in two queries: what the cart shows and checkout captures."""
    context = buyer_context(principal)
    visible, args = visible_offer_sql(context.buyer.segment_id)
    rows = await Cart.raw(_LINES.format(visible=visible), *args, principal.user_id)
    if (vendor_id := _only_vendor(principal)) is not None:
        rows = [row for row in rows if row["vendor_id"] == vendor_id]
    prices = await resolve_line_prices(
        {row["listing_id"]: row["quantity"] for row in rows if row["visible"]}, context.buyer
    )
    found = []
    for row in rows:
        parts = prices.get(row["listing_id"]) if row["visible"] else None
        found.append(LiveLine(row=row, parts=parts, shown=_line(row, parts)))
    return found


async def get_cart(principal: Principal) -> CartOut:
    """The caller's cart, every line priced now for its quantity, with its problems and the totals."""
    live = await live_lines(principal)
    rows = [line.row for line in live]
    lines = [line.shown for line in live]
    priced = [
        PricedLine(vendor_id=line.vendor_id, currency=part.currency,
                   amounts=LineAmounts(net=part.net, tax=part.tax, gross=part.gross))
        for line in lines if line.orderable for part in line.parts
    ]
    vendors = {row["vendor_id"]: row["vendor_name"] for row in rows if row["visible"]}
    return CartOut(
        lines=lines,
        vendor_totals=[
            VendorTotalOut(vendor_id=int(total.vendor_id), vendor=vendors[total.vendor_id],  # type: ignore[call-overload]
                           currency=total.total.currency, net=total.total.net, tax=total.total.tax,
                           gross=total.total.gross, line_count=total.total.line_count)
            for total in vendor_totals(priced)
        ],
        currency_totals=[
            CartTotalOut(currency=total.currency, net=total.net, tax=total.tax, gross=total.gross,
                         line_count=total.line_count)
            for total in currency_totals(priced)
        ],
        problem_count=sum(1 for line in lines if not line.orderable),
    )


def _line(row: dict[str, Any], parts: tuple[PricedPart, ...] | None) -> CartLineOut:
    """One line as its buyer may see it: nothing of an offer it may no longer see, and never a price without one."""
    common = {"id": row["id"], "listing_id": row["listing_id"], "quantity": row["quantity"],
              "added_at": _moment(row["added_at"])}
    if not parts:
        # Invisible now (or, in a race, without a base price): flagged, unpriced, and nothing of the offer shown.
        problem = LineProblemOut(code=ProblemCode.UNAVAILABLE, message=UNAVAILABLE, allowed=[])
        return CartLineOut(**common, available=False, orderable=False, problems=[problem])
    broken = check_quantity(row["quantity"], row["min_order_qty"], row["pack_size"], row["stock"])
    problems = [] if broken is None else [
        LineProblemOut(code=ProblemCode(broken.rule.value), message=broken.message, allowed=list(broken.allowed))
    ]
    tax_rate = line_tax_rate(row["tax_rate"])
    priced = [price_part(part, tax_rate) for part in parts]
    first = parts[0].price
    one_currency = len({part.currency for part in priced}) == 1
    return CartLineOut(
        **common, available=True, orderable=not problems, problems=problems,
        product_id=row["product_id"], sku=row["sku"], name=row["product_name"] or row["title"], unit=row["unit"],
        vendor_id=row["vendor_id"], vendor=row["vendor_name"], min_order_qty=row["min_order_qty"],
        pack_size=row["pack_size"], stock=row["stock"], unit_price=first.unit_price, currency=first.currency,
        price_source=first.source, price_reason=first.why, price_reference=first.reference, tax_rate=tax_rate,
        net=sum((p.net for p in priced), Decimal(0)) if one_currency else None,
        tax=sum((p.tax for p in priced), Decimal(0)) if one_currency else None,
        gross=sum((p.gross for p in priced), Decimal(0)) if one_currency else None,
        parts=priced,
    )


def line_tax_rate(listing_rate: Decimal | str | None) -> Decimal:
    """The listing's own tax rate (percent), else the marketplace's default."""
    if listing_rate is None:
        return get_settings().default_tax_rate
    return Decimal(str(listing_rate)).quantize(Decimal("0.01"))


def price_part(part: PricedPart, tax_rate: Decimal) -> PricePartOut:
    """A part of a line with its amounts at `tax_rate`; the checkout captures exactly these figures."""
    price = part.price
    amounts = line_amounts(price.unit_price, part.quantity, tax_rate, price.currency)
    reason = price.why
    if price.source is PriceSource.CONTRACT and price.committed is not None:
        left = price.committed - price.consumed
        reason += f" ({left} of {price.committed} left on the contract)"
    return PricePartOut(
        quantity=part.quantity, unit_price=price.unit_price, currency=price.currency, price_source=price.source,
        price_reason=reason, price_reference=price.reference, net=amounts.net, tax=amounts.tax, gross=amounts.gross,
    )


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _only_vendor(principal: Principal) -> int | None:
    """The one vendor whose lines a vendor's sales user acting for the buyer may see and order; None: every one."""
    return principal.acted_by.vendor_id if principal.acted_by is not None else None


# --- writing ------------------------------------------------------------------------------------


async def add_line(principal: Principal, data: CartLineIn) -> CartOut:
    """Add `quantity` of a listing, or of a product's best offer for this buyer at that quantity, to the cart.

    A listing the buyer may not see is a 404 worded exactly as for one that does not exist. A product without a
    vendor takes the offer the catalog ranks first for this buyer and quantity (its currency first, then the lowest
    price the resolver gives, then the shortest lead time). A listing already in the cart gets the quantity added.
    The quantity rules do not refuse the line: the cart flags it, with what could be ordered instead.
    """
    if (data.listing_id is None) == (data.product_id is None):
        raise InvalidInput("Give either listing_id (one vendor's offer) or product_id (the best offer), not both.")
    if data.listing_id is not None:
        if data.listing_id not in await visible_listing_ids(principal.company_id, [data.listing_id]):
            raise NotFound(NO_LISTING)
        if (vendor_id := _only_vendor(principal)) is not None and not await Listing.exists().where(
                (Listing.id == data.listing_id) & (Listing.vendor == vendor_id)):
            raise NotFound(NO_LISTING)
        listing_id = data.listing_id
    else:
        assert data.product_id is not None
        offers = (await product_detail(principal, data.product_id, data.quantity)).offers
        if (vendor_id := _only_vendor(principal)) is not None:
            offers = [offer for offer in offers if offer.vendor_id == vendor_id]
            if not offers:
                raise NotFound(NO_LISTING)
        listing_id = offers[0].listing_id  # product_detail answers 404 when the buyer may see no offer
    now = utcnow()
    async with db.transaction():
        cart_id = await _cart_of(principal, now)
        await CartLine.raw(_ADD, cart_id, listing_id, data.quantity, now)
        line = await CartLine.select(CartLine.quantity).where(
            (CartLine.cart == cart_id) & (CartLine.listing == listing_id)
        ).first()
        if line is None or line["quantity"] > MAX_QUANTITY:
            raise InvalidInput(f"quantity: a line holds at most {MAX_QUANTITY} units.")
    return await get_cart(principal)


async def add_listings(principal: Principal, quantities: Mapping[int, int]) -> None:
    """Add many listings at once (listing id -> quantity), each added to its line if already in the cart.

    The caller has checked that the buyer may see every listing. One transaction: a line that would pass
    `MAX_QUANTITY` refuses the whole addition (400 naming how many lines), so nothing is half added.
    """
    if not quantities:
        return
    now = utcnow()
    async with db.transaction():
        cart_id = await _cart_of(principal, now)
        if db.is_sqlite():
            pairs = json.dumps([[listing, quantity] for listing, quantity in quantities.items()])
            await CartLine.raw(_ADD_MANY_SQLITE, cart_id, now, pairs)
        else:
            await CartLine.raw(_ADD_MANY_POSTGRES, cart_id, now, list(quantities), list(quantities.values()))
        too_big = await CartLine.count().where((CartLine.cart == cart_id) & (CartLine.quantity > MAX_QUANTITY))
        if too_big:
            raise InvalidInput(
                f"quantity: a line holds at most {MAX_QUANTITY} units ({too_big} lines would hold more)."
            )


async def change_quantity(principal: Principal, line_id: int, quantity: int) -> CartOut:
    """Set a line's quantity; the cart flags it if the listing's rules refuse it."""
    async with db.transaction():
        cart_id = await _own_line(principal, line_id)
        await CartLine.update({CartLine.quantity: quantity}).where(CartLine.id == line_id)
        await Cart.update({Cart.updated_at: utcnow()}).where(Cart.id == cart_id)
    return await get_cart(principal)


async def remove_line(principal: Principal, line_id: int) -> None:
    """Take a line out of the cart."""
    async with db.transaction():
        cart_id = await _own_line(principal, line_id)
        await CartLine.delete().where(CartLine.id == line_id)
        await Cart.update({Cart.updated_at: utcnow()}).where(Cart.id == cart_id)


async def _cart_of(principal: Principal, now: datetime) -> int:
    """The caller's cart, made on its first line (once, however many requests race to make it)."""
    await Cart.insert(
        Cart(user=principal.user_id, company=principal.company_id, created_at=now, updated_at=now)
    ).on_conflict(target=Cart.user, action="DO UPDATE", values=[Cart.updated_at])
    row = await Cart.select(Cart.id).where(Cart.user == principal.user_id).first()
    assert row is not None
    return row["id"]


async def _own_line(principal: Principal, line_id: int) -> int:
    """The cart of the line if it is in the caller's own cart; anyone else's line is a 404 like a missing one."""
    mine = (CartLine.id == line_id) & (CartLine.cart._.user == principal.user_id)
    if (vendor_id := _only_vendor(principal)) is not None:
        mine &= CartLine.listing._.vendor == vendor_id
    row = await CartLine.select(CartLine.cart).where(mine).first()
    if row is None:
        raise NotFound(NO_LINE)
    return row["cart"]
