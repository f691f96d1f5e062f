"""Demo exchange rates, an RFQ with offers in two currencies, and scoring weights, made through the real services:
Globex offers in EUR (the RFQ's), Umbrella in GBP with longer payment terms; the RFQ is closed, not awarded, so
its comparison shows both converted at the rate of the close day, their weighted scores and ranking. The awarded
demo RFQ gets weights too (its scenarios include the best weighted score). Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app import db
from app.demo.rfqs import AWARDED, DemoLine, DemoRfq, demo_principal, ensure_demo_rfq
from app.exchange_rates.conversion import rate_to_stored
from app.exchange_rates.tables import ExchangeRate
from app.rfq.tables import Rfq
from app.sourcing import scores
from app.sourcing.score_schemas import WeightsIn
from app.sourcing.tables import ScoringWeights

TWO_CURRENCIES = DemoRfq(
    title="Lab consumables 2027 (offers in EUR and GBP)",
    author="buyer@acme.example",
    description="Closed, not awarded yet: Umbrella offered in GBP, compared in EUR at the rate of the close day.",
    vendors=("Globex Medical Supplies", "Umbrella Lab Equipment"),
    lines=(
        DemoLine(None, "Pipette tips 200 µl, rack of 96", 400, "rack", "4.20"),
        DemoLine(None, "Petri dishes 90 mm, sleeve of 20", 250, "sleeve", "3.10"),
        DemoLine(None, "Nitrile gloves S, box of 100", 600, "box"),
    ),
    bids={
        "Globex Medical Supplies": ("sales@globex.example", (("4.05", "3.20", "5.60"),)),
        "Umbrella Lab Equipment": ("sales@umbrella.example", (("3.45", "2.60", "4.95"),)),
    },
    close=True,
    terms={"Globex Medical Supplies": ("EUR", 30, 4), "Umbrella Lab Equipment": ("GBP", 60, 9)},
)

# 1 unit of each = so many EUR; the day before yesterday and today (the close day uses today's).
RATES = {"GBP": ("1.1790", "1.1834"), "USD": ("0.9180", "0.9213")}
WEIGHTS = {AWARDED.title: WeightsIn(price=60, lead_time=25, vendor_rating=5, payment_terms=10),
           TWO_CURRENCIES.title: WeightsIn(price=55, lead_time=20, vendor_rating=10, payment_terms=15)}


async def load_demo_rates() -> int:
    """The demo's GBP and USD rates into EUR; how many were added now."""
    today = (await db.db_now()).date()
    kept = {(r["base"], r["valid_on"]) for r in await ExchangeRate.select(ExchangeRate.base, ExchangeRate.valid_on)
            .where(ExchangeRate.quote == "EUR")}
    wanted = [ExchangeRate(base=base, quote="EUR", rate=rate_to_stored(Decimal(rate)), valid_on=day,
                           source="Demo data (ECB-like reference rates)", created_at=await db.db_now())
              for base, pair in RATES.items() for day, rate in zip((today - timedelta(days=2), today), pair,
                                                                    strict=True)
              if (base, day) not in kept]
    if wanted:
        await ExchangeRate.insert(*wanted)
    return len(wanted)


async def load_demo_scoring() -> int:
    """Rates, the two-currency RFQ (closed) and both demo RFQs' weights; the two-currency RFQ's id."""
    await load_demo_rates()
    rfq_id = await ensure_demo_rfq(TWO_CURRENCIES)
    approver = await demo_principal("approver@acme.example")
    for title, weights in WEIGHTS.items():
        row = await Rfq.select(Rfq.id).where((Rfq.buyer == approver.company_id) & (Rfq.title == title)).first()
        if row is not None and not await ScoringWeights.exists().where(ScoringWeights.rfq == row["id"]):
            await scores.set_weights(approver, row["id"], weights)
    return rfq_id
