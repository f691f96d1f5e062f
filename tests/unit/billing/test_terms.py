"""Payment terms, due dates and ageing buckets: pure rules, with properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.billing.terms import (
    Ageing,
    TermsError,
    ageing_bucket,
    days_overdue,
    due_date,
    on_account,
    parse_terms,
    terms_code,
    terms_label,
)

days = st.integers(min_value=0, max_value=365)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@pytest.mark.parametrize(("text", "expected"), [
    ("prepaid", 0), ("net_30", 30), ("NET_60", 60), (" net_90 ", 90), ("net_45", 45), ("45", 45), (14, 14),
])
def test_named_and_numbered_terms_are_read(text, expected):
    assert parse_terms(text) == expected


@pytest.mark.parametrize("text", ["net", "net_-1", "-5", "366", "net_400", "thirty", "", True, 1000])
def test_anything_else_is_refused_with_what_to_give(text):
    with pytest.raises(TermsError, match="Payment terms"):
        parse_terms(text)


@given(days)
def test_a_code_reads_back_as_its_days(n):
    assert parse_terms(terms_code(n)) == n
    assert terms_label(n) == ("prepaid" if n == 0 else f"net {n}")
    assert on_account(n) is (n > 0)


@given(dates, days)
def test_an_invoice_is_due_its_terms_after_issue(issued, n):
    due = due_date(issued, n)
    assert (due - issued).days == n
    # not overdue on its due day, overdue by one the day after
    assert ageing_bucket(due, due) is Ageing.CURRENT
    assert days_overdue(due, due + timedelta(days=1)) == 1


@given(dates, st.integers(min_value=-400, max_value=400))
def test_every_open_invoice_falls_in_exactly_the_bucket_of_its_days_late(due, offset):
    today = due + timedelta(days=offset)
    bucket = ageing_bucket(due, today)
    late = max(0, offset)
    assert days_overdue(due, today) == late
    expected = (Ageing.CURRENT if late == 0 else Ageing.DAYS_1_30 if late <= 30 else Ageing.DAYS_31_60
                if late <= 60 else Ageing.DAYS_61_90 if late <= 90 else Ageing.OVER_90)
    assert bucket is expected


@given(dates, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=300))
def test_ageing_never_goes_back_as_days_pass(due, a, b):
    order = list(Ageing)
    first, later = sorted((a, b))
    assert order.index(ageing_bucket(due, due + timedelta(days=first))) <= order.index(
        ageing_bucket(due, due + timedelta(days=later)))


@pytest.mark.parametrize(("late", "bucket"), [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
                                              (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, ">90")])
def test_bucket_edges(late, bucket):
    due = date(2026, 1, 1)
    assert ageing_bucket(due, due + timedelta(days=late)).value == bucket


def test_negative_terms_have_no_due_date():
    with pytest.raises(TermsError):
        due_date(date(2026, 1, 1), -1)
