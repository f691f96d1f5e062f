"""Weighted scores in and out of the API: the buyer's weights, each offer's normalized scores and the ranking."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from app.offers.schemas import NotComparedOut

# Wide bounds only so that no number can overflow: the rule (0 to 100, together 100) says what to fix in words.
Weight = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000, description="A whole percentage, 0 to 100")]


class WeightsIn(msgspec.Struct, forbid_unknown_fields=True):
    """Whole percentages per criterion, adding up to 100."""

    price: Weight
    lead_time: Weight
    vendor_rating: Weight
    payment_terms: Weight


class WeightsOut(msgspec.Struct):
    rfq_id: int
    price: int
    lead_time: int
    vendor_rating: int
    payment_terms: int
    is_default: bool  # no weights were set for this RFQ: the default ones


class CriterionScoresOut(msgspec.Struct):
    """Normalized to [0, 1], 1 best."""

    price: Decimal
    lead_time: Decimal
    vendor_rating: Decimal
    payment_terms: Decimal


class LineScoreOut(msgspec.Struct):
    rfq_line_id: int
    position: int
    unit_price: Decimal  # in the RFQ's currency
    scores: CriterionScoresOut
    total: Decimal  # the weighted mean of `scores`


class OfferScoreOut(msgspec.Struct):
    rank: int  # 1 is best under these weights
    offer_id: int
    vendor_id: int
    vendor_name: str
    currency: str  # the offer's own
    rate: str | None  # the exchange rate its prices were converted at; null in the RFQ's currency
    lead_time_days: int
    payment_terms_days: int
    vendor_rating: Decimal | None  # the average of buyers' ratings, 1 to 5; null when it has none yet
    rating_label: str  # "4.5 of 5 (3 ratings)"-like, or "no rating yet" (scored neutral, 0.5)
    lines_offered: int
    average: CriterionScoresOut  # each criterion's mean over the lines it offered
    total: Decimal  # the mean of its line totals over every offered line, 0 for a line it left out
    lines: list[LineScoreOut]


class BestLineOut(msgspec.Struct):
    rfq_line_id: int
    position: int
    offer_id: int
    vendor_name: str
    total: Decimal


class ScoresOut(msgspec.Struct):
    rfq_id: int
    currency: str
    weights: WeightsOut
    offers: list[OfferScoreOut]  # ranked, best first
    best_per_line: list[BestLineOut]
    rates: list[str]  # every exchange rate used, "1 USD = 0.9213 EUR, 2026-11-30"
    not_compared: list[NotComparedOut]  # offers in a currency without a rate: not scored
