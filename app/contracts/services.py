"""Contracts with their queries: reading, the price rows, termination, amendments, linking, renewal, expiry.

Every write is one unit of work (`db.transaction()`) judged by the database's clock; moves are
conditional updates, so a repeated or concurrent one is a no-op or a 409, never a double effect.
ContractPrice rows follow the current terms of linked lines: the price resolver reads only them.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.catalog.services import require_visible_product
from app.catalog.states import ListingStatus
from app.catalog.tables import Listing
from app.contracts import access, rules
from app.contracts.access import VENDOR_ROLES, ContractHead
from app.contracts.rules import ContractStatus, LineTerms, Side, Tier, VersionStatus
from app.contracts.schemas import (
    AmendmentIn,
    ContractLineOut,
    ContractOut,
    ContractPage,
    ContractSummaryOut,
    PartyOut,
    RenewalOut,
    RenewIn,
    TierOut,
    VersionLineOut,
    VersionOut,
)
from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractLineTier,
    ContractNumberCounter,
    ContractPrice,
    ContractVersion,
)
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.money import MoneyError, from_minor, parse_amount, to_minor
from app.notifications.services import queue_email
from app.rfq.access import AWARDER_ROLES
from app.settings import get_settings

MAX_PER_PAGE = 100
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)
# A renewal RFQ is a draft: its deadline is only a proposal the buyer changes before publishing.
RENEWAL_DEADLINE = timedelta(days=14)


def _invalid(exc: Exception) -> InvalidInput:
    return InvalidInput(str(exc))


# --- numbers ------------------------------------------------------------------------------------


async def next_number(year: int) -> str:
    """The next contract number of `year`, inside the caller's transaction.

    The counter row is created once (ON CONFLICT DO NOTHING) and incremented by one UPDATE …
    RETURNING, which holds the row's lock until commit on PostgreSQL (SQLite's immediate
    transaction excludes other writers): two awards never get the same number, and the unique
    index on contract.number would refuse it anyway.
    """
    await ContractNumberCounter.insert(ContractNumberCounter(year=year, last_value=0)).on_conflict(
        target=ContractNumberCounter.year, action="DO NOTHING"
    )
    rows = await ContractNumberCounter.update(
        {ContractNumberCounter.last_value: ContractNumberCounter.last_value + 1}
    ).where(ContractNumberCounter.year == year).returning(ContractNumberCounter.last_value)
    return rules.format_number(year, rows[0]["last_value"])


# --- terms and price rows -----------------------------------------------------------------------


async def _line_terms(contract_id: int) -> list[LineTerms]:
    lines = await ContractLine.select().where(ContractLine.contract == contract_id).order_by(ContractLine.position)
    tiers: dict[int, list[Tier]] = defaultdict(list)
    for row in await ContractLineTier.select().where(
        ContractLineTier.line.is_in([line["id"] for line in lines] or [-1])
    ).order_by(ContractLineTier.min_qty):
        tiers[row["line"]].append(Tier(row["min_qty"], from_minor(row["unit_price"])))  # type: ignore[arg-type]
    return [
        LineTerms(
            line_id=line["id"], unit_price=from_minor(line["unit_price"]),  # type: ignore[arg-type]
            tiers=tuple(tiers[line["id"]]), committed_qty=line["committed_qty"], min_order_qty=line["min_order_qty"],
            max_order_qty=line["max_order_qty"], listing_id=line["listing"],
        )
        for line in lines
    ]


async def sync_prices(contract_id: int, at: datetime) -> None:
    """Make the contract's live ContractPrice rows match its current linked lines from `at` on
    (inside the caller's transaction). Rows that applied before `at` end there and stay as history."""
    contract = await Contract.select(
        Contract.buyer, Contract.number, Contract.currency, Contract.valid_from, Contract.valid_to,
        Contract.terminated_at,
    ).where(Contract.id == contract_id).first()
    if contract is None:
        raise NotFound("No such contract.")
    terms = await _line_terms(contract_id)
    line_ids = [t.line_id for t in terms] or [-1]
    existing = [
        rules.ExistingPrice(
            id=row["id"], listing_id=row["listing"], min_qty=row["min_qty"],
            unit_price=from_minor(row["unit_price"]), line_id=row["contract_line"],  # type: ignore[arg-type]
            valid_from=row["valid_from"], valid_to=row["valid_to"],
        )
        for row in await ContractPrice.select().where(
            ContractPrice.contract_line.is_in(line_ids) & ContractPrice.terminated_at.is_null()
            & (ContractPrice.valid_to.is_null() | (ContractPrice.valid_to > at))
        )
    ]
    planned = [] if contract["terminated_at"] is not None else rules.plan_prices(terms)
    changes = rules.price_changes(existing, planned, at)
    start = max(at, contract["valid_from"])
    if changes.delete:
        await ContractPrice.delete().where(ContractPrice.id.is_in(changes.delete))
    if changes.end:
        await ContractPrice.update({ContractPrice.valid_to: at}).where(ContractPrice.id.is_in(changes.end))
    if changes.keep:
        await ContractPrice.update({ContractPrice.valid_to: contract["valid_to"]}).where(
            ContractPrice.id.is_in(changes.keep)
        )
        await ContractPrice.update({ContractPrice.valid_from: start}).where(
            ContractPrice.id.is_in(changes.keep) & (ContractPrice.valid_from >= at)
        )
    if changes.insert:
        await ContractPrice.insert(*[
            ContractPrice(
                company=contract["buyer"], listing=p.listing_id, min_qty=p.min_qty, unit_price=to_minor(p.unit_price),
                currency=contract["currency"], valid_from=start, valid_to=contract["valid_to"],
                reference=contract["number"], contract_line=p.line_id,
            )
            for p in changes.insert
        ])


def snapshot(terms: Iterable[LineTerms], lines: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """A version's lines as JSON: prices as decimal strings, so the snapshot stays exact."""
    return [
        {
            "line_id": t.line_id, "position": lines[t.line_id]["position"],
            "description": lines[t.line_id]["description"], "unit_price": str(t.unit_price),
            "tiers": [{"min_qty": tier.min_qty, "unit_price": str(tier.unit_price)} for tier in t.tiers],
            "committed_qty": t.committed_qty, "min_order_qty": t.min_order_qty, "max_order_qty": t.max_order_qty,
            "listing_id": t.listing_id,
        }
        for t in terms
    ]


async def snapshot_of(contract_id: int, terms: list[LineTerms] | None = None) -> list[dict[str, Any]]:
    lines = {
        row["id"]: row
        for row in await ContractLine.select(ContractLine.id, ContractLine.position, ContractLine.description).where(
            ContractLine.contract == contract_id
        )
    }
    return snapshot(terms if terms is not None else await _line_terms(contract_id), lines)


# --- reading ------------------------------------------------------------------------------------


def _party(row: dict[str, Any], prefix: str) -> PartyOut:
    return PartyOut(id=row[prefix], name=row[f"{prefix}.name"], tax_id=row[f"{prefix}.tax_id"],
                    country=row[f"{prefix}.country"])


_PARTY_COLUMNS = (
    Contract.buyer.name, Contract.buyer.tax_id, Contract.buyer.country,
    Contract.vendor.name, Contract.vendor.tax_id, Contract.vendor.country,
)


def _version_out(row: dict[str, Any]) -> VersionOut:
    lines = row["lines"] if isinstance(row["lines"], list) else msgspec.json.decode(row["lines"])
    return VersionOut(
        number=row["number"], status=row["status"], proposed_side=row["proposed_side"], valid_from=row["valid_from"],
        valid_to=row["valid_to"], note=row["note"], proposed_at=row["proposed_at"], decided_at=row["decided_at"],
        lines=[
            VersionLineOut(
                line_id=line["line_id"], position=line["position"], description=line["description"],
                unit_price=Decimal(line["unit_price"]),
                tiers=[TierOut(t["min_qty"], Decimal(t["unit_price"])) for t in line["tiers"]],
                committed_qty=line["committed_qty"], min_order_qty=line["min_order_qty"],
                max_order_qty=line["max_order_qty"],
            )
            for line in lines
        ],
    )


async def contract_out(contract_id: int) -> ContractOut:
    """The whole contract: parties, terms, lines with tiers, every version (five queries)."""
    row = await Contract.select(
        Contract.all_columns(), *_PARTY_COLUMNS, Contract.rfq.title, Contract.offer_revision.number,
        Contract.awarded_by.email,
    ).where(Contract.id == contract_id).first()
    if row is None:
        raise NotFound("No such contract.")
    now = await db.db_now()
    lines = await ContractLine.select(
        ContractLine.all_columns(), ContractLine.rfq_line.product, ContractLine.listing.sku, ContractLine.listing.title,
    ).where(ContractLine.contract == contract_id).order_by(ContractLine.position)
    tiers: dict[int, list[TierOut]] = defaultdict(list)
    for tier in await ContractLineTier.select().where(
        ContractLineTier.line.is_in([line["id"] for line in lines] or [-1])
    ).order_by(ContractLineTier.min_qty):
        tiers[tier["line"]].append(TierOut(tier["min_qty"], from_minor(tier["unit_price"])))  # type: ignore[arg-type]
    versions = [
        _version_out(v)
        for v in await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(
            ContractVersion.number
        ).output(load_json=True)
    ]
    return ContractOut(
        id=row["id"], number=row["number"], buyer=_party(row, "buyer"), vendor=_party(row, "vendor"),
        currency=row["currency"], payment_terms=row["payment_terms"], valid_from=row["valid_from"],
        valid_to=row["valid_to"], status=rules.status_at(row["valid_to"], row["terminated_at"], now).value,
        in_effect=rules.in_effect(row["valid_from"], row["valid_to"], row["terminated_at"], now),
        version=row["version"], rfq_id=row["rfq"], rfq_title=row["rfq.title"],
        offer_revision_id=row["offer_revision"], offer_revision_number=row["offer_revision.number"],
        awarded_by=row["awarded_by.email"], created_at=row["created_at"], terminated_at=row["terminated_at"],
        termination_reason=row["termination_reason"], renewal_rfq_id=row["renewal_rfq"],
        lines=[
            ContractLineOut(
                id=line["id"], position=line["position"], rfq_line_id=line["rfq_line"],
                product_id=line["rfq_line.product"], description=line["description"], unit=line["unit"],
                listing_id=line["listing"], listing_sku=line["listing.sku"], listing_title=line["listing.title"],
                waiting_for_listing=line["listing"] is None,
                unit_price=from_minor(line["unit_price"]), tiers=tiers[line["id"]],  # type: ignore[arg-type]
                committed_qty=line["committed_qty"], min_order_qty=line["min_order_qty"],
                max_order_qty=line["max_order_qty"], linked_at=line["linked_at"],
            )
            for line in lines
        ],
        versions=[v for v in versions if v.status in (VersionStatus.CURRENT, VersionStatus.SUPERSEDED)],
        proposal=next((v for v in versions if v.status == VersionStatus.PROPOSED), None),
    )


async def get_contract(principal: Principal, contract_id: int) -> ContractOut:
    """The contract if the caller's company is a party (or its group, or an operator); else 404."""
    await access.contract_for(principal, contract_id)
    return await contract_out(contract_id)


async def all_versions(principal: Principal, contract_id: int) -> list[VersionOut]:
    """Every version, including rejected proposals, oldest first."""
    await access.contract_for(principal, contract_id)
    rows = await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(
        ContractVersion.number
    ).output(load_json=True)
    return [_version_out(row) for row in rows]


async def list_contracts(principal: Principal, status: str | None, page: int, per_page: int) -> ContractPage:
    """Each side its own: buyers their companies' contracts, vendors theirs, operators all; newest first."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    query = Contract.select(
        Contract.id, Contract.number, Contract.buyer, Contract.vendor, Contract.currency, Contract.valid_from,
        Contract.valid_to, Contract.terminated_at, *_PARTY_COLUMNS,
    )
    count = Contract.count()
    visible = sorted(principal.visible_company_ids) or [-1]
    if not principal.is_operator:
        column = Contract.vendor if principal.company_kind is CompanyKind.VENDOR else Contract.buyer
        if principal.company_kind not in (CompanyKind.VENDOR, CompanyKind.BUYER):
            visible = [-1]
        query, count = query.where(column.is_in(visible)), count.where(column.is_in(visible))
    if status:
        try:
            wanted = ContractStatus(status)
        except ValueError:
            raise InvalidInput(f"status must be one of {', '.join(s.value for s in ContractStatus)}") from None
        now = await db.db_now()
        condition = {
            ContractStatus.TERMINATED: Contract.terminated_at.is_not_null(),
            ContractStatus.EXPIRED: Contract.terminated_at.is_null() & (Contract.valid_to <= now),
            ContractStatus.ACTIVE: Contract.terminated_at.is_null() & (Contract.valid_to > now),
        }[wanted]
        query, count = query.where(condition), count.where(condition)
    rows = await query.order_by(Contract.id, ascending=False).limit(per_page).offset((page - 1) * per_page)
    waiting: dict[int, int] = defaultdict(int)
    for line in await ContractLine.select(ContractLine.contract).where(
        ContractLine.contract.is_in([r["id"] for r in rows] or [-1]) & ContractLine.listing.is_null()
    ):
        waiting[line["contract"]] += 1
    now = await db.db_now()
    items = [
        ContractSummaryOut(
            id=row["id"], number=row["number"], buyer=_party(row, "buyer"), vendor=_party(row, "vendor"),
            currency=row["currency"], valid_from=row["valid_from"], valid_to=row["valid_to"],
            status=rules.status_at(row["valid_to"], row["terminated_at"], now).value,
            in_effect=rules.in_effect(row["valid_from"], row["valid_to"], row["terminated_at"], now),
            lines_waiting=waiting[row["id"]],
        )
        for row in rows
    ]
    return ContractPage(items=items, total=await count, page=page, per_page=per_page)


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
        await tell(head, Side.VENDOR, f"Contract {head.number} terminated",
                   f"The buyer terminated contract {head.number} with effect from "
                   f"{now:%Y-%m-%d %H:%M} UTC.\n\nReason: {reason}\n\n{contract_link(head)}\n")
    return await contract_out(contract_id)


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
        line = await ContractLine.select(ContractLine.id, ContractLine.listing, ContractLine.rfq_line.product).where(
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
        await sync_prices(contract_id, now)
        await tell(head, Side.BUYER, f"Contract {head.number}: a line is now in your catalog prices",
                   f"The vendor linked line {line_id} of contract {head.number} to its listing; the contract price "
                   f"applies from now on.\n\n{contract_link(head)}\n")
    return await contract_out(contract_id)


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


# --- amendments ---------------------------------------------------------------------------------


def _price(value: str, what: str) -> Decimal:
    try:
        minor = to_minor(parse_amount(value))
    except MoneyError as exc:
        raise InvalidInput(f"{what}: {exc}") from None
    return from_minor(minor)  # type: ignore[return-value]  # four decimals, as stored


def _amended_terms(current: list[LineTerms], data: AmendmentIn) -> list[LineTerms]:
    by_id = {t.line_id: t for t in current}
    changed: dict[int, LineTerms] = {}
    for index, item in enumerate(data.lines, start=1):
        what = f"lines[{index}]"
        if item.line_id not in by_id:
            raise InvalidInput(f"{what}: line {item.line_id} is not a line of this contract")
        if item.line_id in changed:
            raise InvalidInput(f"{what}: line {item.line_id} appears twice")
        base = by_id[item.line_id]
        terms = LineTerms(
            line_id=base.line_id,
            unit_price=base.unit_price if item.unit_price is msgspec.UNSET else _price(item.unit_price, what),
            tiers=base.tiers if item.tiers is msgspec.UNSET else tuple(
                Tier(t.min_qty, _price(t.unit_price, f"{what} tier {t.min_qty}")) for t in item.tiers
            ),
            committed_qty=base.committed_qty if item.committed_qty is msgspec.UNSET else item.committed_qty,
            min_order_qty=base.min_order_qty if item.min_order_qty is msgspec.UNSET else item.min_order_qty,
            max_order_qty=base.max_order_qty if item.max_order_qty is msgspec.UNSET else item.max_order_qty,
            listing_id=base.listing_id,
        )
        try:
            changed[item.line_id] = rules.check_terms(terms, what)
        except rules.RuleError as exc:
            raise _invalid(exc) from None
    return [changed.get(t.line_id, t) for t in current]


async def propose_amendment(principal: Principal, contract_id: int, data: AmendmentIn) -> ContractOut:
    """Either party proposes new dates and/or line terms; the other side accepts or rejects the proposal.
    Nothing changes until it is accepted; one proposal is open at a time."""
    head = await access.contract_for(principal, contract_id)
    side = access.side_of(principal, head)
    if side is None:
        raise Forbidden("Only the contract's buyer or vendor can propose an amendment.")
    access.require_party(principal, head, side)
    if not data.lines and data.valid_from is msgspec.UNSET and data.valid_to is msgspec.UNSET:
        raise InvalidInput("An amendment changes the dates or at least one line.")
    try:
        async with db.transaction():
            now = await db.db_now()
            fresh = await access.contract_head(contract_id)
            if fresh is None:
                raise NotFound("No such contract.")
            try:
                rules.check_amendable(fresh.status(now))
            except rules.RuleError as exc:
                raise Conflict(f"{exc}.") from None
            valid_from = fresh.valid_from if data.valid_from is msgspec.UNSET else data.valid_from
            valid_to = fresh.valid_to if data.valid_to is msgspec.UNSET else data.valid_to
            if valid_from != fresh.valid_from and fresh.valid_from <= now:
                raise InvalidInput("valid_from cannot change: the contract has started already")
            if valid_from != fresh.valid_from and valid_from < now:
                raise InvalidInput("valid_from cannot move into the past")
            try:
                rules.check_dates(valid_from, valid_to, now)
            except rules.RuleError as exc:
                raise _invalid(exc) from None
            terms = _amended_terms(await _line_terms(contract_id), data)
            if await ContractVersion.exists().where(
                (ContractVersion.contract == contract_id) & (ContractVersion.status == VersionStatus.PROPOSED.value)
            ):
                raise Conflict("An amendment is already waiting for an answer: accept or reject it first.")
            last = await ContractVersion.select(ContractVersion.number).where(
                ContractVersion.contract == contract_id
            ).order_by(ContractVersion.number, ascending=False).first()
            number = (last["number"] if last else 0) + 1
            await ContractVersion(
                contract=contract_id, number=number, status=VersionStatus.PROPOSED.value, proposed_side=side.value,
                valid_from=valid_from, valid_to=valid_to, lines=await snapshot_of(contract_id, terms),
                note=data.note.strip(), proposed_by=principal.user_id, proposed_at=now,
            ).save()
            other = rules.deciding_side(side)
            await tell(head, other, f"Contract {head.number}: an amendment waits for you",
                       f"The {side} proposes version {number} of contract {head.number}. Accept or reject it: "
                       f"{contract_link(head)}\n")
    except UNIQUE_VIOLATIONS:
        # Another proposal won the race for the one open proposal (a partial unique index).
        raise Conflict("An amendment is already waiting for an answer: accept or reject it first.") from None
    return await contract_out(contract_id)


async def _open_proposal(contract_id: int, number: int) -> dict[str, Any]:
    row = await ContractVersion.select().where(
        (ContractVersion.contract == contract_id) & (ContractVersion.number == number)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound("No such amendment.")
    if row["status"] != VersionStatus.PROPOSED.value:
        raise Conflict(f"This amendment is {row['status']}: only a proposed one can be decided.")
    return row


async def accept_amendment(principal: Principal, contract_id: int, number: int) -> ContractOut:
    """The other side agrees: the proposal becomes the current version, the previous one is kept as
    superseded, the lines and dates change, and the contract prices follow from this moment."""
    head = await access.contract_for(principal, contract_id)
    async with db.transaction():
        proposal = await _open_proposal(contract_id, number)
        deciding = rules.deciding_side(Side(proposal["proposed_side"]))
        access.require_party(principal, head, deciding)
        now = await db.db_now()
        fresh = await access.contract_head(contract_id)
        if fresh is None:
            raise NotFound("No such contract.")
        try:
            rules.check_amendable(fresh.status(now))
            rules.check_dates(proposal["valid_from"], proposal["valid_to"], now)
        except rules.RuleError as exc:
            raise Conflict(f"This amendment can no longer be accepted: {exc}.") from None
        # The old current version steps down first, so the one-current index holds at every statement.
        await ContractVersion.update({ContractVersion.status: VersionStatus.SUPERSEDED.value}).where(
            (ContractVersion.contract == contract_id) & (ContractVersion.status == VersionStatus.CURRENT.value)
        )
        claimed = await ContractVersion.update({
            ContractVersion.status: VersionStatus.CURRENT.value, ContractVersion.decided_by: principal.user_id,
            ContractVersion.decided_at: now,
        }).where(
            (ContractVersion.contract == contract_id) & (ContractVersion.number == number)
            & (ContractVersion.status == VersionStatus.PROPOSED.value)
        ).returning(ContractVersion.id)
        if not claimed:
            raise Conflict("This amendment was decided at the same moment.")
        for line in proposal["lines"]:
            await ContractLine.update({
                ContractLine.unit_price: to_minor(Decimal(line["unit_price"])),
                ContractLine.committed_qty: line["committed_qty"], ContractLine.min_order_qty: line["min_order_qty"],
                ContractLine.max_order_qty: line["max_order_qty"],
            }).where((ContractLine.id == line["line_id"]) & (ContractLine.contract == contract_id))
            await ContractLineTier.delete().where(ContractLineTier.line == line["line_id"])
            if line["tiers"]:
                await ContractLineTier.insert(*[
                    ContractLineTier(line=line["line_id"], min_qty=t["min_qty"],
                                     unit_price=to_minor(Decimal(t["unit_price"])))
                    for t in line["tiers"]
                ])
        values: dict[Any, Any] = {
            Contract.version: number, Contract.valid_from: proposal["valid_from"],
            Contract.valid_to: proposal["valid_to"], Contract.status: ContractStatus.ACTIVE.value,
        }
        if proposal["valid_to"] != fresh.valid_to:
            # A new end date earns its own reminders.
            values |= {Contract.reminded_30_at: None, Contract.reminded_7_at: None}
        await Contract.update(values).where(Contract.id == contract_id)
        await sync_prices(contract_id, now)
        proposer = Side(proposal["proposed_side"])
        await tell(head, proposer, f"Contract {head.number}: amendment accepted",
                   f"Version {number} of contract {head.number} is agreed and in force from now.\n\n"
                   f"{contract_link(head)}\n")
    return await contract_out(contract_id)


async def reject_amendment(principal: Principal, contract_id: int, number: int, note: str = "") -> ContractOut:
    """The other side declines the proposal, or its proposer withdraws it; the current version stays."""
    head = await access.contract_for(principal, contract_id)
    side = access.side_of(principal, head)
    if side is None:
        raise Forbidden("Only the contract's buyer or vendor can reject an amendment.")
    access.require_party(principal, head, side)
    async with db.transaction():
        proposal = await _open_proposal(contract_id, number)
        now = await db.db_now()
        done = await ContractVersion.update({
            ContractVersion.status: VersionStatus.REJECTED.value, ContractVersion.decided_by: principal.user_id,
            ContractVersion.decided_at: now,
        }).where((ContractVersion.id == proposal["id"]) & (ContractVersion.status == VersionStatus.PROPOSED.value)
                 ).returning(ContractVersion.id)
        if not done:
            raise Conflict("This amendment was decided at the same moment.")
        proposer = Side(proposal["proposed_side"])
        if proposer is not side:
            await tell(head, proposer, f"Contract {head.number}: amendment rejected",
                       f"The {side} rejected version {number} of contract {head.number}."
                       f"{' Note: ' + note.strip() if note.strip() else ''}\n\n{contract_link(head)}\n")
    return await contract_out(contract_id)


# --- renewal ------------------------------------------------------------------------------------


async def renew(principal: Principal, contract_id: int, data: RenewIn) -> RenewalOut:
    """A draft RFQ with the contract's lines and its vendor invited, through the RFQ rules themselves;
    the buyer reviews and publishes it. A product the buyer may no longer see goes as free text."""
    from app.rfq import services as rfq_services
    from app.rfq.schemas import RfqIn, RfqLineIn

    head = await access.contract_for(principal, contract_id)
    access.require_buyer(principal, head)
    contract = await contract_out(contract_id)
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
        rfq = await rfq_services.create_rfq(principal, RfqIn(
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
            body = (f"Contract {head.number} ends on {head.valid_to:%Y-%m-%d %H:%M} UTC. Renew it with a new RFQ or "
                    f"agree an amendment before then.\n\n{contract_link(head)}\n")
            await tell(head, Side.BUYER, subject, body)
            await tell(head, Side.VENDOR, subject, body)
            sent_count += 1
    return sent_count


# --- notifications ------------------------------------------------------------------------------


def contract_link(head: ContractHead) -> str:
    return f"{get_settings().base_url}/contracts/{head.id}"


async def tell(head: ContractHead, side: Side, subject: str, body: str) -> None:
    """The side's users who act on contracts: the buyer's admins and approvers, the vendor's sellers."""
    from app.rfq.services import addresses_of

    company = head.buyer_id if side is Side.BUYER else head.vendor_id
    roles = AWARDER_ROLES if side is Side.BUYER else VENDOR_ROLES
    for address in (await addresses_of([company], roles)).get(company, []):
        await queue_email(to=address, subject=subject, body=body)
