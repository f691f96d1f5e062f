"""The award: the buyer gives RFQ lines to offers, once, and each awarded vendor gets its contract, in one
transaction; the vendors are told who won what."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import SELLER_ROLES
from app.auth import Principal
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.contracts import rules
from app.contracts.access import contract_head
from app.contracts.mail import contract_path, tell
from app.contracts.rules import Side, VersionStatus
from app.contracts.tables import Contract, ContractLine, ContractVersion
from app.contracts.terms import next_number, snapshot_of, sync_prices
from app.errors import Forbidden, InvalidInput, NotFound
from app.money import from_minor
from app.notifications.services import queue_email
from app.offers import services as offers
from app.offers import store
from app.offers.schemas import AwardIn, AwardResultOut
from app.offers.tables import Award, Offer, OfferStatus
from app.rfq import transitions
from app.rfq.access import buyer_actor, rfq_for_buyer
from app.rfq.mail import vendor_path
from app.rfq.states import Actor, RfqStatus
from app.rfq.tables import Rfq, RfqLine


async def award(principal: Principal, rfq_id: int, data: AwardIn) -> AwardResultOut:
    """Award lines to offers, once, and make their contracts: the RFQ moves closed → awarded
    (rfq.transitions.award, a conditional update) in the same transaction as the Award rows (one per
    line, a unique index) and the contracts, so concurrent calls make one award."""
    head = await rfq_for_buyer(principal, rfq_id)
    if buyer_actor(principal, head) is not Actor.AWARDER:
        raise Forbidden("Only a buyer_admin or an approver of the RFQ's company can award it.")
    line_ids = [item.rfq_line_id for item in data.awards]
    if len(set(line_ids)) != len(line_ids):
        raise InvalidInput("An RFQ line appears twice in awards; award each line to one offer.")
    async with db.transaction():
        rfq = await store.lock_rfq(rfq_id, exclusive=True)
        now = await db.db_now()
        await transitions.award(rfq_id, RfqStatus(rfq["status"]), now)
        asked = {row["id"]: row for row in await RfqLine.select().where(RfqLine.rfq == rfq_id)}
        latest = {
            bid.offer_id: bid
            for bid in await store.latest_revisions(rfq_id, sorted({item.offer_id for item in data.awards}))
        }
        rows = []
        for index, item in enumerate(data.awards, start=1):
            if item.rfq_line_id not in asked:
                raise InvalidInput(f"awards[{index}]: line {item.rfq_line_id} is not a line of this RFQ.")
            bid = latest.get(item.offer_id)
            if bid is None:
                raise InvalidInput(f"awards[{index}]: offer {item.offer_id} is not a live offer on this RFQ.")
            if item.rfq_line_id not in bid.lines:
                raise InvalidInput(
                    f"awards[{index}]: offer {item.offer_id} does not offer line {item.rfq_line_id}; "
                    "choose an offer that priced it."
                )
            price, quantity = bid.lines[item.rfq_line_id]
            rows.append(Award(
                rfq=rfq_id, rfq_line=item.rfq_line_id, offer=bid.offer_id, revision=bid.revision_id,
                vendor=bid.vendor_id, unit_price=price, currency=rfq["currency"], quantity=quantity,
                awarded_by=principal.user_id, awarded_at=now,
            ))
        await Award.insert(*rows)
        await contracts_from_award(rfq_id)  # one contract per awarded vendor, in this same transaction
        await _tell_vendors(rfq_id, head.title, rfq["currency"], rows, asked, latest_all=await _live_vendors(rfq_id),
                            contracts=await _contract_of_vendor(rfq_id))
    return await offers.awards_of(rfq_id, RfqStatus.AWARDED)


async def _live_vendors(rfq_id: int) -> set[int]:
    rows = await Offer.select(Offer.vendor).where((Offer.rfq == rfq_id) & (Offer.status == OfferStatus.LIVE.value))
    return {row["vendor"] for row in rows}


async def _contract_of_vendor(rfq_id: int) -> dict[int, int]:
    rows = await Contract.select(Contract.id, Contract.vendor).where(Contract.rfq == rfq_id)
    return {row["vendor"]: row["id"] for row in rows}


async def _tell_vendors(rfq_id: int, title: str, currency: str, rows: list[Award], asked: dict[int, Any],
                        latest_all: set[int], contracts: dict[int, int]) -> None:
    """Winners hear what they won at their own price, with the link to their contract; everyone else only that
    they did not win, with the link to the RFQ in their history."""
    won: dict[int, list[Award]] = defaultdict(list)
    for row in rows:
        won[row.vendor].append(row)
    recipients = await addresses_of(set(won) | latest_all, SELLER_ROLES)
    for vendor_id in sorted(set(won) | latest_all):
        if vendor_id in won:
            listing = "\n".join(
                f"- line {asked[row.rfq_line]['position']}: {asked[row.rfq_line]['description']}, "
                f"{row.quantity} {asked[row.rfq_line]['unit']} at {from_minor(row.unit_price)} {currency}"
                for row in sorted(won[vendor_id], key=lambda r: asked[r.rfq_line]["position"])
            )
            subject = f"You won lines of RFQ {rfq_id}: {title}"
            body = (f"Your offer on RFQ {rfq_id} \"{title}\" was awarded these lines:\n\n{listing}\n\n"
                    "They are your contract now:")
            link = contract_path(contracts[vendor_id])
        else:
            subject = f"RFQ {rfq_id} was awarded to another offer"
            body = (f"Thank you for your offer on RFQ {rfq_id} \"{title}\". It was not successful this time.\n\n"
                    "The RFQ stays in the history of your RFQs:")
            link = vendor_path(rfq_id)
        for address in recipients.get(vendor_id, []):
            await queue_email(to=address, subject=subject, body=body, link=link)


async def contracts_from_award(rfq_id: int) -> list[int]:
    """Create the contracts of an RFQ's awards (call inside the award's transaction); their ids.

    Validity runs from the award moment to the winning revision's `valid_until`, or for
    `rules.DEFAULT_TERM` (365 days) when the offer named none still ahead. A line asking for a
    catalog product the vendor has an approved listing of is linked at once (its lowest listing id)
    and priced for the buyer from the award on; any other line waits for the vendor to link it.
    """
    rfq = await Rfq.select(Rfq.buyer, Rfq.payment_terms, Rfq.currency).where(Rfq.id == rfq_id).first()
    if rfq is None:
        raise NotFound("No such RFQ.")
    awards = await Award.select(
        Award.vendor, Award.rfq_line, Award.revision, Award.unit_price, Award.currency, Award.quantity,
        Award.awarded_by, Award.awarded_at, Award.rfq_line.position, Award.rfq_line.description,
        Award.rfq_line.unit, Award.rfq_line.product, Award.revision.valid_until,
    ).where(Award.rfq == rfq_id).order_by(Award.rfq_line.position)
    by_vendor: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for award in awards:
        by_vendor[award["vendor"]].append(award)
    products = sorted({a["rfq_line.product"] for a in awards if a["rfq_line.product"] is not None})
    listing_of: dict[tuple[int, int], int] = {}
    if products:
        for row in await Listing.select(Listing.id, Listing.vendor, Listing.product).where(
            Listing.vendor.is_in(sorted(by_vendor)) & Listing.product.is_in(products)
            & (Listing.status == ListingStatus.APPROVED.value)
        ).order_by(Listing.id):
            listing_of.setdefault((row["vendor"], row["product"]), row["id"])
    created = []
    for vendor_id in sorted(by_vendor):
        won = by_vendor[vendor_id]
        first = won[0]
        awarded_at = first["awarded_at"]
        valid_from, valid_to = rules.validity(awarded_at, first["revision.valid_until"])
        contract = Contract(
            number=await next_number(awarded_at.year), buyer=rfq["buyer"], vendor=vendor_id,
            currency=first["currency"], payment_terms=rfq["payment_terms"], valid_from=valid_from, valid_to=valid_to,
            status=rules.ContractStatus.ACTIVE.value, version=1, rfq=rfq_id, offer_revision=first["revision"],
            awarded_by=first["awarded_by"], created_at=awarded_at,
        )
        await contract.save()
        lines = []
        for award in won:
            listing = listing_of.get((vendor_id, award["rfq_line.product"]))
            lines.append(ContractLine(
                contract=contract.id, rfq_line=award["rfq_line"], position=award["rfq_line.position"],
                description=award["rfq_line.description"], unit=award["rfq_line.unit"], listing=listing,
                unit_price=award["unit_price"], committed_qty=award["quantity"], min_order_qty=1,
                linked_at=awarded_at if listing else None, linked_by=first["awarded_by"] if listing else None,
            ))
        await ContractLine.insert(*lines)  # one statement for the vendor's lines, not one per line
        await ContractVersion(
            contract=contract.id, number=1, status=VersionStatus.CURRENT.value, proposed_side=Side.BUYER.value,
            valid_from=valid_from, valid_to=valid_to, lines=await snapshot_of(contract.id),
            note="Made from the award", proposed_by=first["awarded_by"], proposed_at=awarded_at,
            decided_by=first["awarded_by"], decided_at=awarded_at,
        ).save()
        await sync_prices(contract.id, awarded_at)
        head = await contract_head(contract.id)
        if head is None:
            raise NotFound("No such contract.")
        waiting = [a for a in won if (vendor_id, a["rfq_line.product"]) not in listing_of]
        ask = (
            f"\n{len(waiting)} line(s) are free text or not yet in your catalog: link each to one of your listings "
            "(or create one) so the buyer can order it at the contract price.\n" if waiting else ""
        )
        await tell(head, Side.VENDOR, f"Contract {head.number} is in force",
                   f"Your award on RFQ {rfq_id} became contract {head.number}, valid from "
                   f"{valid_from:%Y-%m-%d} to {valid_to:%Y-%m-%d}.\n{ask}\nThe contract:")
        created.append(contract.id)
    return created
