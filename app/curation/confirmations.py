"""What an operator's action does to buyers and vendors, said on its confirmation page before it is done: removing a
segment's rule, suspending a listing or all of a vendor's, and the queue's bulk approve and suspend."""

from __future__ import annotations

from collections.abc import Sequence

from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing, Segment
from app.curation import listings, segments
from app.curation.schemas import ListingSummary
from app.errors import InvalidInput, NotFound
from app.forms import Confirmation
from app.locales import Place
from app.money import format_money

CURATION = "/operator/curation"
NOT_CONFIRMED = "{what} was not confirmed: use its button and confirm on the page it shows."
BULK_MOVES = {"approve": ("Approve", "approved"), "suspend": ("Suspend", "suspended")}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _listing_line(item: ListingSummary, place: Place) -> str:
    price = format_money(item.base_price, item.currency, place.locale, unit_price=True)
    return f"{item.sku} — {item.title} ({item.vendor_name}, {item.status}, {price})"


async def rule_removal(segment_id: int, rule_id: int) -> Confirmation:
    """Removing a rule changes at once what the segment's buyers may see and order."""
    rows = await Segment.select(Segment.id, Segment.name, Segment.description).where(Segment.id == segment_id)
    found = await segments.with_details(rows)
    rule = next((r for r in found[0].rules if r.id == rule_id), None) if found else None
    if rule is None:
        raise NotFound("No such rule in this segment.")
    segment, others = found[0], len(found[0].rules) - 1
    members = ", ".join(m.company_name for m in segment.members) or "none yet"
    seen = (f"What it hides ({rule.target} {rule.target_name}) becomes visible to them again, unless another rule "
            "denies it." if rule.effect == "deny" else
            f"What it allows ({rule.target} {rule.target_name}) is no longer allowed by it: the segment's other "
            "rules decide.")
    return Confirmation(
        title=f"Remove the rule “{rule.effect} {rule.target} {rule.target_name}” of {segment.name}?",
        facts=[f"The segment's buyer companies ({len(segment.members)}: {members}) see the catalog by its "
               f"{_plural(others, 'remaining rule')} at once: searches, prices, quick orders and RFQs.",
               seen, "An audit entry records the removal; adding the rule again restores it."],
        action=f"{CURATION}/segments/{segment_id}/rules/{rule_id}/delete",
        yes="Yes, remove the rule", back=f"{CURATION}/segments", no="No, keep the rule",
    )


async def listing_suspension(listing_id: int, place: Place) -> Confirmation:
    item = (await listings.listing_detail(listing_id)).listing
    return Confirmation(
        title=f"Suspend listing {item.sku} of {item.vendor_name}?",
        items=[_listing_line(item, place)],
        facts=["It leaves the catalog at once: buyers no longer find it, order it or quote it in new RFQs.",
               "The vendor sees it as suspended; approving it again from this page brings it back.",
               "An audit entry records who suspended it."],
        action=f"{CURATION}/listings/{listing_id}/suspend",
        yes="Yes, suspend the listing", back=f"{CURATION}/listings/{listing_id}", no="No, keep it listed",
    )


async def bulk_move(action: str, listing_ids: Sequence[int], back: str, place: Place) -> Confirmation:
    """The queue's bulk approve or suspend: every ticked listing named, all or none."""
    if action not in BULK_MOVES:
        raise InvalidInput("Choose Approve or Suspend for the ticked listings.")
    verb, done = BULK_MOVES[action]
    rows = await Listing.select(*listings.SUMMARY_COLUMNS).where(Listing.id.is_in(list(listing_ids))).order_by(
        Listing.sku)
    if len(rows) != len(listing_ids):
        raise InvalidInput("A ticked listing no longer exists: reload the page and tick them again.")
    effect = ("Buyers find and order them at once; each is matched to its product or makes a new one."
              if action == "approve" else
              "They leave the catalog at once: buyers no longer find or order them; approving brings them back.")
    return Confirmation(
        title=f"{verb} {_plural(len(rows), 'listing')}?",
        items=[_listing_line(listings.summary(row), place) for row in rows],
        facts=[effect, f"All or none: if one cannot be {done}, none is, and the message names it.",
               "Each gets an audit entry."],
        action=f"{CURATION}/listings/bulk",
        hidden=[("action", action), ("next", back), *(("listing_id", str(row["id"])) for row in rows)],
        yes=f"Yes, {verb.lower()} {'it' if len(rows) == 1 else 'them'}", back=back, no="No, go back to the queue",
        danger=action == "suspend",
    )


async def vendor_suspension(vendor_id: int) -> Confirmation:
    company = await Company.select(Company.name, Company.kind).where(Company.id == vendor_id).first()
    if company is None or company["kind"] != CompanyKind.VENDOR:
        raise InvalidInput("Choose a vendor.")
    counts = {status: await Listing.count().where(Listing.vendor == vendor_id, Listing.status == status.value)
              for status in (ListingStatus.APPROVED, ListingStatus.PENDING)}
    return Confirmation(
        title=f"Suspend every listing of {company['name']}?",
        facts=[f"{_plural(counts[ListingStatus.APPROVED], 'approved listing')} leave the catalog and "
               f"{_plural(counts[ListingStatus.PENDING], 'pending listing')} leave the queue, at once.",
               "Buyers no longer find or order anything of this vendor; each listing can be approved again on its "
               "own page.", "Each listing gets an audit entry."],
        action=f"{CURATION}/vendors/suspend-listings", hidden=[("vendor_id", str(vendor_id))],
        yes=f"Yes, suspend {company['name']}'s listings", back=CURATION, no="No, go back to the queue",
    )
