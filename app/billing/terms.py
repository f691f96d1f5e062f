"""Payment terms, due dates and ageing: pure rules on plain values.

Terms are a number of days after the invoice's issue date (`net_30` is 30); `prepaid` is 0 days (due on issue, and
orders on such terms are not on account). An open invoice's age is counted in whole days past its due date and
falls in one bucket: current (not yet due), 1-30, 31-60, 61-90 or more than 90 days.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum

PREPAID = "prepaid"
NAMED = {PREPAID: 0, "net_30": 30, "net_60": 60, "net_90": 90}
DEFAULT_DAYS = 30  # a company whose terms the operator never set buys on net 30
MAX_DAYS = 365
_NET = re.compile(r"net_(\d{1,3})")


class TermsError(ValueError):
    """Terms that are not prepaid, net_30/60/90, net_<days> or a whole number of days from 0 to 365."""


def parse_terms(value: str | int) -> int:
    """The days of `value`: "prepaid", "net_30", "net_45", 45 or "45"."""
    if isinstance(value, bool):
        raise TermsError("Payment terms: give prepaid, net_30, net_60, net_90 or a number of days.")
    if isinstance(value, int):
        days = value
    else:
        text = value.strip().lower()
        if text in NAMED:
            return NAMED[text]
        match = _NET.fullmatch(text)
        if match is None and not text.isdigit():
            raise TermsError(f"Payment terms: {value!r} is not prepaid, net_30, net_60, net_90 or a number of days.")
        days = int(match.group(1) if match else text)
    if not 0 <= days <= MAX_DAYS:
        raise TermsError(f"Payment terms: give 0 (prepaid) to {MAX_DAYS} days, not {days}.")
    return days


def terms_label(days: int) -> str:
    """How people read terms of `days`: "prepaid", "net 30"."""
    return "prepaid" if days == 0 else f"net {days}"


def terms_code(days: int) -> str:
    """The API's name of terms of `days`: "prepaid", "net_30"."""
    return PREPAID if days == 0 else f"net_{days}"


def on_account(days: int) -> bool:
    """Orders on these terms are paid after delivery, so they use the buyer's credit."""
    return days > 0


def due_date(issued_on: date, days: int) -> date:
    """The day an invoice issued on `issued_on` is due under terms of `days`."""
    if days < 0:
        raise TermsError("Payment terms cannot be negative.")
    return issued_on + timedelta(days=days)


class Ageing(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = ">90"


def days_overdue(due_on: date, today: date) -> int:
    """Whole days past the due date; 0 when not yet past it."""
    return max(0, (today - due_on).days)


def ageing_bucket(due_on: date, today: date) -> Ageing:
    """The ageing bucket of an open invoice due on `due_on`, seen `today`."""
    late = days_overdue(due_on, today)
    if late == 0:
        return Ageing.CURRENT
    if late <= 30:
        return Ageing.DAYS_1_30
    if late <= 60:
        return Ageing.DAYS_31_60
    if late <= 90:
        return Ageing.DAYS_61_90
    return Ageing.OVER_90
