"""The statuses a purchase order and an order group are stored with, and which of them still hold money: the one home
of their names.

It sits below every area because the areas that sit below ordering read orders in their own SQL: spending's budgets
(app/spending/store.py) and billing's credit exposure (app/billing/credit.py) sum purchase orders by status. The moves
between statuses, and who may make them, stay with ordering (app/orders/states.py), which re-exports these names.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class OrderStatus(StrEnum):
    """The status of one vendor's purchase order."""

    PENDING_APPROVAL = "pending_approval"
    PLACED = "placed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLATION_REQUESTED = "cancellation_requested"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        """The status as a sentence says it: "partially shipped"."""
        return self.value.replace("_", " ")


class GroupStatus(StrEnum):
    """The status of an order group (one checkout), summarizing its vendor orders: see `states.group_status`."""

    PENDING_APPROVAL = "pending_approval"
    PLACED = "placed"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


# Where an order no longer holds what it took at checkout: its contract quantity and reserved stock come back, and
# it counts in no budget and no credit exposure (it will never be delivered or invoiced).
RELEASED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})
# An order that holds its amount of a budget as reserved rather than spent: it still waits for its approvals.
AWAITING_APPROVAL = frozenset({OrderStatus.PENDING_APPROVAL})


def sql_list(statuses: Iterable[OrderStatus]) -> str:
    """The statuses as a SQL list of constants for `status IN (…)`, in a stable order: 'cancelled', 'rejected'."""
    return ", ".join(f"'{status.value}'" for status in sorted(statuses))
