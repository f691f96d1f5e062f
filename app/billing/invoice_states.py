"""An invoice's states and moves: the one module that knows them.

issued → paid (payments summed reach the gross; the vendor or an operator records them) | overdue (the daily job,
once the due date has passed unpaid) | cancelled (the vendor issues a credit note, before any payment);
overdue → paid | cancelled. Each move names who may make it; `check_transition` says why a move is refused (409).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    OVERDUE = "overdue"
    PAID = "paid"
    CANCELLED = "cancelled"


class Party(StrEnum):
    VENDOR = "vendor"  # a seller of the invoicing vendor
    OPERATOR = "operator"
    SYSTEM = "system"  # the daily overdue job


class TransitionError(ValueError):
    """The move is not allowed; the message says why."""


@dataclass(frozen=True, slots=True)
class Move:
    parties: frozenset[Party]
    action: str  # completes "Only the vendor can …"


_S = InvoiceStatus
_PAY = Move(frozenset({Party.VENDOR, Party.OPERATOR}), "record a payment on this invoice")
_CANCEL = Move(frozenset({Party.VENDOR}), "cancel this invoice with a credit note")
_MOVES: dict[tuple[InvoiceStatus, InvoiceStatus], Move] = {
    (_S.ISSUED, _S.PAID): _PAY,
    (_S.OVERDUE, _S.PAID): _PAY,
    # A partial payment leaves the status as it is, but is a move all the same.
    (_S.ISSUED, _S.ISSUED): _PAY,
    (_S.OVERDUE, _S.OVERDUE): _PAY,
    (_S.ISSUED, _S.OVERDUE): Move(frozenset({Party.SYSTEM}), "mark this invoice overdue"),
    (_S.ISSUED, _S.CANCELLED): _CANCEL,
    (_S.OVERDUE, _S.CANCELLED): _CANCEL,
}
MOVES: Mapping[tuple[InvoiceStatus, InvoiceStatus], Move] = MappingProxyType(_MOVES)
# Invoices that still ask for money: they count in the buyer's exposure.
OPEN = frozenset({_S.ISSUED, _S.OVERDUE})

_WHY_NOT = {
    _S.ISSUED: "it is issued and not yet due",
    _S.OVERDUE: "it is already overdue",
    _S.PAID: "it is paid",
    _S.CANCELLED: "it was cancelled",
}


def check_transition(current: InvoiceStatus, target: InvoiceStatus, party: Party) -> None:
    """Raise `TransitionError` with the reason unless `party` may move an invoice from `current` to `target`."""
    move = _MOVES.get((current, target))
    if move is None:
        raise TransitionError(f"This invoice cannot become {target.value}: {_WHY_NOT[current]}.")
    if party not in move.parties:
        who = " or the ".join(sorted(p.value for p in move.parties))
        raise TransitionError(f"Only the {who} can {move.action}.")


def after_payment(current: InvoiceStatus, gross: int, paid_before: int, amount: int) -> InvoiceStatus:
    """The status once `amount` (minor units) is paid on an invoice of `gross` with `paid_before` already paid.

    A payment of nothing or less, or above what is still open, is refused (`TransitionError`, with the amounts in
    minor units: the caller words them for people)."""
    if current not in OPEN:
        raise TransitionError(f"No payment can be recorded on this invoice: {_WHY_NOT[current]}.")
    if amount <= 0:
        raise TransitionError("A payment is a positive amount.")
    if paid_before + amount > gross:
        raise TransitionError("This payment is more than the invoice's open amount.")
    return InvoiceStatus.PAID if paid_before + amount == gross else current


def is_overdue(status: InvoiceStatus, due_on: date, today: date) -> bool:
    """Derivable at any moment: an open invoice whose due date has passed (due today is not overdue yet)."""
    return status in OPEN and due_on < today
