"""Ordering on a buyer user's behalf (#14): its cart and its checkout, run as that buyer user, each action written
to the audit log in the action's own transaction.

Who may act for whom is `app/onbehalf/acting.py`'s answer; here the cart and checkout services run unchanged with
the buyer user's principal (so prices, visibility, contracts, and whatever rules checkout applies, are the buyer's),
and the audit entry joins their unit of work (`db.transaction` nests).
"""

from __future__ import annotations

from typing import Any

from app import db
from app.accounts.roles import BUYER_ROLES
from app.auth import Principal
from app.errors import Forbidden
from app.onbehalf import acting
from app.orders import cart, mail
from app.orders.access import OrderHead
from app.orders.schemas import CartLineIn, CartOut
from app.orders.states import Actor


async def checkout_principal(caller: Principal, on_behalf_of: int | None) -> Principal:
    """Whose cart a checkout takes: the caller's own (a buyer user's), or the buyer user it may act for."""
    if on_behalf_of is not None:
        return await acting.acting_for(caller, on_behalf_of)
    if not caller.has_any_role(BUYER_ROLES):
        raise Forbidden("This needs one of the roles: " + ", ".join(sorted(BUYER_ROLES))
                        + "; or give on_behalf_of, the buyer user you order for.")
    return caller


def acted_by_columns(principal: Principal) -> dict[str, Any]:
    """The order's columns saying who placed it for the buyer user (none when the buyer ordered itself)."""
    actor = principal.acted_by
    return {} if actor is None else {"acted_by": actor.user_id, "acted_by_text": actor.label[:300]}


def placed_by_words(principal: Principal, whose: str) -> str:
    actor = principal.acted_by
    return "" if actor is None else f" Placed by {actor.label} on {whose} behalf."


async def record_checkout(principal: Principal, group_id: int, number: str, heads: list[OrderHead]) -> None:
    """Inside the checkout's transaction: the audit entry, and the buyer user (and its admins) told by e-mail."""
    actor = principal.acted_by
    if actor is None:
        return
    await acting.record(principal, "checkout", f"order {number}", {
        "group_id": group_id, "orders": [head.number for head in heads]})
    for head in heads:
        await mail.tell(head, Actor.BUYER, f"Order {head.number} was placed on your behalf by {actor.label}",
                        f"{actor.label} placed purchase order {head.number} on your behalf "
                        f"(for {principal.name}).")


# --- the cart of a buyer user, worked on by someone acting for it --------------------------------------


async def get_cart(actor: Principal, user_id: int) -> CartOut:
    """The buyer user's cart as the actor may see it (a vendor's sales user: its own company's lines)."""
    return await cart.get_cart(await acting.acting_for(actor, user_id))


async def add_line(actor: Principal, user_id: int, data: CartLineIn) -> CartOut:
    """Add to the buyer user's cart, at the buyer's prices; logged with the change."""
    buyer = await acting.acting_for(actor, user_id)
    async with db.transaction():
        result = await cart.add_line(buyer, data)
        await acting.record(buyer, "cart.add", "cart", {
            "listing_id": data.listing_id, "product_id": data.product_id, "quantity": data.quantity})
    return result


async def change_quantity(actor: Principal, user_id: int, line_id: int, quantity: int) -> CartOut:
    buyer = await acting.acting_for(actor, user_id)
    async with db.transaction():
        result = await cart.change_quantity(buyer, line_id, quantity)
        await acting.record(buyer, "cart.quantity", f"cart line {line_id}", {"quantity": quantity})
    return result


async def remove_line(actor: Principal, user_id: int, line_id: int) -> None:
    buyer = await acting.acting_for(actor, user_id)
    async with db.transaction():
        await cart.remove_line(buyer, line_id)
        await acting.record(buyer, "cart.remove", f"cart line {line_id}", {})
