"""Contracts made from an award: one per awarded vendor, in the award's own transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.contracts import rules
from app.contracts.access import contract_head
from app.contracts.rules import Side, VersionStatus
from app.contracts.services import contract_link, next_number, snapshot_of, sync_prices, tell
from app.contracts.tables import Contract, ContractLine, ContractVersion
from app.errors import NotFound
from app.offers.tables import Award
from app.rfq.tables import Rfq


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
                   f"{valid_from:%Y-%m-%d} to {valid_to:%Y-%m-%d}.\n{ask}\n{contract_link(head)}\n")
        created.append(contract.id)
    return created
