"""What withdrawing a listing, or moving many at once, does to it: said on the confirmation page before it is done
(an approved listing withdrawn leaves the catalog and must pass curation again)."""

from __future__ import annotations

from collections.abc import Sequence

from app.auth import Principal
from app.catalog.tables import Listing
from app.errors import InvalidInput
from app.forms import Confirmation
from app.money import format_money, from_minor
from app.vendors import services

LISTINGS = "/vendor/listings"
BULK_MOVES = {"submit": ("Submit", "sent to curation"), "withdraw": ("Withdraw", "withdrawn to draft")}
_EFFECTS = {
    "submit": "They go to the marketplace's curation; buyers see them once an operator approves them.",
    "withdraw": "Approved ones leave the catalog at once: buyers no longer find or order them until they are "
                "submitted and approved again. Pending ones leave the curation queue.",
}


def _line(sku: str, title: str, status: str, price: str) -> str:
    return f"{sku} — {title} ({status}, {price})"


async def withdrawal(principal: Principal, listing_id: int) -> Confirmation:
    listing = await services.get_listing(principal, listing_id)  # another vendor's listing: its 404
    price = format_money(listing.base_price, listing.currency, principal.locale, unit_price=True)
    return Confirmation(
        title=f"Withdraw listing {listing.sku} to draft?",
        items=[_line(listing.sku, listing.title, listing.status, price)],
        facts=[_EFFECTS["withdraw"], "You can edit it as a draft and submit it again."],
        action=f"{LISTINGS}/{listing_id}/withdraw",
        yes="Yes, withdraw it", back=f"{LISTINGS}/{listing_id}", no="No, keep it as it is",
    )


async def bulk_move(principal: Principal, action: str, listing_ids: Sequence[int], back: str) -> Confirmation:
    """Every ticked listing of the caller's company named, and what the move does to them, all or none."""
    if action not in BULK_MOVES:
        raise InvalidInput("Choose Submit or Withdraw for the ticked listings.")
    verb, done = BULK_MOVES[action]
    rows = await Listing.select(Listing.id, Listing.sku, Listing.title, Listing.status, Listing.base_price,
                                Listing.currency).where(
        Listing.id.is_in(list(listing_ids)) & (Listing.vendor == principal.company_id)).order_by(Listing.sku)
    if len(rows) != len(listing_ids):  # another company's listing is missing here, the same as a deleted one
        raise InvalidInput("A ticked listing no longer exists: reload the page and tick them again.")
    count = f"{len(rows)} listing{'' if len(rows) == 1 else 's'}"
    return Confirmation(
        title=f"{verb} {count}?",
        items=[_line(row["sku"], row["title"], row["status"], format_money(
            from_minor(row["base_price"]), row["currency"], principal.locale, unit_price=True)) for row in rows],
        facts=[_EFFECTS[action], f"All or none: if one cannot be {done}, none is, and the message names it."],
        action=f"{LISTINGS}/bulk",
        hidden=[("action", action), ("next", back), *(("listing_id", str(row["id"])) for row in rows)],
        yes=f"Yes, {verb.lower()} {'it' if len(rows) == 1 else 'them'}", back=back, no="No, go back to my listings",
        danger=action == "withdraw",
    )
