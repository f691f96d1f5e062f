"""Savings analytics in and out of the API: msgspec Structs, apart from the facts and from the arithmetic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

import msgspec


class GroupBy(StrEnum):
    CATEGORY = "category"
    VENDOR = "vendor"
    MONTH = "month"
    COST_CENTER = "cost_center"


class SavingsComparisonOut(msgspec.Struct):
    """A baseline against what was awarded on the lines that have it; savings are positive below the baseline."""

    baseline_value: Decimal
    awarded_value: Decimal
    savings: Decimal
    percent: Decimal | None
    lines: int


class SavingsGroupOut(msgspec.Struct):
    """One group (a category, a vendor, a month, or the total) in one currency: amounts in other currencies are
    other groups, never added to these."""

    key: str
    label: str
    currency: str
    lines: int
    awarded_value: Decimal
    consumed_value: Decimal
    consumed_percent: Decimal | None = None
    against_target: SavingsComparisonOut | None = None
    against_last_contract: SavingsComparisonOut | None = None
    against_median_first_offer: SavingsComparisonOut | None = None
    negotiation_gain: SavingsComparisonOut | None = None


class ConsumedOut(msgspec.Struct):
    """Contract value consumed by orders charged to one cost center (key "none": orders charged to none)."""

    key: str
    label: str
    currency: str
    consumed_value: Decimal


class SavingsOut(msgspec.Struct):
    """With group_by=cost_center the groups are the RFQs' cost centers ("No cost center" for RFQs without one), and
    `consumed_by_order_cost_center` says which cost centers' orders consumed the contracts (empty otherwise)."""

    group_by: GroupBy
    start: date | None = msgspec.field(name="from")
    end: date | None = msgspec.field(name="to")
    groups: list[SavingsGroupOut] = msgspec.field(default_factory=list)
    totals: list[SavingsGroupOut] = msgspec.field(default_factory=list)
    consumed_by_order_cost_center: list[ConsumedOut] = msgspec.field(default_factory=list)


class LineSpreadOut(msgspec.Struct):
    """One RFQ line's offers (each live offer's latest revision), its target and what was awarded."""

    rfq_line_id: int
    position: int
    description: str
    quantity: int
    offers: int
    lowest: Decimal | None
    median: Decimal | None
    highest: Decimal | None
    spread_percent: Decimal | None
    target_price: Decimal | None
    awarded_price: Decimal | None


class RfqSavingsOut(msgspec.Struct):
    """One closed or awarded RFQ: its savings per vendor awarded and in total, and the offer spread per line."""

    rfq_id: int
    currency: str
    vendors: list[SavingsGroupOut]
    totals: list[SavingsGroupOut]
    lines: list[LineSpreadOut]


class MarketplaceActivityOut(msgspec.Struct):
    """What happened on the marketplace in the period: RFQs published and awarded, invitations and how many were
    answered with an offer, the vendors that offered and the buyer companies that published."""

    rfqs_published: int
    rfqs_awarded: int
    invitations: int
    invitations_answered: int
    response_percent: Decimal | None
    active_vendors: int
    active_buyers: int


class MarketplaceOut(msgspec.Struct):
    """The marketplace's figures for operators: activity, and volume and savings summed over every buyer (never one
    buyer's on their own), per currency."""

    start: date | None = msgspec.field(name="from")
    end: date | None = msgspec.field(name="to")
    activity: MarketplaceActivityOut | None = None
    totals: list[SavingsGroupOut] = msgspec.field(default_factory=list)
    by_month: list[SavingsGroupOut] = msgspec.field(default_factory=list)
    by_category: list[SavingsGroupOut] = msgspec.field(default_factory=list)
