"""The precomputed analytics say what the facts and offers say: the monthly savings (whole months) with the facts of
the partial months give the figures the facts alone give, for any period; the vendors' months of awarded RFQs and
the live reading of closed ones give the competitiveness the offers give; a refresh adds each RFQ once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.analytics import competitiveness, facts
from app.analytics.facts import Scope
from app.analytics.tables import SavingsMonth, VendorMonth
from app.clock import utcnow
from app.demo import history
from app.rfq.states import RfqStatus
from app.rfq.tables import Rfq
from app.spending.tables import CostCenter, RfqCostCenter
from tests.support.catalog import a_category, a_product
from tests.support.fixtures import make_company

D = Decimal
GRAINS = [(), ("month",), ("category",), ("vendor",), ("cost_center",)]


@pytest.fixture
async def past(world):
    """Two years of the buyer's awarded RFQs (30 of 3 lines, every fifth in USD), a third on a cost center."""
    second = await make_company("vendor", name="Second Vendor")
    categories = [await a_category(f"History {n}") for n in range(3)]
    products = [(await a_product(f"Product {n}", category=categories[n % 3]), f"Product {n}", D(10 + n))
                for n in range(6)]
    now = utcnow()
    plan = history.Plan(buyer_id=world.buyer.id, vendors={"EUR": [world.vendor.id, second.id],
                                                          "USD": [second.id]},
                        products=products, rfqs=30, lines_per_rfq=3, first=now - timedelta(days=700),
                        last=now - timedelta(days=5), tag="T")
    rows = history.build(plan, await history.next_ids(), now)
    await history.write(rows)
    center = CostCenter(company=world.buyer.id, code="CC-H", name="History", active=True, created_at=now)
    await center.save()
    await RfqCostCenter.insert(*[RfqCostCenter(rfq=rfq.id, cost_center=center.id) for rfq in rows[Rfq][::3]])
    return now.date()


def _figures(cells):
    return sorted((c.month, c.category_id or 0, c.vendor_id, c.cost_center_id or 0, c.figures.currency, c.figures.lines,
                   c.figures.awarded, c.figures.consumed,
                   tuple(sorted((b.value, x.baseline, x.awarded, x.lines) for b, x in c.figures.comparisons.items())))
                  for c in cells)


async def test_whole_months_and_partial_days_give_what_the_facts_alone_give(world, past, monkeypatch):
    # given the history's facts written once
    await facts.refresh()
    today = past
    periods = [(None, None), (today - timedelta(days=400), None), (None, today - timedelta(days=100)),
               (today - timedelta(days=500), today - timedelta(days=45)), (date(2000, 1, 1), today),
               ((today - timedelta(days=300)).replace(day=1), today.replace(day=1) - timedelta(days=1)),
               (today - timedelta(days=200), today - timedelta(days=190))]
    for start, end in periods:
        for buyers in ([world.buyer.id], None):
            scope = Scope(buyers, start, end)
            # when the figures are read with the monthly sums, and from the facts alone
            summed = await facts.grouped(scope, GRAINS)
            with monkeypatch.context() as patch:
                patch.setattr(facts, "_split", lambda _scope: None)
                alone = await facts.grouped(scope, GRAINS)
            # then they are the same, grain by grain
            assert [_figures(cells) for cells in summed] == [_figures(cells) for cells in alone], (start, end)
    assert any(cells for cells in summed)


async def test_a_refresh_adds_each_rfq_once_and_finds_nothing_due_after(world, past):
    # given the facts written, twice
    await facts.refresh()
    first = (await SavingsMonth.count(), await VendorMonth.count(),
             sum(row["lines"] for row in await SavingsMonth.select(SavingsMonth.lines)))
    await facts.refresh()
    # then nothing was added the second time, every line is in the monthly sums once, and nothing is due
    assert (await SavingsMonth.count(), await VendorMonth.count(),
            sum(row["lines"] for row in await SavingsMonth.select(SavingsMonth.lines))) == first
    assert first[2] == 90
    assert await Rfq.count().where(Rfq.facts_written_at.is_null() & (Rfq.status == "awarded")) == 0
    # and the facts carry the cost center of a third of the RFQs
    (by_center, _) = await facts.grouped(Scope([world.buyer.id]), [("cost_center",), ()])
    assert {c.cost_center for c in by_center} == {"CC-H History", "No cost center"}


async def test_an_rfq_closed_but_not_awarded_counts_in_competitiveness_until_its_award(world, past):
    # given the history written, and one of its RFQs put back to closed (its offers still live)
    await facts.refresh()
    before = await competitiveness.months(Scope([world.buyer.id]), world.vendor.id)
    rfq = (await Rfq.select(Rfq.id).where(Rfq.buyer == world.buyer.id).order_by(Rfq.id, ascending=False).first())
    await Rfq.update({Rfq.status: RfqStatus.CLOSED.value}).where(Rfq.id == rfq["id"])
    await VendorMonth.delete().where(VendorMonth.id > 0)
    await Rfq.update({Rfq.facts_written_at: None}).where(Rfq.id != rfq["id"])
    # when the vendors' months are rebuilt for the awarded ones only
    await facts.refresh()
    after = await competitiveness.months(Scope([world.buyer.id]), world.vendor.id)
    # then the closed RFQ is read from its offers, and the figures are the same as before
    assert [(m.month, m.currency, m.lines, m.best_lines, m.offered, m.best) for m in after] == [
        (m.month, m.currency, m.lines, m.best_lines, m.offered, m.best) for m in before]
    assert sum(m.lines for m in after) > 0
