"""A cart's money: line net, tax and gross in the currency's minor unit, totals per vendor and per currency."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import minor_digits
from app.orders.cart_totals import LineAmounts, PricedLine, currency_totals, line_amounts, to_currency, vendor_totals

D = Decimal

prices = st.decimals(min_value=D(0), max_value=D("99999.9999"), places=4)
quantities = st.integers(min_value=1, max_value=10_000_000)
rates = st.decimals(min_value=D(0), max_value=D(100), places=2)
currencies = st.sampled_from(["EUR", "USD", "JPY", "KWD"])


@st.composite
def lines(draw):  # type: ignore[no-untyped-def]
    currency = draw(currencies)
    amounts = line_amounts(draw(prices), draw(quantities), draw(rates), currency)
    return PricedLine(vendor_id=draw(st.integers(1, 4)), currency=currency, amounts=amounts)


def test_a_line_rounds_net_and_tax_half_up_to_cents():
    # given a screw at 0.0035 EUR, 7 of them, at 19 %
    amounts = line_amounts(D("0.0035"), 7, D("19.00"), "EUR")
    # then net 0.0245 rounds to 0.02, tax 0.0038 to 0.00
    assert amounts == LineAmounts(net=D("0.02"), tax=D("0.00"), gross=D("0.02"))


def test_half_a_cent_rounds_up():
    assert line_amounts(D("0.125"), 1, D(0), "EUR").net == D("0.13")
    assert line_amounts(D("10.00"), 1, D("0.05"), "EUR").tax == D("0.01")  # 0.005


def test_yen_have_no_decimals_and_dinars_three():
    assert line_amounts(D("100.5"), 1, D("10"), "JPY") == LineAmounts(D("101"), D("10"), D("111"))
    assert line_amounts(D("1.2345"), 1, D("0"), "KWD").net == D("1.235")


@pytest.mark.parametrize(("price", "quantity", "rate"), [(D("-1"), 1, D(19)), (D(1), 0, D(19)), (D(1), 1, D(101))])
def test_impossible_lines_are_refused(price, quantity, rate):
    with pytest.raises(ValueError):
        line_amounts(price, quantity, rate, "EUR")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        line_amounts(1.5, 1, D(19), "EUR")  # type: ignore[arg-type]


def test_two_currencies_give_two_totals_and_no_sum():
    # given a EUR line and a USD line of the same vendor
    eur = PricedLine(1, "EUR", line_amounts(D("10.00"), 2, D("19"), "EUR"))
    usd = PricedLine(1, "USD", line_amounts(D("5.00"), 1, D("19"), "USD"))
    # then one total each, and the vendor has one per currency
    totals = currency_totals([eur, usd])
    assert [(t.currency, t.net, t.gross) for t in totals] == [("EUR", D("20.00"), D("23.80")),
                                                             ("USD", D("5.00"), D("5.95"))]
    assert [(v.vendor_id, v.total.currency) for v in vendor_totals([eur, usd])] == [(1, "EUR"), (1, "USD")]


def test_an_empty_cart_has_no_totals():
    assert currency_totals([]) == [] and vendor_totals([]) == []


@given(prices, quantities, rates, currencies)
def test_a_line_is_exact_in_its_minor_unit_and_gross_is_net_plus_tax(price, quantity, rate, currency):
    amounts = line_amounts(price, quantity, rate, currency)
    quantum = D(1).scaleb(-minor_digits(currency))
    assert amounts.gross == amounts.net + amounts.tax
    for value in (amounts.net, amounts.tax, amounts.gross):
        assert value == value.quantize(quantum) and value >= 0
    # each within half a minor unit of the exact figure
    assert abs(amounts.net - price * quantity) <= quantum / 2
    assert abs(amounts.tax - amounts.net * rate / 100) <= quantum / 2


@given(st.lists(lines(), max_size=30))
def test_totals_add_up_per_currency_and_never_mix_them(cart):
    totals = currency_totals(cart)
    assert [t.currency for t in totals] == sorted({line.currency for line in cart})
    for total in totals:
        mine = [line for line in cart if line.currency == total.currency]
        assert total.net == sum(line.amounts.net for line in mine)
        assert total.tax == sum(line.amounts.tax for line in mine)
        assert total.gross == total.net + total.tax
        assert total.line_count == len(mine)
        assert total.net == to_currency(total.net, total.currency)


@given(st.lists(lines(), max_size=30))
def test_vendor_totals_split_the_currency_totals(cart):
    by_vendor = vendor_totals(cart)
    assert sum(v.total.line_count for v in by_vendor) == len(cart)
    assert len({(v.vendor_id, v.total.currency) for v in by_vendor}) == len(by_vendor)
    for total in currency_totals(cart):
        mine = [v.total for v in by_vendor if v.total.currency == total.currency]
        assert sum(t.net for t in mine) == total.net
        assert sum(t.tax for t in mine) == total.tax
        assert sum(t.gross for t in mine) == total.gross


@given(st.lists(lines(), max_size=20), st.randoms())
def test_totals_do_not_depend_on_the_order_of_lines(cart, random):
    shuffled = list(cart)
    random.shuffle(shuffled)
    assert currency_totals(shuffled) == currency_totals(cart)
