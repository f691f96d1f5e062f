"""The award: the buyer gives RFQ lines to offers, once, and each awarded vendor gets its contract, in one
transaction; the vendors are told who won what."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from app import db
from app.accounts.recipients import addresses_of
from app.accounts.roles import SELLER_ROLES
from app.auth import Principal
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.clock import format_day
from app.contracts import rules
from app.contracts.access import contract_head
from app.contracts.mail import contract_path, tell
from app.contracts.rules import Side, VersionStatus
from app.contracts.schemas import AwardPreview, AwardPreviewLine
from app.contracts.tables import Contract, ContractLine, ContractVersion
from app.contracts.terms import next_number, snapshot_of, sync_prices
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.locales import Place
from app.money import format_money, from_minor
from app.notifications.services import Words, queue_email
from app.offers import currencies, store
from app.offers import services as offers
from app.offers.schemas import AwardIn, AwardResultOut
from app.offers.tables import Award
from app.rfq import transitions
from app.rfq.access import RfqHead, buyer_actor, rfq_for_buyer
from app.rfq.mail import vendor_path
from app.rfq.states import Actor, RfqStatus
from app.rfq.tables import Rfq, RfqLine
from app.rfq.transitions import check_move


async def award(principal: Principal, rfq_id: int, data: AwardIn, *,
                revisions_seen: Mapping[int, int] | None = None) -> AwardResultOut:
    """Award lines to offers, once, and make their contracts: the RFQ moves closed → awarded
    (rfq.transitions.award, a conditional update) in the same transaction as the Award rows (one per
    line, a unique index) and the contracts, so concurrent calls make one award. A line that goes to an offer
    that is not the cheapest needs `data.justification`, kept on its Award row. `revisions_seen` (offer id →
    revision number) is what the caller decided on (a solved scenario): an offer revised or withdrawn since is a
    409, checked under the RFQ's exclusive lock, which every new revision waits for."""
    head = await rfq_for_buyer(principal, rfq_id)
    _check_request(principal, head, data)
    async with db.transaction():
        rfq = await store.lock_rfq(rfq_id, exclusive=True)
        now = await db.db_now()
        await transitions.award(rfq_id, RfqStatus(rfq["status"]), now)
        chosen = await _choose(rfq_id, data)
        if revisions_seen is not None:
            _check_unchanged(chosen.live, revisions_seen)
        justification = _justification(chosen.needing, data.justification)
        rows = []
        for line_id, bid in chosen.picks:
            price, quantity = bid.lines[line_id]
            needed = chosen.asked[line_id]["position"] in chosen.needing
            rows.append(Award(
                rfq=rfq_id, rfq_line=line_id, offer=bid.offer_id, revision=bid.revision_id,
                vendor=bid.vendor_id, unit_price=price, currency=bid.currency or rfq["currency"], quantity=quantity,
                awarded_by=principal.user_id, awarded_at=now, justification=justification if needed else "",
            ))
        await Award.insert(*rows)
        await contracts_from_award(rfq_id)  # one contract per awarded vendor, in this same transaction
        await _tell_vendors(rfq_id, head.reference, head.title, rows, chosen.asked,
                            latest_all={bid.vendor_id for bid in chosen.live},
                            contracts=await _contract_of_vendor(rfq_id))
    return await offers.awards_of(rfq_id, RfqStatus.AWARDED)


async def preview(principal: Principal, rfq_id: int, data: AwardIn) -> AwardPreview:
    """What `award` would do with `data`, written nowhere: each line, its winner and price, the total, the
    vendors who win nothing and the lines that need a justification. The confirmation page states it."""
    head = await rfq_for_buyer(principal, rfq_id)
    _check_request(principal, head, data)
    check_move(head.status, RfqStatus.AWARDED, Actor.AWARDER)
    chosen = await _choose(rfq_id, data)
    lines = []
    for line_id, bid in chosen.picks:
        asked, (price, quantity) = chosen.asked[line_id], bid.lines[line_id]
        own = Decimal(from_minor(price) or 0)
        unit_price = chosen.rates.convert(own, bid.currency)  # the RFQ's currency, so the total is one sum
        lines.append(AwardPreviewLine(
            rfq_line_id=line_id, offer_id=bid.offer_id, position=asked["position"],
            description=asked["description"], quantity=quantity, unit=asked["unit"],
            vendor_name=bid.vendor_name, unit_price=unit_price, extended_price=unit_price * quantity,
            cheapest_price=min(chosen.prices[line_id].values()),
            needs_justification=asked["position"] in chosen.needing,
            own_unit_price=None if unit_price == own and bid.currency in ("", head.currency) else own,
            own_currency=bid.currency or head.currency,
        ))
    lines.sort(key=lambda line: line.position)
    winners = {bid.vendor_id: bid.vendor_name for _, bid in chosen.picks}
    awarded = {line_id for line_id, _ in chosen.picks}
    return AwardPreview(
        rfq_id=rfq_id, title=head.title, currency=head.currency, lines=lines,
        total=sum((line.extended_price for line in lines), Decimal(0)), winners=sorted(winners.values()),
        losers=sorted({bid.vendor_name for bid in chosen.live if bid.vendor_id not in winners}),
        left_out=sorted(row["position"] for line_id, row in chosen.asked.items() if line_id not in awarded),
        needing_justification=chosen.needing,
    )


def _check_request(principal: Principal, head: RfqHead, data: AwardIn) -> None:
    if buyer_actor(principal, head) is not Actor.AWARDER:
        raise Forbidden("Only a buyer_admin or an approver of the RFQ's company can award it.")
    line_ids = [item.rfq_line_id for item in data.awards]
    if len(set(line_ids)) != len(line_ids):
        raise InvalidInput("An RFQ line appears twice in awards; award each line to one offer.")


def _justification(needing: list[int], text: str) -> str:
    try:
        return rules.check_justification(needing, text)
    except rules.RuleError as exc:
        raise InvalidInput(str(exc)) from None


def _check_unchanged(live: list[store.LatestRevision], revisions_seen: Mapping[int, int]) -> None:
    current = {bid.offer_id: bid for bid in live}
    changed = [offer_id for offer_id, number in sorted(revisions_seen.items())
               if offer_id not in current or current[offer_id].number != number]
    if changed:
        names = sorted({current[o].vendor_name for o in changed if o in current})
        who = ", ".join(names) if len(names) == len(changed) else "A vendor"
        raise Conflict(f"{who} revised or withdrew {'their offers' if len(changed) > 1 else 'its offer'} since "
                       "this plan was made: make it again before awarding.")


@dataclass(frozen=True)
class _Chosen:
    asked: dict[int, Any]  # the RFQ's lines by id
    live: list[store.LatestRevision]  # every live offer's latest revision
    picks: list[tuple[int, store.LatestRevision]]  # (RFQ line id, the revision it goes to), as asked
    needing: list[int]  # positions of the lines that go to an offer that is not the cheapest
    rates: currencies.RatesAtClose  # the rates the offers in other currencies are compared at
    prices: dict[int, dict[int, Decimal]]  # RFQ line id → offer id → unit price in the RFQ's currency


async def _choose(rfq_id: int, data: AwardIn) -> _Chosen:
    """Load the RFQ's lines and live offers (four queries), check each asked line against them, and say which
    lines need a justification (the pure rule)."""
    asked = {row["id"]: row for row in await RfqLine.select().where(RfqLine.rfq == rfq_id)}
    live = await store.latest_revisions(rfq_id)
    rfq_currency = (await Rfq.select(Rfq.currency).where(Rfq.id == rfq_id).first() or {}).get("currency", "")
    rates = await currencies.rates_at_close(rfq_id, rfq_currency, (bid.currency for bid in live))
    # Every price in the RFQ's currency; an offer in a currency without a rate is compared with nothing.
    prices: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for bid in live:
        if rates.comparable(bid.currency):
            for line_id, (price, _) in bid.lines.items():
                prices[line_id][bid.offer_id] = rates.convert(Decimal(from_minor(price) or 0), bid.currency)
    by_offer = {bid.offer_id: bid for bid in live}
    picks = []
    for index, item in enumerate(data.awards, start=1):
        if item.rfq_line_id not in asked:
            raise InvalidInput(f"awards[{index}]: rfq_line_id {item.rfq_line_id} is not a line of this RFQ.")
        bid = by_offer.get(item.offer_id)
        if bid is None:
            raise InvalidInput(f"awards[{index}]: offer {item.offer_id} is not a live offer on this RFQ.")
        if item.rfq_line_id not in bid.lines:
            raise InvalidInput(
                f"awards[{index}]: offer {item.offer_id} does not offer line {asked[item.rfq_line_id]['position']}; "
                "choose an offer that priced it."
            )
        if not rates.comparable(bid.currency):
            raise Conflict(f"awards[{index}]: {rates.missing(bid.currency)}")
        picks.append((item.rfq_line_id, bid))
    needing = rules.lines_needing_justification(
        rules.AwardChoice(
            position=asked[line_id]["position"], chosen_price=prices[line_id][bid.offer_id],
            offered_prices=tuple(prices[line_id].values()),
        )
        for line_id, bid in picks
    )
    return _Chosen(asked=asked, live=live, picks=picks, needing=needing, rates=rates, prices=prices)


async def _contract_of_vendor(rfq_id: int) -> dict[int, int]:
    rows = await Contract.select(Contract.id, Contract.vendor).where(Contract.rfq == rfq_id)
    return {row["vendor"]: row["id"] for row in rows}


def _won_body(reference: str, title: str, asked: dict[int, Any], lines: list[Award]) -> Words:
    """What a winner is told it won, its unit prices written in the recipient's locale."""

    def body(place: Place) -> str:
        listing = "\n".join(
            f"- line {asked[row.rfq_line]['position']}: {asked[row.rfq_line]['description']}, "
            f"{row.quantity} {asked[row.rfq_line]['unit']} at "
            f"{format_money(from_minor(row.unit_price), row.currency, place.locale, unit_price=True)}"  # type: ignore[arg-type]
            for row in sorted(lines, key=lambda r: asked[r.rfq_line]["position"])
        )
        return (f"Your offer on {reference} \"{title}\" was awarded these lines:\n\n{listing}\n\n"
                "They are your contract now:")

    return body


async def _tell_vendors(rfq_id: int, reference: str, title: str, rows: list[Award],
                        asked: dict[int, Any], latest_all: set[int], contracts: dict[int, int]) -> None:
    """Winners hear what they won at their own price, with the link to their contract; everyone else only that
    they did not win, with the link to the RFQ in their history."""
    won: dict[int, list[Award]] = defaultdict(list)
    for row in rows:
        won[row.vendor].append(row)
    recipients = await addresses_of(set(won) | latest_all, SELLER_ROLES)
    for vendor_id in sorted(set(won) | latest_all):
        body: Words
        if vendor_id in won:
            body = _won_body(reference, title, asked, won[vendor_id])
            subject = f"You won lines of {reference}: {title}"
            link = contract_path(contracts[vendor_id])
        else:
            subject = f"{reference} was awarded to another offer"
            body = (f"Thank you for your offer on {reference} \"{title}\". It was not successful this time.\n\n"
                    "The RFQ stays in the history of your RFQs:")
            link = vendor_path(rfq_id)
        for address in recipients.get(vendor_id, []):
            await queue_email(to=address, subject=subject, body=body, link=link)


def _in_force(number: str, rfq: str, title: str, valid_from: datetime, valid_to: datetime, ask: str,
              place: Place) -> str:
    """The vendor's e-mail of a contract made by its award, its validity in the reader's days."""
    return (f"Your award on {rfq} \"{title}\" became contract {number}, valid from "
            f"{format_day(valid_from, place.time_zone, place.locale)} to "
            f"{format_day(valid_to, place.time_zone, place.locale)}.\n{ask}\nThe contract:")


async def contracts_from_award(rfq_id: int) -> list[int]:
    """Create the contracts of an RFQ's awards (call inside the award's transaction); their ids.

    Validity runs from the award moment to the winning revision's `valid_until`, or for
    `rules.DEFAULT_TERM` (365 days) when the offer named none still ahead. A line asking for a
    catalog product the vendor has an approved listing of is linked at once (its lowest listing id)
    and priced for the buyer from the award on; any other line waits for the vendor to link it.
    """
    rfq = await Rfq.select(Rfq.buyer, Rfq.payment_terms, Rfq.currency, Rfq.number, Rfq.title).where(
        Rfq.id == rfq_id).first()
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
        await tell(head, Side.VENDOR, f"Contract {head.number} is in force", partial(
            _in_force, head.number, rfq["number"] or "the RFQ", rfq["title"], valid_from, valid_to, ask))
        created.append(contract.id)
    return created
