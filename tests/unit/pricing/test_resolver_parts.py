"""A line in parts: a contract line covers what it has left at the contract price, the next source the rest."""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.contract_consumption import remaining
from app.catalog.pricing import Buyer, PriceEntry, PriceSource, resolve_parts, resolve_price

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ACME = Buyer(company_id=1, segment_id=10)
BASE = PriceEntry(source=PriceSource.BASE_PRICE, unit_price=Decimal("10.00"), currency="EUR")


def contract(line: int, price: str, committed: int | None, consumed: int = 0, min_qty: int = 1) -> PriceEntry:
    return PriceEntry(source=PriceSource.CONTRACT, unit_price=Decimal(price), currency="EUR", min_qty=min_qty,
                      company_id=ACME.company_id, reference=f"C-{line}", contract_line_id=line,
                      committed=committed, consumed=consumed)


def parts(entries, quantity):
    return resolve_parts(buyer=ACME, base=BASE, entries=entries, quantity=quantity, at=NOW)


def test_a_line_within_the_contract_is_one_part_at_the_contract_price():
    (only,) = parts([contract(1, "6", committed=100, consumed=60)], 40)
    assert (only.quantity, only.price.unit_price, only.price.reference) == (40, Decimal("6"), "C-1")


def test_a_line_past_what_the_contract_has_left_takes_the_next_price_for_the_rest():
    # given a contract line of 100 with 60 ordered, and a company price list at 7
    entries = [contract(1, "6", committed=100, consumed=60),
               PriceEntry(source=PriceSource.COMPANY_PRICE_LIST, unit_price=Decimal("7"), currency="EUR",
                          company_id=ACME.company_id, reference="Acme 2026")]
    # when 50 are priced
    first, rest = parts(entries, 50)
    # then 40 at the contract price and 10 at the price list
    assert (first.quantity, first.price.source, first.price.unit_price) == (40, PriceSource.CONTRACT, Decimal("6"))
    assert (rest.quantity, rest.price.source, rest.price.unit_price) == (10, PriceSource.COMPANY_PRICE_LIST,
                                                                           Decimal("7"))


def test_a_used_up_contract_line_prices_nothing_not_even_alone():
    used_up = contract(1, "6", committed=100, consumed=100)
    (only,) = parts([used_up], 5)
    assert only.price.source is PriceSource.BASE_PRICE
    assert resolve_price(buyer=ACME, base=BASE, entries=[used_up], quantity=5, at=NOW).source is PriceSource.BASE_PRICE


def test_an_unlimited_contract_line_covers_everything():
    (only,) = parts([contract(1, "6", committed=None, consumed=10**6)], 10**6)
    assert only.quantity == 10**6 and only.price.source is PriceSource.CONTRACT


entry_lists = st.lists(
    st.builds(
        contract,
        line=st.integers(1, 4),
        price=st.sampled_from(["4", "5", "6", "9.5"]),
        committed=st.none() | st.integers(1, 50),
        consumed=st.integers(0, 60),
        min_qty=st.integers(1, 20),
    ),
    max_size=6,
)


@given(entries=entry_lists, quantity=st.integers(1, 200))
def test_parts_add_up_and_no_contract_line_gives_more_than_it_has_left(entries, quantity):
    result = parts(entries, quantity)
    # the parts cover the line exactly, each part at least one unit
    assert sum(p.quantity for p in result) == quantity
    assert all(p.quantity >= 1 for p in result)
    # every contract part stays within what its line has left, each line used at most once
    lines = [p.price.contract_line_id for p in result if p.price.source is PriceSource.CONTRACT]
    assert len(lines) == len(set(lines))
    for part in result:
        if part.price.source is PriceSource.CONTRACT:
            left = remaining(part.price.committed, part.price.consumed)
            assert left is None or part.quantity <= left
    # only the last part may come from something else than a contract
    assert all(p.price.source is PriceSource.CONTRACT for p in result[:-1])
    # and the first part is the price the resolver gives the whole line
    assert result[0].price == resolve_price(buyer=ACME, base=BASE, entries=entries, quantity=quantity, at=NOW)
