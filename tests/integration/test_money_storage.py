"""Money goes through both databases exactly: stored, summed and sorted as integers."""

from decimal import Decimal

import pytest
from piccolo.columns import Varchar
from piccolo.query.functions.aggregate import Sum
from piccolo.table import Table

from app.money import Money, from_minor, money_column, to_minor


class PriceProbe(Table, tablename="test_price_probe"):
    label = Varchar(length=20)
    amount = money_column()
    currency = Varchar(length=3)


AMOUNTS = {
    "tenth": Decimal("0.10"),
    "screw": Decimal("0.0035"),
    "large": Decimal("92233720368547.7580"),
    "negative": Decimal("-0.0001"),
}


@pytest.fixture
async def probe_table():
    await PriceProbe.create_table(if_not_exists=True)
    await PriceProbe.delete(force=True)
    yield PriceProbe
    await PriceProbe.alter().drop_table(if_exists=True)


async def test_amounts_round_trip_exactly(probe_table):
    # given amounts that a float would distort
    await PriceProbe.insert(
        *[PriceProbe(label=label, amount=to_minor(value), currency="EUR") for label, value in AMOUNTS.items()]
    )
    # when they are read back
    rows = await PriceProbe.select(PriceProbe.label, PriceProbe.amount)
    # then every digit is still there
    assert {row["label"]: from_minor(row["amount"]) for row in rows} == AMOUNTS
    assert all(isinstance(row["amount"], int) for row in rows)


async def test_sql_sum_is_exact(probe_table):
    # given a thousand screws at 0.0035 and one large amount
    await PriceProbe.insert(*[PriceProbe(label="screw", amount=to_minor(Decimal("0.0035"))) for _ in range(1000)])
    await PriceProbe.insert(PriceProbe(label="large", amount=to_minor(AMOUNTS["large"])))
    # when the database adds them up
    total = await PriceProbe.select(Sum(PriceProbe.amount, alias="total")).first()
    # then the sum is exact to the last ten-thousandth
    assert from_minor(total["total"]) == Decimal("3.5000") + AMOUNTS["large"]


async def test_sql_ordering_follows_the_amounts(probe_table):
    await PriceProbe.insert(
        *[PriceProbe(label=label, amount=to_minor(value), currency="EUR") for label, value in AMOUNTS.items()]
    )
    rows = await PriceProbe.select(PriceProbe.label).order_by(PriceProbe.amount)
    assert [row["label"] for row in rows] == ["negative", "screw", "tenth", "large"]
    positive = PriceProbe.select(PriceProbe.amount).where(PriceProbe.amount > 0)
    cheapest = await positive.order_by(PriceProbe.amount).first()
    assert Money.from_minor(cheapest["amount"], "EUR") == Money(Decimal("0.0035"), "EUR")
