"""What the vendor scorecard API returns. Percentages and averages travel as decimal strings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import msgspec


class ScorecardScope(StrEnum):
    ALL_BUYERS = "all_buyers"  # every buyer company's history with the vendor
    YOUR_COMPANY = "your_company"  # the viewing buyer's own history with it


class ScorecardAmountOut(msgspec.Struct):
    currency: str
    amount: Decimal


class ScorecardFiguresOut(msgspec.Struct):
    """A scorecard's figures over one scope; a figure withheld (or without data) is null, `withheld` says which
    and why."""

    scope: ScorecardScope
    label: str
    rfqs_invited: int | None
    rfqs_answered: int | None  # invitations answered with an offer
    rfqs_won: int | None  # RFQs with at least one line awarded to the vendor
    response_rate: Decimal | None  # % of invitations answered
    win_rate: Decimal | None  # % of answered invitations won
    hours_to_answer: Decimal | None  # mean hours from invitation (or publication) to the first offer
    price_gap_median: Decimal | None  # median % above the best offer, over lines with two or more offers
    price_gap_lines: int | None
    negotiation_median: Decimal | None  # median % change first revision -> final, over offers revised
    negotiated_offers: int | None
    contracts: int | None
    contracts_active: int | None
    awarded_value: list[ScorecardAmountOut] | None  # per currency
    orders: int | None
    confirmed_on_time: Decimal | None  # % of purchase orders confirmed within 48 hours
    shipped_on_time: Decimal | None  # % of orders wholly shipped by the ship date the vendor promised
    orders_rejected: int | None
    rating_average: Decimal | None  # 1-5, two decimals
    rating_count: int | None
    withheld: list[str]  # the figures left out, in words
    withheld_reason: str | None


class ScorecardOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    country: str
    as_of: datetime
    scopes: list[ScorecardFiguresOut]
