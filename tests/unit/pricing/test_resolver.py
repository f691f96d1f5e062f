"""The one price resolver: source precedence, tiers, validity, ownership, with properties."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.pricing import Buyer, PriceEntry, PriceSource, PricingError, resolve_price
from app.money import Money

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ACME = Buyer(company_id=1, segment_id=10)
BASE = PriceEntry(source=PriceSource.BASE_PRICE, unit_price=Decimal("10.00"), currency="EUR")


def entry(source, price, min_qty=1, **kw):
    kw.setdefault("currency", "EUR")
    if source in (PriceSource.CONTRACT, PriceSource.COMPANY_PRICE_LIST):
        kw.setdefault("company_id", ACME.company_id)
    if source is PriceSource.SEGMENT_PRICE_LIST:
        kw.setdefault("segment_id", ACME.segment_id)
    return PriceEntry(source=source, unit_price=Decimal(price), min_qty=min_qty, **kw)


def resolve(entries, quantity=1, buyer=ACME, at=NOW, base=BASE):
    return resolve_price(buyer=buyer, base=base, entries=entries, quantity=quantity, at=at)


ALL_SOURCES = [
    entry(PriceSource.CONTRACT, "6"),
    entry(PriceSource.COMPANY_PRICE_LIST, "7"),
    entry(PriceSource.SEGMENT_PRICE_LIST, "8"),
    entry(PriceSource.VOLUME_TIER, "9", min_qty=1),
]


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (ALL_SOURCES, PriceSource.CONTRACT),
        (ALL_SOURCES[1:], PriceSource.COMPANY_PRICE_LIST),
        (ALL_SOURCES[2:], PriceSource.SEGMENT_PRICE_LIST),
        (ALL_SOURCES[3:], PriceSource.VOLUME_TIER),
        ([], PriceSource.BASE_PRICE),
    ],
)
def test_the_strongest_present_source_wins(present, expected):
    assert resolve(present).source is expected


def test_a_contract_wins_even_when_another_source_is_cheaper():
    price = resolve([entry(PriceSource.CONTRACT, "9.50"), entry(PriceSource.SEGMENT_PRICE_LIST, "1.00")])
    assert (price.source, price.unit_price) == (PriceSource.CONTRACT, Decimal("9.50"))


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [(1, "10.00"), (9, "10.00"), (10, "9.00"), (99, "9.00"), (100, "8.00"), (10_000, "8.00")],
)
def test_the_highest_tier_at_or_below_the_quantity_applies(quantity, expected):
    tiers = [entry(PriceSource.VOLUME_TIER, "9.00", 10), entry(PriceSource.VOLUME_TIER, "8.00", 100)]
    assert resolve(tiers, quantity=quantity).unit_price == Decimal(expected)


def test_a_source_whose_tiers_start_above_the_quantity_passes_to_the_next():
    price = resolve([entry(PriceSource.CONTRACT, "5", min_qty=50), entry(PriceSource.SEGMENT_PRICE_LIST, "8")], 10)
    assert price.source is PriceSource.SEGMENT_PRICE_LIST
    assert resolve([entry(PriceSource.CONTRACT, "5", min_qty=50)], 50).source is PriceSource.CONTRACT


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "applies"),
    [
        (NOW, None, True),  # starts now: valid from its first instant
        (NOW + timedelta(seconds=1), None, False),  # not yet valid
        (None, NOW, False),  # ended exactly now: the end is exclusive
        (None, NOW + timedelta(seconds=1), True),
        (NOW - timedelta(days=30), NOW - timedelta(days=1), False),  # expired
        (None, None, True),
    ],
)
def test_validity_boundaries(valid_from, valid_to, applies):
    price = resolve([entry(PriceSource.CONTRACT, "5", valid_from=valid_from, valid_to=valid_to)])
    assert (price.source is PriceSource.CONTRACT) is applies


def test_another_companys_contract_and_price_list_never_apply():
    foreign = [
        entry(PriceSource.CONTRACT, "1", company_id=2),
        entry(PriceSource.COMPANY_PRICE_LIST, "2", company_id=2),
        entry(PriceSource.CONTRACT, "1", company_id=None),
    ]
    assert resolve(foreign).source is PriceSource.BASE_PRICE


def test_another_segments_price_list_never_applies_and_no_segment_means_none():
    assert resolve([entry(PriceSource.SEGMENT_PRICE_LIST, "1", segment_id=99)]).source is PriceSource.BASE_PRICE
    no_segment = Buyer(company_id=1, segment_id=None)
    assert resolve([entry(PriceSource.SEGMENT_PRICE_LIST, "1")], buyer=no_segment).source is PriceSource.BASE_PRICE


def test_the_price_keeps_the_currency_and_reference_of_its_entry():
    price = resolve([entry(PriceSource.CONTRACT, "5.1234", currency="USD", reference="C-2026-0001", entry_id=7)])
    assert (price.currency, price.reference, price.entry_id) == ("USD", "C-2026-0001", 7)
    assert price.why == "Contract price C-2026-0001"
    assert price.money == Money(Decimal("5.1234"), "USD")


def test_two_entries_of_one_tier_give_the_lower_price():
    both = [entry(PriceSource.SEGMENT_PRICE_LIST, "8"), entry(PriceSource.SEGMENT_PRICE_LIST, "7")]
    assert resolve(both).unit_price == Decimal("7")


def test_a_base_price_entry_among_the_candidates_is_ignored():
    decoy = PriceEntry(source=PriceSource.BASE_PRICE, unit_price=Decimal("0.01"), currency="EUR")
    assert resolve([decoy]).unit_price == Decimal("10.00")


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(quantity):
    with pytest.raises(PricingError, match="at least 1"):
        resolve([], quantity=quantity)


def test_the_base_must_be_a_base_price():
    with pytest.raises(PricingError):
        resolve([], base=entry(PriceSource.VOLUME_TIER, "1"))


def test_the_reason_names_the_source():
    assert resolve([]).why == "List price"
    assert resolve([entry(PriceSource.VOLUME_TIER, "9", 10)], 12).why == "Volume price from 10"
    assert resolve([entry(PriceSource.SEGMENT_PRICE_LIST, "9", reference="Healthcare 2026")]).why == (
        "Your segment's price list Healthcare 2026"
    )


# --- properties ----------------------------------------------------------------------------------

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4)
sources = st.sampled_from([s for s in PriceSource if s is not PriceSource.BASE_PRICE])
moments = st.one_of(st.none(), st.integers(min_value=-5, max_value=5).map(lambda d: NOW + timedelta(days=d)))
entries = st.builds(
    lambda source, price, min_qty, start, end, mine: entry(
        source,
        price,
        min_qty,
        valid_from=start,
        valid_to=end,
        **({} if mine else {"company_id": 2, "segment_id": 99}),
    ),
    sources,
    prices,
    st.integers(min_value=1, max_value=1000),
    moments,
    moments,
    st.booleans(),
)


@given(st.lists(entries, max_size=12), prices, st.integers(min_value=1, max_value=1000))
def test_a_valid_applicable_contract_always_wins(others, contract_price, quantity):
    contract = entry(PriceSource.CONTRACT, contract_price, 1, valid_from=NOW - timedelta(days=1))
    assert resolve([*others, contract], quantity=quantity).source is PriceSource.CONTRACT


@given(st.lists(entries, max_size=12), st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=500))
def test_within_one_source_a_larger_quantity_never_costs_more_per_unit(candidates, quantity, more):
    # given tiers that fall with quantity within each source (as price lists and tiers are written)
    for source in PriceSource:
        tiers = sorted((e for e in candidates if e.source is source), key=lambda e: e.min_qty)
        falling = [
            entry(source, Decimal(1000) - i, e.min_qty, company_id=e.company_id, segment_id=e.segment_id,
                  valid_from=e.valid_from, valid_to=e.valid_to)
            for i, e in enumerate(tiers)
        ]
        small, large = resolve(falling, quantity), resolve(falling, quantity + more)
        if small.source is large.source:
            assert large.unit_price <= small.unit_price


@given(st.lists(entries, max_size=12), st.integers(min_value=1, max_value=1000))
def test_the_chosen_entry_is_always_valid_applicable_and_within_the_quantity(candidates, quantity):
    price = resolve(candidates, quantity=quantity)
    if price.source is PriceSource.BASE_PRICE:
        assert not any(e.valid_at(NOW) and e.applies_to(ACME) and e.min_qty <= quantity for e in candidates)
        return
    chosen = [e for e in candidates if e.entry_id == price.entry_id and e.source is price.source
              and e.unit_price == price.unit_price and e.min_qty == price.min_qty]
    assert any(e.valid_at(NOW) and e.applies_to(ACME) and e.min_qty <= quantity for e in chosen)
