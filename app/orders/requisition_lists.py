"""Requisition lists: a buyer user's named lists of products or offers and quantities, kept to order again.

Who may see a list: its owner and, when it is shared, every buyer user of its company; anyone else (another company,
a colleague while the list is private) hears exactly what a missing list answers (404, `NO_LIST`). Who may change or
delete it: its owner, or an admin of its company (who sees it when it is shared); other colleagues get a 403.

A line names a product, or a listing (one vendor's offer) with its product, and a quantity and a note. Nothing of
the offer is copied: name, SKU, vendor and whether the buyer may still order it are read live with the catalog's
visibility rule, so a line never shows what the buyer's segment came to hide; such a line shows as unavailable with
no name, as the cart does. Adding what a list already holds (the same listing, or the same product without a listing)
adds to that line's quantity. Every write holds the list's row (FOR UPDATE on PostgreSQL, SQLite's immediate
transaction), so two adds at once cannot make two lines of one product or pass `MAX_LINES`.

To the cart: a line naming a listing the buyer still sees adds that listing; a product line adds the offer the
catalog ranks first for this buyer at that quantity (the product page's order, `buyer_offers.by_price`); a line
that cannot be ordered is reported, never added; the rest goes in through `cart.add_listings`, in one step.

Spreadsheets (export and import) are `requisition_sheets.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import msgspec
from piccolo.query.methods.select import Count

from app import db
from app.accounts.tables import Membership
from app.auth import Principal
from app.catalog.buyer_offers import OFFER_FROM, buyer_context, by_price, offer_out
from app.catalog.price_candidates import resolve_prices
from app.catalog.services import visible_listing_ids
from app.catalog.tables import Listing
from app.catalog.visibility import visible_listing_sql, visible_offer_sql, visible_product_sql
from app.clock import utcnow
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.orders.access import actor_of, order_for
from app.orders.cart import add_listings
from app.orders.requisition_schemas import (
    MAX_LINES,
    RequisitionAddedOut,
    RequisitionFromCartIn,
    RequisitionFromOrderIn,
    RequisitionFromOrderOut,
    RequisitionLineIn,
    RequisitionLineOut,
    RequisitionLinePatch,
    RequisitionListIn,
    RequisitionListOut,
    RequisitionListPatch,
    RequisitionListSummaryOut,
    RequisitionSkippedOut,
    RequisitionToCartIn,
    RequisitionToCartOut,
    SkipReason,
)
from app.orders.schemas import MAX_QUANTITY
from app.orders.states import Actor
from app.orders.tables import CartLine, OrderLine, RequisitionList, RequisitionListLine

NO_LIST = "No such requisition list."
NO_LINE = "No such line in this requisition list."
NOT_YOURS = "Only the list's owner or an admin of your company can change this list."
UNAVAILABLE = "This offer is no longer available to your company: not added."
NO_OFFER = "No offer of this product is available to your company any more: not added."



# --- who may see and change a list ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListHead:
    id: int
    name: str
    shared: bool
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


def may_change(principal: Principal, head: ListHead) -> bool:
    """The owner, or an admin of the list's company (the list being one the caller may see)."""
    return head.owner_id == principal.user_id or principal.is_company_admin


async def list_head(principal: Principal, list_id: int, *, change: bool = False, lock: bool = False) -> ListHead:
    """The list if the caller may see it, and with `change` if it may change it (403 otherwise); another company's
    list and a colleague's private one answer exactly what a missing list does. `lock` (inside a transaction) holds
    its row until the transaction ends, so writes to one list queue."""
    query = RequisitionList.select(
        RequisitionList.id, RequisitionList.name, RequisitionList.shared, RequisitionList.owner,
        RequisitionList.created_at, RequisitionList.updated_at,
    ).where(
        (RequisitionList.id == list_id) & (RequisitionList.company == principal.company_id)
        & ((RequisitionList.owner == principal.user_id) | RequisitionList.shared.eq(True))
    )
    if lock and not db.is_sqlite():
        query = query.lock_rows()
    row = await query.first()
    if row is None:
        raise NotFound(NO_LIST)
    head = ListHead(id=row["id"], name=row["name"], shared=bool(row["shared"]), owner_id=row["owner"],
                    created_at=row["created_at"], updated_at=row["updated_at"])
    if change and not may_change(principal, head):
        raise Forbidden(NOT_YOURS)
    return head


# --- reading ------------------------------------------------------------------------------------


# A list's lines with what the buyer may see of them, and whether it still may (the catalog's visibility rule in the
# same statement): a listing line by its listing; a product line by its product and any visible offer of it.
_LINES = """
SELECT rl.id AS id, rl.product AS product_id, rl.listing AS listing_id, rl.quantity AS quantity, rl.note AS note,
       rl.added_at AS added_at, l.sku AS sku, l.unit AS listing_unit, l.vendor AS vendor_id, v.name AS vendor_name,
       p.name AS product_name, p.unit AS product_unit, p.gtin AS gtin, p.mpn AS mpn,
       CASE WHEN rl.listing IS NOT NULL THEN CASE WHEN {offer} THEN 1 ELSE 0 END
            WHEN {product} AND EXISTS (SELECT 1 FROM listing ol JOIN company ov ON ov.id = ol.vendor
                                       WHERE ol.product = p.id AND {listing}) THEN 1
            ELSE 0 END AS visible
FROM requisition_list_line rl
LEFT JOIN listing l ON l.id = rl.listing
LEFT JOIN company v ON v.id = l.vendor
LEFT JOIN product p ON p.id = CASE WHEN rl.listing IS NULL THEN rl.product ELSE l.product END
LEFT JOIN category c ON c.id = p.category
WHERE rl.requisition_list = {{}}
"""
LINES_ORDER = " ORDER BY rl.added_at, rl.id"


def lines_sql(principal: Principal) -> tuple[str, list[Any]]:
    """The statement of a list's lines as the caller may see them (its last argument is the list's id), and its
    arguments before that id: the one visibility rule, for `list_lines` and the page's grid."""
    segment_id = buyer_context(principal).buyer.segment_id
    offer, offer_args = visible_offer_sql(segment_id)
    product, product_args = visible_product_sql(segment_id)
    listing, listing_args = visible_listing_sql(segment_id, listing="ol", vendor="ov")
    return _LINES.format(offer=offer, product=product, listing=listing), [*offer_args, *product_args, *listing_args]


async def list_lines(principal: Principal, list_id: int) -> list[RequisitionLineOut]:
    """The list's lines as the caller may see them now: one query whatever their number."""
    statement, args = lines_sql(principal)
    rows = await RequisitionListLine.raw(statement + LINES_ORDER, *args, list_id)
    return [line_out(row) for row in rows]


def line_out(row: dict[str, Any]) -> RequisitionLineOut:
    """A line as the buyer sees it: nothing of a product or offer it may no longer see."""
    common = {"id": row["id"], "product_id": row["product_id"], "listing_id": row["listing_id"],
              "quantity": row["quantity"], "note": row["note"] or "", "added_at": _moment(row["added_at"])}
    if not row["visible"]:
        return RequisitionLineOut(**common, available=False)
    listed = row["listing_id"] is not None
    return RequisitionLineOut(
        **common, available=True, name=row["product_name"] or "",
        unit=(row["listing_unit"] if listed else row["product_unit"]) or "",
        sku=row["sku"] or "", vendor_id=row["vendor_id"], vendor=row["vendor_name"] or "",
        gtin=row["gtin"] or "", mpn=row["mpn"] or "",
    )


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def _owner_names(owner_ids: Iterable[int | None]) -> dict[int, str]:
    ids = sorted({owner for owner in owner_ids if owner is not None})
    if not ids:
        return {}
    rows = await Membership.select(Membership.user, Membership.name).where(Membership.user.is_in(ids))
    return {row["user"]: row["name"] for row in rows}


def _summary_fields(principal: Principal, head: ListHead, owners: dict[int, str], line_count: int) -> dict[str, Any]:
    return {
        "id": head.id, "name": head.name, "shared": head.shared, "owner_id": head.owner_id,
        "owner": owners.get(head.owner_id, "") if head.owner_id is not None else "",
        "mine": head.owner_id == principal.user_id, "can_change": may_change(principal, head),
        "line_count": line_count, "created_at": head.created_at, "updated_at": head.updated_at,
    }


async def list_lists(principal: Principal) -> list[RequisitionListSummaryOut]:
    """The caller's own lists and its company's shared ones, by name, with their line counts (three queries)."""
    rows = await RequisitionList.select(
        RequisitionList.id, RequisitionList.name, RequisitionList.shared, RequisitionList.owner,
        RequisitionList.created_at, RequisitionList.updated_at,
    ).where(
        (RequisitionList.company == principal.company_id)
        & ((RequisitionList.owner == principal.user_id) | RequisitionList.shared.eq(True))
    ).order_by(RequisitionList.name, RequisitionList.id)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    counts = {
        row["requisition_list"]: row["count"]
        for row in await RequisitionListLine.select(RequisitionListLine.requisition_list, Count())
        .where(RequisitionListLine.requisition_list.is_in(ids)).group_by(RequisitionListLine.requisition_list)
    }
    owners = await _owner_names(row["owner"] for row in rows)
    heads = [ListHead(id=row["id"], name=row["name"], shared=bool(row["shared"]), owner_id=row["owner"],
                      created_at=row["created_at"], updated_at=row["updated_at"]) for row in rows]
    return [RequisitionListSummaryOut(**_summary_fields(principal, head, owners, counts.get(head.id, 0)))
            for head in heads]


async def get_list(principal: Principal, list_id: int) -> RequisitionListOut:
    """One list the caller may see, with its lines as the caller may see them now."""
    return await _list_out(principal, await list_head(principal, list_id))


async def _list_out(principal: Principal, head: ListHead) -> RequisitionListOut:
    lines = await list_lines(principal, head.id)
    owners = await _owner_names([head.owner_id])
    return RequisitionListOut(**_summary_fields(principal, head, owners, len(lines)), lines=lines)


# --- what a write adds ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A line to write: a product, or a listing and its product; a quantity; a note."""

    product_id: int
    listing_id: int | None
    quantity: int
    note: str = ""

    @property
    def key(self) -> tuple[int, int | None]:
        return self.product_id, self.listing_id


def merged(entries: Iterable[Entry]) -> list[Entry]:
    """One entry per product or listing, quantities added up, the last note given kept; in first-seen order."""
    found: dict[tuple[int, int | None], Entry] = {}
    for entry in entries:
        before = found.get(entry.key)
        if before is not None:
            entry = replace(entry, quantity=before.quantity + entry.quantity, note=entry.note or before.note)
        if entry.quantity > MAX_QUANTITY:
            raise InvalidInput(f"quantity: a line holds at most {MAX_QUANTITY} units.")
        found[entry.key] = entry
    return list(found.values())


async def _visible_products(principal: Principal, product_ids: Sequence[int]) -> set[int]:
    """The products among `product_ids` with at least one offer the buyer may see (the catalog's rule)."""
    if not product_ids:
        return set()
    visible, args = visible_offer_sql(buyer_context(principal).buyer.segment_id)
    where, ids = db.in_ids("p.id", sorted(set(product_ids)))
    rows = await Listing.raw(f"SELECT DISTINCT p.id AS id {OFFER_FROM} WHERE {where} AND {visible}", ids, *args)
    return {row["id"] for row in rows}


async def _entries(principal: Principal, lines: Sequence[RequisitionLineIn], *, one: bool = False) -> list[Entry]:
    """The lines as entries, once each names exactly one product or listing the buyer may see; one it may not see
    is refused as a missing one is (404), naming its position among `lines` (unless `one` line was sent)."""

    def at(position: int, problem: str) -> str:
        return problem[0].upper() + problem[1:] if one else f"lines[{position}]: {problem}"

    for position, line in enumerate(lines):
        if (line.listing_id is None) == (line.product_id is None):
            raise InvalidInput(at(position, "give either listing_id (one vendor's offer) or product_id (the best "
                                            "offer when ordered), not both."))
    listing_ids = [line.listing_id for line in lines if line.listing_id is not None]
    visible = await visible_listing_ids(principal.company_id, listing_ids) if listing_ids else set()
    products_of = {
        row["id"]: row["product"]
        for row in await Listing.select(Listing.id, Listing.product).where(Listing.id.is_in(sorted(visible)))
    } if visible else {}
    products = await _visible_products(principal, [line.product_id for line in lines if line.product_id is not None])
    entries = []
    for position, line in enumerate(lines):
        if line.listing_id is not None:
            product = products_of.get(line.listing_id)
            if product is None:
                raise NotFound(at(position, "no such listing."))
            entries.append(Entry(product, line.listing_id, line.quantity, line.note.strip()))
        else:
            assert line.product_id is not None
            if line.product_id not in products:
                raise NotFound(at(position, "no such product."))
            entries.append(Entry(line.product_id, None, line.quantity, line.note.strip()))
    return merged(entries)


async def write_entries(list_id: int, entries: Sequence[Entry], *, replace_lines: bool = False) -> None:
    """Add the entries to the list (to a line that holds the same product or listing, its quantity), or make them
    its only lines. Call inside the transaction that holds the list's row: a bound broken writes nothing."""
    now = utcnow()
    if replace_lines:
        await RequisitionListLine.delete().where(RequisitionListLine.requisition_list == list_id)
        existing = []
    else:
        existing = await RequisitionListLine.select(
            RequisitionListLine.id, RequisitionListLine.product, RequisitionListLine.listing,
            RequisitionListLine.quantity,
        ).where(RequisitionListLine.requisition_list == list_id)
    held = {(row["product"], row["listing"]): row for row in existing}
    new = []
    for entry in entries:
        row = held.get(entry.key)
        if row is None:
            new.append(entry)
            continue
        quantity = row["quantity"] + entry.quantity
        if quantity > MAX_QUANTITY:
            raise InvalidInput(f"quantity: a line holds at most {MAX_QUANTITY} units.")
        values: dict[Any, Any] = {RequisitionListLine.quantity: quantity}
        if entry.note:
            values[RequisitionListLine.note] = entry.note
        await RequisitionListLine.update(values).where(RequisitionListLine.id == row["id"])
    if len(existing) + len(new) > MAX_LINES:
        raise InvalidInput(f"A requisition list holds at most {MAX_LINES} lines; this one would hold "
                           f"{len(existing) + len(new)}.")
    if new:
        await RequisitionListLine.insert(*[
            RequisitionListLine(requisition_list=list_id, product=entry.product_id, listing=entry.listing_id,
                                quantity=entry.quantity, note=entry.note, added_at=now)
            for entry in new
        ])
    await RequisitionList.update({RequisitionList.updated_at: now}).where(RequisitionList.id == list_id)


def _name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise InvalidInput("name must not be blank.")
    return name


# --- writing ------------------------------------------------------------------------------------


async def create_list(principal: Principal, data: RequisitionListIn) -> RequisitionListOut:
    """A new list of the caller's, with its first lines (each a product or a listing the buyer may see)."""
    return await _create(principal, _name(data.name), data.shared, await _entries(principal, data.lines))


async def _create(principal: Principal, name: str, shared: bool, entries: Sequence[Entry]) -> RequisitionListOut:
    now = utcnow()
    async with db.transaction():
        inserted = await RequisitionList.insert(RequisitionList(
            company=principal.company_id, owner=principal.user_id, name=name, shared=shared,
            created_at=now, updated_at=now,
        ))
        list_id = inserted[0]["id"]
        await write_entries(list_id, entries)
    return await get_list(principal, list_id)


async def update_list(principal: Principal, list_id: int, data: RequisitionListPatch) -> RequisitionListOut:
    """Rename, share or unshare the list, or replace its lines: the owner or a company admin."""
    await list_head(principal, list_id, change=True)  # 404 or 403 before anything of the body is looked at
    entries = None if data.lines is msgspec.UNSET else await _entries(principal, data.lines)
    values: dict[Any, Any] = {RequisitionList.updated_at: utcnow()}
    if data.name is not msgspec.UNSET:
        values[RequisitionList.name] = _name(data.name)
    if data.shared is not msgspec.UNSET:
        values[RequisitionList.shared] = data.shared
    async with db.transaction():
        head = await list_head(principal, list_id, change=True, lock=True)
        await RequisitionList.update(values).where(RequisitionList.id == list_id)
        if entries is not None:
            await write_entries(list_id, entries, replace_lines=True)
    # The list as changed, not read again through `list_head`: an admin who unshares a colleague's list may no
    # longer see it, and a change that was made is never answered with a 404.
    return await _list_out(principal, replace(head, name=values.get(RequisitionList.name, head.name),
                                              shared=values.get(RequisitionList.shared, head.shared),
                                              updated_at=values[RequisitionList.updated_at]))


async def delete_list(principal: Principal, list_id: int) -> None:
    """Delete the list and its lines: the owner or a company admin."""
    async with db.transaction():
        await list_head(principal, list_id, change=True, lock=True)
        await RequisitionList.delete().where(RequisitionList.id == list_id)


async def add_line(principal: Principal, list_id: int, data: RequisitionLineIn) -> RequisitionListOut:
    """Add a product or a listing the buyer may see; one already in the list gets the quantity added."""
    await list_head(principal, list_id, change=True)
    entries = await _entries(principal, [data], one=True)
    async with db.transaction():
        await list_head(principal, list_id, change=True, lock=True)
        await write_entries(list_id, entries)
    return await get_list(principal, list_id)


async def remove_line(principal: Principal, list_id: int, line_id: int) -> None:
    """Take a line out of the list: the owner or a company admin."""
    async with db.transaction():
        await list_head(principal, list_id, change=True, lock=True)
        removed = await RequisitionListLine.delete().where(
            (RequisitionListLine.id == line_id) & (RequisitionListLine.requisition_list == list_id)
        ).returning(RequisitionListLine.id)
        if not removed:
            raise NotFound(NO_LINE)
        await RequisitionList.update({RequisitionList.updated_at: utcnow()}).where(RequisitionList.id == list_id)


async def change_line(principal: Principal, list_id: int, line_id: int, data: RequisitionLinePatch) -> None:
    """Set a line's quantity: the owner or a company admin."""
    async with db.transaction():
        await list_head(principal, list_id, change=True, lock=True)
        changed = await RequisitionListLine.update({RequisitionListLine.quantity: data.quantity}).where(
            (RequisitionListLine.id == line_id) & (RequisitionListLine.requisition_list == list_id)
        ).returning(RequisitionListLine.id)
        if not changed:
            raise NotFound(NO_LINE)
        await RequisitionList.update({RequisitionList.updated_at: utcnow()}).where(RequisitionList.id == list_id)


# --- to and from the cart -------------------------------------------------------------------------


async def best_offers(principal: Principal, quantities: dict[int, int]) -> dict[int, int]:
    """product id -> the listing the catalog ranks first for this buyer at that quantity, as the product page and
    the cart choose (its currency first, then the lowest resolved price, then the shortest lead time); products
    without a visible offer are left out. Two queries and the price candidates', whatever the number of products."""
    if not quantities:
        return {}
    context = buyer_context(principal)
    visible, args = visible_offer_sql(context.buyer.segment_id)
    where, ids = db.in_ids("p.id", sorted(quantities))
    rows = await Listing.raw(
        f"""SELECT l.id, l.sku, l.lead_time_days, l.stock, l.min_order_qty, l.unit, l.vendor,
                   v.name AS vendor_name, p.id AS product_id
            {OFFER_FROM} WHERE {where} AND {visible}""",
        ids, *args,
    )
    prices = await resolve_prices({row["id"]: quantities[row["product_id"]] for row in rows}, context.buyer)
    offers = defaultdict(list)
    for row in rows:
        if row["id"] in prices:
            offers[row["product_id"]].append(offer_out(row, prices[row["id"]]))
    rank = by_price(context.currency)
    return {product: min(found, key=rank).listing_id for product, found in offers.items()}


async def to_cart(principal: Principal, list_id: int, data: RequisitionToCartIn) -> RequisitionToCartOut:
    """Put the list's lines (or the chosen ones) in the caller's cart: a listing line its listing, a product line
    the best offer for this buyer at that quantity. A line the buyer can no longer order is reported, not added."""
    await list_head(principal, list_id)
    lines = await list_lines(principal, list_id)
    if data.line_ids is not None:
        chosen = set(data.line_ids)
        unknown = sorted(chosen - {line.id for line in lines})
        if unknown:
            raise InvalidInput(f"line_ids: not lines of this list: {', '.join(map(str, unknown))}.")
        lines = [line for line in lines if line.id in chosen]
    wanted: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.available and line.listing_id is None and line.product_id is not None:
            wanted[line.product_id] += line.quantity
    best = await best_offers(principal, wanted)
    added, skipped = [], []
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        listing = line.listing_id
        if listing is None and line.product_id is not None:
            listing = best.get(line.product_id)
        if not line.available or listing is None:
            message = UNAVAILABLE if line.listing_id is not None else NO_OFFER
            skipped.append(RequisitionSkippedOut(line_id=line.id, reason=SkipReason.UNAVAILABLE, message=message))
            continue
        quantities[listing] += line.quantity
        added.append(RequisitionAddedOut(line_id=line.id, listing_id=listing, quantity=line.quantity))
    await add_listings(principal, quantities)
    return RequisitionToCartOut(added=added, skipped=skipped)


async def from_cart(principal: Principal, data: RequisitionFromCartIn) -> RequisitionListOut:
    """A new list of the caller's cart lines (each naming its listing), leaving out offers it may no longer see."""
    name = _name(data.name)
    rows = await CartLine.select(
        CartLine.listing, CartLine.quantity, CartLine.listing._.product.as_alias("product"),
    ).where(CartLine.cart._.user == principal.user_id).order_by(CartLine.added_at, CartLine.id)
    if not rows:
        raise InvalidInput("Your cart is empty: add what the list should hold to the cart first.")
    visible = await visible_listing_ids(principal.company_id, [row["listing"] for row in rows])
    entries = merged(Entry(row["product"], row["listing"], row["quantity"])
                     for row in rows if row["listing"] in visible and row["product"] is not None)
    if not entries:
        raise InvalidInput("No line of your cart is available to your company any more: nothing to keep in a list.")
    return await _create(principal, name, data.shared, entries)


async def from_order(principal: Principal, order_id: int, data: RequisitionFromOrderIn) -> RequisitionFromOrderOut:
    """An order's listings and quantities (split lines added up) into one of the caller's lists or a new one. The
    order is one the caller may see (`orders/access.py`: anyone else's is a missing order); an offer the buyer may
    no longer see is left out and said so, never added."""
    if (data.list_id is None) == (data.name is None):
        raise InvalidInput("Choose one of your lists or give the new list a name.")
    name = _name(data.name) if data.name is not None else ""
    head = await order_for(principal, order_id)
    if actor_of(principal, head) is not Actor.BUYER:
        raise Conflict("Only the buyer can keep this order's lines in a list.")
    if data.list_id is not None:
        await list_head(principal, data.list_id, change=True)
    rows = await OrderLine.select(
        OrderLine.position, OrderLine.listing, OrderLine.name, OrderLine.quantity,
        OrderLine.listing._.product.as_alias("product"),
    ).where(OrderLine.order == order_id).order_by(OrderLine.position)
    visible = await visible_listing_ids(principal.company_id, sorted({row["listing"] for row in rows}))
    kept = [row for row in rows if row["listing"] in visible and row["product"] is not None]
    skipped = [f"Line {row['position']} ({row['name']}): no longer available to your company, not added."
               for row in rows if row["listing"] not in visible or row["product"] is None]
    if not kept:
        raise InvalidInput("No line of this order is available to your company any more: nothing to keep in a list.")
    entries = merged(Entry(row["product"], row["listing"], row["quantity"]) for row in kept)
    if data.list_id is None:
        kept_in = await _create(principal, name, data.shared, entries)
    else:
        async with db.transaction():
            await list_head(principal, data.list_id, change=True, lock=True)
            await write_entries(data.list_id, entries)
        kept_in = await get_list(principal, data.list_id)
    return RequisitionFromOrderOut(requisition_list=kept_in, added=len(kept), skipped=skipped)
