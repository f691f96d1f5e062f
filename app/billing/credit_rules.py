"""Credit decisions: pure rules on plain values (Decimal amounts in one currency).

A buyer's exposure is what it owes or will owe on account: its orders not yet invoiced (cancelled, rejected,
withdrawn or expired ones aside; a partly invoiced order counts its uninvoiced rest) plus its open invoices less what
was paid on them. An order on account is refused when it would take the exposure past the limit, unless the
operator lets the company exceed it; a zero limit means prepaid only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.money import format_money


@dataclass(frozen=True, slots=True)
class CreditPosition:
    """A company's limit and exposure in the limit's currency, and whether it may exceed the limit."""

    currency: str
    limit: Decimal
    exposure: Decimal
    may_exceed: bool = False

    @property
    def available(self) -> Decimal:
        """What may still be ordered on account (never below zero)."""
        return max(Decimal(0), self.limit - self.exposure)


def amount_over(position: CreditPosition, amount: Decimal) -> Decimal:
    """By how much ordering `amount` more would take the exposure past the limit (0 when it fits)."""
    if amount < 0:
        raise ValueError("an order's amount is not negative")
    return max(Decimal(0), position.exposure + amount - position.limit)


def is_refused(position: CreditPosition, amount: Decimal) -> bool:
    """An order of `amount` on account is refused when it goes past the limit and the company may not exceed it."""
    return amount_over(position, amount) > 0 and not position.may_exceed


def refusal_message(position: CreditPosition, amount: Decimal, locale: str) -> str:
    """What the buyer reads when refused: the limit, the exposure, the order and the amount over."""
    def money(value: Decimal) -> str:
        return format_money(value, position.currency, locale)

    if position.limit == 0:
        return (f"Your company buys prepaid only (credit limit {money(position.limit)}): this order of "
                f"{money(amount)} cannot be placed on account.")
    return (f"This order of {money(amount)} would take your company past its credit limit of "
            f"{money(position.limit)}: {money(position.exposure)} is already ordered or owed, so the order is "
            f"{money(amount_over(position, amount))} over. Pay open invoices or ask the marketplace to raise "
            "the limit.")


def overdue_message(number: str, days: int) -> str:
    return (f"Your company has invoice {number} overdue by {days} days: orders on account are blocked until it is "
            "paid.")
