"""What a purchase order tells its two sides, through the outbox, with the link to the page where they act."""

from __future__ import annotations

from decimal import Decimal

from app.accounts.recipients import addresses_of, author_and_admins
from app.accounts.roles import AWARDER_ROLES, SELLER_ROLES
from app.money import format_money
from app.notifications.services import Words, in_place, queue_email
from app.orders.access import OrderHead
from app.orders.states import Actor


def order_path(order_id: int, side: Actor) -> str:
    return f"/vendor/orders/{order_id}" if side is Actor.VENDOR else f"/orders/{order_id}"


async def tell(head: OrderHead, side: Actor, subject: Words, body: Words) -> None:
    """The buyer's side: who placed the order and its company's admins; the vendor's side: its sellers."""
    if side is Actor.VENDOR:
        recipients = (await addresses_of([head.vendor_id], SELLER_ROLES)).get(head.vendor_id, [])
    else:
        recipients = await author_and_admins(head.buyer_id, head.placed_by)
    for address in recipients:
        await queue_email(to=address, subject=subject,
                          body=lambda place: f"{in_place(body, place)}\n\nOpen the order:",
                          link=order_path(head.id, side))


async def tell_new_order(order_id: int, number: str, vendor_id: int, buyer_name: str, po_number: str,
                         line_count: int, net: Decimal, currency: str, note: str = "") -> None:
    """A vendor's sellers hear of a new purchase order: at checkout, or when the last approval places it; `note`
    is said after the request (who placed it on the buyer's behalf)."""
    recipients = (await addresses_of([vendor_id], SELLER_ROLES)).get(vendor_id, [])
    for address in recipients:
        await queue_email(
            to=address, subject=f"New purchase order {number} from {buyer_name}",
            body=lambda place: (f"{buyer_name} ordered {line_count} line(s), "
                                f"{format_money(net, currency, place.locale)} net (their purchase order number "
                                f"{po_number}). Confirm it with an expected ship date, or reject it with a reason."
                                f"{note}\n\nOpen the order:"),
            link=order_path(order_id, Actor.VENDOR))


async def tell_contract_mark(buyer_id: int, vendor_id: int, contract_id: int, contract_number: str,
                             line_description: str, mark: int, consumed: int, committed: int,
                             vendor_too: bool = True) -> None:
    """Both sides of a contract hear once that a line reached 80 % or 100 % of its committed quantity."""
    subject = f"Contract {contract_number}: {mark} % of a line's quantity ordered"
    body = (f"{consumed} of the {committed} units of \"{line_description}\" on contract {contract_number} have been "
            f"ordered ({mark} %)." + (" Further orders are priced without this contract line." if mark >= 100 else "")
            + "\n\nOpen the contract:")
    found = await addresses_of([buyer_id, vendor_id], AWARDER_ROLES | SELLER_ROLES)
    for company in (buyer_id, vendor_id) if vendor_too else (buyer_id,):
        for address in found.get(company, []):
            await queue_email(to=address, subject=subject, body=body, link=f"/contracts/{contract_id}")
