"""Amendments: one side proposes new terms, the other accepts (they become current) or rejects them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from app import db
from app.auth import Principal
from app.contracts import access, mail, rules, views
from app.contracts.rules import ContractStatus, LineTerms, Side, Tier, VersionStatus
from app.contracts.schemas import (
    AmendmentIn,
    ContractOut,
)
from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractLineTier,
    ContractVersion,
)
from app.contracts.terms import line_terms, snapshot_of, sync_prices
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.money import MoneyError, from_minor, parse_amount, to_minor


def _invalid(exc: Exception) -> InvalidInput:
    return InvalidInput(str(exc))


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
            terms = _amended_terms(await line_terms(contract_id), data)
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
            await mail.tell(head, other, f"Contract {head.number}: an amendment waits for you",
                       f"The {side} proposes version {number} of contract {head.number}. Accept or reject it:")
    except db.UNIQUE_VIOLATIONS:
        # Another proposal won the race for the one open proposal (a partial unique index).
        raise Conflict("An amendment is already waiting for an answer: accept or reject it first.") from None
    return await views.contract_out(contract_id)


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
        await mail.tell(head, proposer, f"Contract {head.number}: amendment accepted",
                   f"Version {number} of contract {head.number} is agreed and in force from now.\n\nThe contract:")
    return await views.contract_out(contract_id)


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
            await mail.tell(head, proposer, f"Contract {head.number}: amendment rejected",
                       f"The {side} rejected version {number} of contract {head.number}."
                       f"{' Note: ' + note.strip() if note.strip() else ''}\n\nThe contract:")
    return await views.contract_out(contract_id)
