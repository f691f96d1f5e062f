"""A contract's numbers, its current terms and the price rows the catalog's resolver reads (ContractPrice follows
the current terms of linked lines)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.contracts import rules
from app.contracts.rules import LineTerms, Tier
from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractLineTier,
    ContractNumberCounter,
    ContractPrice,
)
from app.errors import NotFound
from app.money import from_minor, to_minor
from app.numbering import next_in_year

# --- numbers ------------------------------------------------------------------------------------


async def next_number(year: int) -> str:
    """The next contract number of `year`, inside the caller's transaction (app/numbering.py)."""
    return rules.format_number(year, await next_in_year(ContractNumberCounter, year))


# --- terms and price rows -----------------------------------------------------------------------


async def line_terms(contract_id: int) -> list[LineTerms]:
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
    terms = await line_terms(contract_id)
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
    return snapshot(terms if terms is not None else await line_terms(contract_id), lines)
