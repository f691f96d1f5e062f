"""Demo award scenarios on the awarded demo RFQ, saved through the real service as its buyer would have compared
them before awarding: the cherry-pick, one vendor for everything, Umbrella (the incumbent) keeping at least
40 % of the value, and the best weighted score per line under the RFQ's weights (app/demo/scoring.py sets them
first). Idempotent: a scenario whose name exists on the RFQ is left alone."""

from __future__ import annotations

from decimal import Decimal

from app.accounts import services as accounts
from app.demo.rfqs import AWARDED, demo_principal
from app.rfq.tables import Rfq
from app.sourcing import scenarios
from app.sourcing.model import Bound, Preset
from app.sourcing.schemas import ScenarioIn, ValueShareIn
from app.sourcing.tables import AwardScenario


async def load_demo_scenarios() -> list[int]:
    """The demo RFQ's four scenarios; the ids of those created now."""
    author = await demo_principal(AWARDED.author)
    rfq = await Rfq.select(Rfq.id).where((Rfq.buyer == author.company_id) & (Rfq.title == AWARDED.title)).first()
    incumbent = await accounts.find_company_id("vendor", "Umbrella Lab Equipment")
    if rfq is None or incumbent is None:
        return []
    wanted = [
        ScenarioIn(name="Cheapest per line", preset=Preset.CHERRY_PICK),
        ScenarioIn(name="Everything from one vendor", preset=Preset.SINGLE_VENDOR),
        ScenarioIn(name="Umbrella keeps at least 40 %", constraints=[
            ValueShareIn(vendor_id=incumbent, bound=Bound.AT_LEAST, percent=Decimal(40))]),
        ScenarioIn(name="Best weighted score per line", preset=Preset.WEIGHTED_SCORE),
    ]
    existing = {row["name"] for row in await AwardScenario.select(AwardScenario.name).where(
        AwardScenario.rfq == rfq["id"])}
    return [(await scenarios.create(author, rfq["id"], data)).id for data in wanted if data.name not in existing]
