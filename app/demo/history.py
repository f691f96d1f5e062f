"""Sourcing history for the savings charts: a buyer's awarded RFQs month after month, with first offers, revised
offers, awards and the (now expired) contracts they made, written in bulk, a few statements per table.

The rows are the ones the real services would have left (an RFQ awarded line by line to the cheapest latest offer,
a contract per vendor awarded with one current version), dated in the past; prices drift with time so that the
"last contract price" says something. The same plan fills the demo (a couple of years, tens of RFQs) and the
benchmark (bench/analytics.py: 10,000 RFQs, 100,000 awarded lines), with ids chosen up front so that one insert per
table links everything (PostgreSQL's sequences are moved past them afterwards).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from piccolo.table import Table

from app.accounts.services import find_company_id
from app.catalog.tables import Product
from app.contracts.rules import ContractStatus, Side, VersionStatus
from app.contracts.tables import Contract, ContractLine, ContractVersion
from app.db import is_sqlite
from app.money import to_minor
from app.offers.tables import Award, Offer, OfferLine, OfferRevision
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq, RfqInvitation, RfqLine
from app.spending.tables import CostCenter, RfqCostCenter

TABLES: tuple[type[Table], ...] = (Rfq, RfqLine, RfqInvitation, Offer, OfferRevision, OfferLine, Award, Contract,
                                   ContractLine, ContractVersion)
_CENT = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Plan:
    """Who and how much: the buyer, its vendors per currency, the products (id, name, base unit price)."""

    buyer_id: int
    vendors: dict[str, list[int]]  # currency -> the vendors invited to its RFQs
    products: Sequence[tuple[int | None, str, Decimal]]
    rfqs: int
    lines_per_rfq: int
    first: datetime  # the first RFQ's deadline
    last: datetime  # the last RFQ's deadline
    seed: int = 15
    tag: str = "H"  # RFQ and contract numbers: RFQ-2025-H000001, C-2025-H000001


async def next_ids() -> dict[type[Table], int]:
    """The first free id of each table (one query)."""
    parts = " UNION ALL ".join(
        f"SELECT '{t._meta.tablename}' AS name, COALESCE(MAX(id), 0) + 1 AS next FROM {t._meta.tablename}"  # noqa: S608
        for t in TABLES)
    rows = await Rfq.raw(parts)
    found = {row["name"]: int(row["next"]) for row in rows}
    return {t: found[t._meta.tablename] for t in TABLES}


def _price(value: Decimal) -> int:
    return to_minor(max(value, _CENT).quantize(_CENT, rounding=ROUND_HALF_UP))


def build(plan: Plan, ids: dict[type[Table], int], now: datetime) -> dict[type[Table], list[Table]]:
    """Every row of the history, ids set; nothing written. Pure apart from the seeded randomness."""
    rng = random.Random(plan.seed)
    rows: dict[type[Table], list[Table]] = defaultdict(list)
    counter = dict(ids)

    def new_id(table: type[Table]) -> int:
        counter[table] += 1
        return counter[table] - 1

    span = (plan.last - plan.first) / max(plan.rfqs - 1, 1)
    currencies = [c for c, vendors in plan.vendors.items() if vendors]
    level = {vendor: rng.uniform(0.94, 1.12) for vendors in plan.vendors.values() for vendor in vendors}
    for number in range(plan.rfqs):
        deadline = plan.first + span * number
        currency = currencies[0] if number % 5 or len(currencies) == 1 else currencies[1]
        awarded_at = deadline + timedelta(days=2)
        years = (deadline - plan.first).days / 365
        rfq_id = new_id(Rfq)
        rows[Rfq].append(Rfq(
            id=rfq_id, number=f"RFQ-{deadline.year}-{plan.tag}{number + 1:06d}", title=f"Supplies {deadline:%B %Y}",
            description="Recurring supply (history)", buyer=plan.buyer_id, currency=currency,
            payment_terms="net_30", deadline=deadline, status=RfqStatus.AWARDED.value, created_at=deadline - timedelta(
                days=14), published_at=deadline - timedelta(days=13), closed_at=deadline, awarded_at=awarded_at))
        vendors = plan.vendors[currency]
        for vendor in vendors:
            rows[RfqInvitation].append(RfqInvitation(id=new_id(RfqInvitation), rfq=rfq_id, vendor=vendor,
                                                     invited_at=deadline - timedelta(days=13)))
        chosen = rng.sample(range(len(plan.products)), min(plan.lines_per_rfq, len(plan.products)))
        lines = []
        for position, index in enumerate(chosen, start=1):
            product_id, name, base = plan.products[index]
            base = base * Decimal(str(round(1 + 0.03 * years + rng.uniform(-0.04, 0.04), 4)))  # drifts up in time
            target = _price(base * Decimal("0.98")) if rng.random() < 0.7 else None
            line = RfqLine(id=new_id(RfqLine), rfq=rfq_id, position=position, product=product_id, description=name,
                           quantity=rng.choice([50, 100, 200, 500, 1000, 2500]), target_price=target)
            rows[RfqLine].append(line)
            lines.append((line, base))
        latest: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)  # line -> (price, vendor, offer, rev)
        for vendor in vendors:
            offer_id = new_id(Offer)
            revisions = 2 if rng.random() < 0.4 else 1
            rows[Offer].append(Offer(id=offer_id, rfq=rfq_id, vendor=vendor, revision_count=revisions,
                                     created_at=deadline - timedelta(days=5)))
            prices = {line.id: base * Decimal(str(round(level[vendor] * rng.uniform(0.92, 1.10), 4)))
                      for line, base in lines}
            for revision in range(1, revisions + 1):
                revision_id = new_id(OfferRevision)
                rows[OfferRevision].append(OfferRevision(
                    id=revision_id, offer=offer_id, number=revision, lead_time_days=rng.choice([3, 5, 7, 10, 14]),
                    received_at=deadline - timedelta(days=5 - 2 * revision)))
                for line, _ in lines:
                    price = _price(prices[line.id] * (Decimal("0.97") if revision == 2 else 1))
                    rows[OfferLine].append(OfferLine(id=new_id(OfferLine), revision=revision_id, rfq_line=line.id,
                                                     unit_price=price, quantity=line.quantity))
                    if revision == revisions:
                        latest[line.id].append((price, vendor, offer_id, revision_id))
        won: dict[int, list[tuple[RfqLine, tuple[int, int, int, int]]]] = defaultdict(list)
        for line, _ in lines:
            best = min(latest[line.id])
            won[best[1]].append((line, best))
            rows[Award].append(Award(
                id=new_id(Award), rfq=rfq_id, rfq_line=line.id, offer=best[2], revision=best[3], vendor=best[1],
                unit_price=best[0], currency=currency, quantity=line.quantity, awarded_at=awarded_at))
        for vendor, awarded in sorted(won.items()):
            contract_id = new_id(Contract)
            valid_to = min(awarded_at + timedelta(days=180), now - timedelta(days=1))
            rows[Contract].append(Contract(
                id=contract_id, number=f"C-{awarded_at.year}-{plan.tag}{contract_id:07d}", buyer=plan.buyer_id,
                vendor=vendor, currency=currency, payment_terms="net_30", valid_from=awarded_at, valid_to=valid_to,
                status=ContractStatus.EXPIRED.value, version=1, rfq=rfq_id, offer_revision=awarded[0][1][3],
                created_at=awarded_at))
            snapshot = []
            for position, (line, (price, *_)) in enumerate(awarded, start=1):
                contract_line = ContractLine(
                    id=new_id(ContractLine), contract=contract_id, rfq_line=line.id, position=position,
                    description=line.description, unit_price=price, committed_qty=line.quantity)
                rows[ContractLine].append(contract_line)
                snapshot.append({
                    "line_id": contract_line.id, "position": position, "description": line.description,
                    "unit_price": str(Decimal(price) / 10_000), "tiers": [], "committed_qty": line.quantity,
                    "min_order_qty": 1, "max_order_qty": None, "listing_id": None})
            rows[ContractVersion].append(ContractVersion(
                id=new_id(ContractVersion), contract=contract_id, number=1, status=VersionStatus.CURRENT.value,
                proposed_side=Side.BUYER.value, valid_from=awarded_at, valid_to=valid_to, lines=json.dumps(snapshot),
                note="Made from the award", proposed_at=awarded_at, decided_at=awarded_at))
    return rows


async def load_demo_history(now: datetime) -> None:
    """Two years of Acme's awarded RFQs (48 of 4 lines, every fifth in USD), unless they are there already."""
    buyer = await find_company_id("buyer", DEMO_BUYER)
    if buyer is None or await Rfq.exists().where((Rfq.buyer == buyer) & Rfq.number.like("RFQ-%-H%")):
        return
    vendors = {name: await find_company_id("vendor", name) for name in DEMO_VENDORS["EUR"] + DEMO_VENDORS["USD"]}
    products = await Product.select(Product.id, Product.name).where(Product.category.is_not_null()).order_by(
        Product.id).limit(8)
    rng = random.Random(7)
    plan = Plan(
        buyer_id=buyer,
        vendors={currency: [vendors[n] for n in names if vendors[n]] for currency, names in DEMO_VENDORS.items()},
        products=[(p["id"], p["name"], Decimal(rng.randint(50, 5000)) / 100) for p in products]
        or [(None, "Copy paper A4, 500 sheets", Decimal("4.20"))],
        rfqs=48, lines_per_rfq=4, first=now - timedelta(days=730), last=now - timedelta(days=20),
    )
    rows = build(plan, await next_ids(), now)
    await write(rows)
    await charge_to_cost_centers(buyer, [rfq.id for rfq in rows[Rfq]])


async def charge_to_cost_centers(buyer: int, rfq_ids: list[int]) -> None:
    """A third of the history's RFQs bought for the wards, a third for the laboratory, a third for no cost center
    (app/demo/spending.py makes both), so that the savings by cost center say something."""
    centers = {row["code"]: row["id"] for row in await CostCenter.select(CostCenter.id, CostCenter.code).where(
        (CostCenter.company == buyer) & CostCenter.code.is_in(["WARDS", "LAB"]))}
    chosen = [(rfq_id, centers.get(("WARDS", "LAB", "")[n % 3])) for n, rfq_id in enumerate(rfq_ids)]
    charged = [RfqCostCenter(rfq=rfq_id, cost_center=center) for rfq_id, center in chosen if center]
    if charged:
        await RfqCostCenter.insert(*charged)


DEMO_BUYER = "Acme Hospital Group"
DEMO_VENDORS = {"EUR": ("Globex Medical Supplies", "Initech Office", "Umbrella Lab Equipment"),
                "USD": ("Stark Industrial", "Globex Medical Supplies")}


async def write(rows: dict[type[Table], list[Table]], batch: int = 500) -> None:
    """Insert the rows table by table in batches, then move PostgreSQL's id sequences past them."""
    for table in TABLES:
        found = rows.get(table, [])
        for start in range(0, len(found), batch):
            await table.insert(*found[start:start + batch])
    if not is_sqlite():
        for table in TABLES:
            name = table._meta.tablename
            await Rfq.raw(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")  # noqa: S608
