"""Credit decisions and invoice moves: pure rules, with properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.billing.credit_rules import CreditPosition, amount_over, is_refused, refusal_message
from app.billing.invoice_states import (
    InvoiceStatus,
    Party,
    TransitionError,
    after_payment,
    check_transition,
    is_overdue,
)

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(amounts, amounts, amounts)
def test_an_order_passes_exactly_when_the_exposure_after_it_stays_within_the_limit(limit, exposure, amount):
    position = CreditPosition("EUR", limit, exposure)
    assert is_refused(position, amount) is (exposure + amount > limit)
    assert amount_over(position, amount) == max(Decimal(0), exposure + amount - limit)
    assert position.available == max(Decimal(0), limit - exposure)


@given(amounts, amounts, amounts)
def test_a_company_allowed_to_exceed_is_never_refused(limit, exposure, amount):
    assert not is_refused(CreditPosition("EUR", limit, exposure, may_exceed=True), amount)


def test_the_refusal_gives_the_limit_the_exposure_and_the_amount_over():
    message = refusal_message(CreditPosition("EUR", Decimal("10000"), Decimal("9500")), Decimal("800"), "en_GB")
    assert "10,000.00 EUR" in message and "9,500.00 EUR" in message and "300.00 EUR over" in message
    assert "prepaid only" in refusal_message(CreditPosition("EUR", Decimal(0), Decimal(0)), Decimal(1), "en_GB")


@given(st.integers(min_value=1, max_value=10**12), st.data())
def test_payments_reach_paid_exactly_at_the_gross_and_never_past_it(gross, data):
    paid_before = data.draw(st.integers(min_value=0, max_value=gross - 1))
    amount = data.draw(st.integers(min_value=1, max_value=gross * 2))
    if paid_before + amount > gross:
        with pytest.raises(TransitionError, match="open amount"):
            after_payment(InvoiceStatus.ISSUED, gross, paid_before, amount)
    else:
        status = after_payment(InvoiceStatus.OVERDUE, gross, paid_before, amount)
        assert (status is InvoiceStatus.PAID) is (paid_before + amount == gross)


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.CANCELLED])
def test_a_closed_invoice_takes_no_payment(status):
    with pytest.raises(TransitionError, match="No payment"):
        after_payment(status, 100, 0, 1)


def test_who_makes_which_move():
    check_transition(InvoiceStatus.ISSUED, InvoiceStatus.PAID, Party.OPERATOR)
    check_transition(InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE, Party.SYSTEM)
    check_transition(InvoiceStatus.OVERDUE, InvoiceStatus.CANCELLED, Party.VENDOR)
    with pytest.raises(TransitionError, match="Only the system"):
        check_transition(InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE, Party.VENDOR)
    with pytest.raises(TransitionError, match="it is paid"):
        check_transition(InvoiceStatus.PAID, InvoiceStatus.CANCELLED, Party.VENDOR)
    with pytest.raises(TransitionError, match="Only the vendor"):
        check_transition(InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED, Party.OPERATOR)


def test_overdue_is_derivable_the_day_after_the_due_date():
    due = date(2026, 3, 1)
    assert not is_overdue(InvoiceStatus.ISSUED, due, due)
    assert is_overdue(InvoiceStatus.ISSUED, due, date(2026, 3, 2))
    assert not is_overdue(InvoiceStatus.PAID, due, date(2026, 3, 2))
