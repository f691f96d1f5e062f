"""A contract's life after the award: termination, linking a free-text line to a listing, renewal by a new RFQ,
expiry and its reminders.

Every write is one unit of work judged by the database's clock; moves are conditional updates, so a repeated or
concurrent one is a no-op or a 409, never a double effect."""

from __future__ import annotations

from datetime import timedelta

from app import db
from app.auth import Principal
from app.catalog.services import require_visible_product
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.clock import format_moment
from app.contracts import access, mail, rules, terms, views
from app.contracts.access import ContractHead
from app.contracts.rules import ContractStatus, Side, VersionStatus
from app.contracts.schemas import (
    ContractOut,
    RenewalOut,
    RenewIn,
)
from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractPrice,
    ContractVersion,
)
from app.errors import Conflict, InvalidInput, NotFound
from app.locales import Place
from app.rfq import drafting
from app.rfq.schemas import RfqIn, RfqLineIn

# A renewal RFQ is a draft: its deadline is only a proposal the buyer changes before publishing.
RENEWAL_DEADLINE = timedelta(days=14)


def _invalid(exc: Exception) -> InvalidInput:
    return InvalidInput(str(exc))


# --- termination --------------------------------------------------------------------------------


async def terminate(principal: Principal, contract_id: int, reason: str) -> ContractOut:
    """The buyer ends the contract now, with a reason: its prices stop applying in the same transaction."""
    head = await access.contract_for(principal, contract_id)
    access.require_buyer_decider(principal, head)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give a reason for terminating the contract.")
    async with db.transaction():
        now = await db.db_now()
        fresh = await access.contract_head(contract_id)
        if fresh is None:
            raise NotFound("No such contract.")
        status = fresh.status(now)
        if status is not ContractStatus.ACTIVE:
            raise Conflict(f"This contract cannot be terminated: it is {status}.")
        moved = await Contract.update({
            Contract.status: ContractStatus.TERMINATED.value, Contract.terminated_at: now,
            Contract.terminated_by: principal.user_id, Contract.termination_reason: reason,
        }).where((Contract.id == contract_id) & Contract.terminated_at.is_null()).returning(Contract.id)
        if not moved:
            raise Conflict("This contract cannot be terminated: it was terminated at the same moment.")
        line_ids = [r["id"] for r in await ContractLine.select(ContractLine.id).where(
            ContractLine.contract == contract_id)] or [-1]
        await ContractPrice.update({ContractPrice.terminated_at: now}).where(
            ContractPrice.contract_line.is_in(line_ids) & ContractPrice.terminated_at.is_null()
        )
        await ContractVersion.update({
            ContractVersion.status: VersionStatus.REJECTED.value, ContractVersion.decided_at: now,
        }).where((ContractVersion.contract == contract_id) & (ContractVersion.status == VersionStatus.PROPOSED.value))
        await mail.tell(head, Side.VENDOR, f"Contract {head.number} terminated",
                        lambda place: f"The buyer terminated contract {head.number} with effect from "
                                      f"{format_moment(now, place.time_zone, place.locale)}.\n\nReason: {reason}"
                                      "\n\nThe contract:")
    return await views.contract_out(contract_id)


# --- linking a free-text line -------------------------------------------------------------------


LINKABLE = frozenset({ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.APPROVED})


async def link_line(principal: Principal, contract_id: int, line_id: int, listing_id: int) -> ContractOut:
    """The vendor names which of its listings a waiting line is; its contract price applies from now
    (and shows in the catalog once the listing is approved by curation)."""
    head = await access.contract_for(principal, contract_id)
    access.require_seller(principal, head)
    listing = await Listing.select(Listing.id, Listing.vendor, Listing.product, Listing.status).where(
        Listing.id == listing_id
    ).first()
    if listing is None or listing["vendor"] != head.vendor_id:
        raise InvalidInput(f"listing {listing_id} is not one of your listings")
    if ListingStatus(listing["status"]) not in LINKABLE:
        raise InvalidInput(f"listing {listing_id} is {listing['status']}: link a draft, pending or approved listing")
    async with db.transaction():
        now = await db.db_now()
        fresh = await access.contract_head(contract_id)
        if fresh is None:
            raise NotFound("No such contract.")
        status = fresh.status(now)
        if status is not ContractStatus.ACTIVE:
            raise Conflict(f"This contract is {status}: its lines can no longer be linked.")
        line = await ContractLine.select(
            ContractLine.id, ContractLine.position, ContractLine.listing, ContractLine.rfq_line.product,
        ).where(
            (ContractLine.id == line_id) & (ContractLine.contract == contract_id)
        ).first()
        if line is None:
            raise NotFound("No such contract line.")
        wanted_product = line["rfq_line.product"]
        if wanted_product is not None and listing["product"] is not None and listing["product"] != wanted_product:
            raise InvalidInput(
                f"listing {listing_id} is another catalog product than the one this line asked for ({wanted_product})"
            )
        linked = await ContractLine.update({
            ContractLine.listing: listing_id, ContractLine.linked_at: now, ContractLine.linked_by: principal.user_id,
        }).where((ContractLine.id == line_id) & ContractLine.listing.is_null()).returning(ContractLine.id)
        if not linked:
            raise Conflict("This line is already linked to a listing.")
        await terms.sync_prices(contract_id, now)
        await mail.tell(head, Side.BUYER, f"Contract {head.number}: a line is now in your catalog prices",
                   f"The vendor linked line {line['position']} of contract {head.number} to its listing; the contract "
                   "price applies from now on.\n\nThe contract:")
    return await views.contract_out(contract_id)


async def link_line_by_sku(principal: Principal, contract_id: int, line_id: int, sku: str) -> ContractOut:
    """The page's form names the listing by the vendor's own SKU."""
    head = await access.contract_for(principal, contract_id)
    access.require_seller(principal, head)
    row = await Listing.select(Listing.id).where(
        (Listing.vendor == head.vendor_id) & (Listing.sku == sku.strip())
    ).first()
    if row is None:
        raise InvalidInput(f"You have no listing with SKU {sku.strip()!r}: create it first, then link it.")
    return await link_line(principal, contract_id, line_id, row["id"])


# --- renewal ------------------------------------------------------------------------------------


async def renew(principal: Principal, contract_id: int, data: RenewIn) -> RenewalOut:
    """A draft RFQ with the contract's lines and its vendor invited, through the RFQ rules themselves;
    the buyer reviews and publishes it. A product the buyer may no longer see goes as free text."""
    head = await access.contract_for(principal, contract_id)
    access.require_buyer(principal, head)
    contract = await views.contract_out(contract_id)
    lines = []
    for line in contract.lines:
        product_id = line.product_id
        if product_id is not None:
            try:
                await require_visible_product(head.buyer_id, product_id)
            except NotFound:
                product_id = None
        lines.append(RfqLineIn(
            quantity=line.committed_qty or line.min_order_qty, product_id=product_id, description=line.description,
            unit=line.unit, target_price=str(line.unit_price),
            notes=f"Renewal of contract {contract.number}, line {line.position}",
        ))
    now = await db.db_now()
    async with db.transaction():
        rfq = await drafting.create_rfq(principal, RfqIn(
            title=(data.title or f"Renewal of contract {contract.number}")[:200], currency=contract.currency,
            deadline=data.deadline or now + RENEWAL_DEADLINE, payment_terms=contract.payment_terms,
            description=f"Renews contract {contract.number} with {contract.vendor.name}, "
                        f"valid until {contract.valid_to:%Y-%m-%d}.",
            lines=lines, vendor_ids=[head.vendor_id],
        ))
        await Contract.update({Contract.renewal_rfq: rfq.id}).where(Contract.id == contract_id)
    return RenewalOut(contract_id=contract_id, rfq_id=rfq.id, rfq_status=rfq.status)


# --- expiry and reminders -----------------------------------------------------------------------


async def sweep() -> dict[str, int]:
    """Mark ended contracts expired (for lists only: prices stop by their dates) and send the reminders."""
    now = await db.db_now()
    expired = await Contract.update({Contract.status: ContractStatus.EXPIRED.value}).where(
        (Contract.status == ContractStatus.ACTIVE.value) & (Contract.valid_to <= now)
    ).returning(Contract.id)
    return {"expired": len(expired), "reminded": await send_expiry_reminders()}


async def send_expiry_reminders() -> int:
    """The 30- and 7-day expiry reminders to both parties, each at most once per end date: a reminder is
    claimed by a conditional update of its column before its e-mails are queued, in one transaction."""
    now = await db.db_now()
    rows = await Contract.select(
        Contract.id, Contract.valid_to, Contract.reminded_30_at, Contract.reminded_7_at,
    ).where(
        Contract.terminated_at.is_null() & (Contract.valid_to > now) & (Contract.valid_to <= now + timedelta(days=30))
        & (Contract.reminded_30_at.is_null() | Contract.reminded_7_at.is_null())
    )
    todo = []
    for row in rows:
        sent = [kind for kind in ("30", "7") if row[f"reminded_{kind}_at"] is not None]
        kind = rules.reminder_due(row["valid_to"], now, sent)
        if kind is not None:
            todo.append((row["id"], kind))
    sent_count = 0
    async with db.transaction():
        for contract_id, kind in todo:
            column = Contract.reminded_30_at if kind == "30" else Contract.reminded_7_at
            claimed = await Contract.update({column: now}).where(
                (Contract.id == contract_id) & column.is_null() & Contract.terminated_at.is_null()
            ).returning(Contract.id)
            head = await access.contract_head(contract_id)
            if not claimed or head is None:
                continue
            subject = f"Contract {head.number} ends in {kind} days"

            def body(place: Place, head: ContractHead = head) -> str:
                return (f"Contract {head.number} ends on {format_moment(head.valid_to, place.time_zone, place.locale)}."
                        " Renew it with a new RFQ or agree an amendment before then:")

            await mail.tell(head, Side.BUYER, subject, body)
            await mail.tell(head, Side.VENDOR, subject, body)
            sent_count += 1
    return sent_count
