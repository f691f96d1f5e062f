"""Weighted offer scoring as pure rules: each offer's per-line scores per criterion normalized to [0, 1], the
buyer's weights applied, and the offers ranked. Plain values in (prices already in the RFQ's currency), no I/O.

Normalization, per criterion (1 is best, 0 worst):
- price, per line: the line's lowest unit price / this offer's (the cheapest gets 1; scaling every price alike
  changes nothing);
- lead time, per offer: (1 + the shortest lead time) / (1 + this offer's), so 0 days is best without dividing by 0;
- payment terms, per offer: this offer's days / the longest offered (the buyer pays later: better); all 0 → 1;
- vendor rating (1 to 5, the average of buyers' ratings): (rating - 1) / 4; a vendor with no rating yet gets the
  neutral 0.5, said as such, never a made-up rating.
An offer's line total is the weighted mean of its four scores; its overall score is the mean of its line totals over
every line anybody offered, a line it left out counting 0 (covering more lines scores more).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

SCORE_PLACES = Decimal("0.0001")
NEUTRAL = Decimal("0.5")
RATING_MIN, RATING_MAX = Decimal(1), Decimal(5)
TOTAL_WEIGHT = 100
NO_RATING = "no rating yet"


class Criterion(StrEnum):
    PRICE = "price"
    LEAD_TIME = "lead_time"
    VENDOR_RATING = "vendor_rating"
    PAYMENT_TERMS = "payment_terms"


CRITERION_LABELS = {
    Criterion.PRICE: "Price", Criterion.LEAD_TIME: "Lead time", Criterion.VENDOR_RATING: "Vendor rating",
    Criterion.PAYMENT_TERMS: "Payment terms",
}


class WeightsError(ValueError):
    """Weights that cannot be used: `fields` says which, in the buyer's words."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Weights:
    """Whole percentages, one per criterion, adding up to 100."""

    price: int
    lead_time: int
    vendor_rating: int
    payment_terms: int

    def of(self, criterion: Criterion) -> int:
        return int(getattr(self, criterion.value))

    def as_dict(self) -> dict[str, int]:
        return {c.value: self.of(c) for c in Criterion}


DEFAULT_WEIGHTS = Weights(price=60, lead_time=20, vendor_rating=10, payment_terms=10)


def check_weights(price: int, lead_time: int, vendor_rating: int, payment_terms: int) -> Weights:
    """Each weight a whole number from 0 to 100, together 100."""
    given = {Criterion.PRICE: price, Criterion.LEAD_TIME: lead_time, Criterion.VENDOR_RATING: vendor_rating,
             Criterion.PAYMENT_TERMS: payment_terms}
    fields = {c.value: f"{CRITERION_LABELS[c]}: the weight is a whole percentage from 0 to 100, not {value}."
              for c, value in given.items() if not 0 <= value <= TOTAL_WEIGHT}
    if not fields and sum(given.values()) != TOTAL_WEIGHT:
        fields["form"] = (f"The weights add up to {sum(given.values())} %: make them add up to {TOTAL_WEIGHT} % "
                          "(for example price 60, lead time 20, vendor rating 10, payment terms 10).")
    if fields:
        raise WeightsError(fields)
    return Weights(price, lead_time, vendor_rating, payment_terms)


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """One offer as scoring reads it."""

    offer_id: int
    vendor_id: int
    vendor_name: str
    lead_time_days: int
    payment_terms_days: int
    rating: Decimal | None  # the vendor's average rating, 1 to 5; None when it has none yet
    prices: Mapping[int, Decimal]  # RFQ line id → unit price in the RFQ's currency (lines left out are absent)


@dataclass(frozen=True, slots=True)
class Scores:
    price: Decimal
    lead_time: Decimal
    vendor_rating: Decimal
    payment_terms: Decimal

    def of(self, criterion: Criterion) -> Decimal:
        return Decimal(getattr(self, criterion.value))


@dataclass(frozen=True, slots=True)
class LineScore:
    line_id: int
    scores: Scores
    total: Decimal  # the weighted mean of `scores`


@dataclass(frozen=True, slots=True)
class OfferScore:
    offer: OfferFacts
    lines: tuple[LineScore, ...]
    total: Decimal  # the mean of the line totals over every offered line, 0 where this offer left one out
    rank: int  # 1 is best

    @property
    def rated(self) -> bool:
        return self.offer.rating is not None


@dataclass(frozen=True, slots=True)
class Scoring:
    weights: Weights
    offers: tuple[OfferScore, ...]  # best first
    line_ids: tuple[int, ...]  # every line some offer priced

    def line_score(self, line_id: int, offer_id: int) -> LineScore | None:
        for scored in self.offers:
            if scored.offer.offer_id == offer_id:
                return next((s for s in scored.lines if s.line_id == line_id), None)
        return None


def _q(value: Decimal) -> Decimal:
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_EVEN)


def rating_score(rating: Decimal | None) -> Decimal:
    if rating is None:
        return NEUTRAL
    bounded = min(max(rating, RATING_MIN), RATING_MAX)
    return _q((bounded - RATING_MIN) / (RATING_MAX - RATING_MIN))


def lead_time_score(days: int, shortest: int) -> Decimal:
    return _q(Decimal(1 + shortest) / Decimal(1 + days))


def payment_terms_score(days: int, longest: int) -> Decimal:
    return Decimal(1) if longest <= 0 else _q(Decimal(days) / Decimal(longest))


def price_score(price: Decimal, lowest: Decimal) -> Decimal:
    return _q(lowest / price)


def weighted(scores: Scores, weights: Weights) -> Decimal:
    return _q(sum((scores.of(c) * weights.of(c) for c in Criterion), Decimal(0)) / TOTAL_WEIGHT)


def score(offers: Sequence[OfferFacts], weights: Weights) -> Scoring:
    """Every offer's scores per line and criterion, its weighted totals, and the ranking (best total first; ties by
    lower total price, then vendor name, then offer id)."""
    lowest: dict[int, Decimal] = {}
    for offer in offers:
        for line_id, price in offer.prices.items():
            if price > 0 and (line_id not in lowest or price < lowest[line_id]):
                lowest[line_id] = price
    line_ids = tuple(sorted(lowest))
    shortest = min((o.lead_time_days for o in offers), default=0)
    longest = max((o.payment_terms_days for o in offers), default=0)
    scored = []
    for offer in offers:
        per_offer = (lead_time_score(offer.lead_time_days, shortest), rating_score(offer.rating),
                     payment_terms_score(offer.payment_terms_days, longest))
        lines = []
        for line_id in line_ids:
            price = offer.prices.get(line_id)
            if price is None or price <= 0:
                continue
            scores = Scores(price_score(price, lowest[line_id]), *per_offer)
            lines.append(LineScore(line_id, scores, weighted(scores, weights)))
        total = _q(sum((s.total for s in lines), Decimal(0)) / len(line_ids)) if line_ids else Decimal(0)
        scored.append((offer, tuple(lines), total))
    scored.sort(key=lambda item: (-item[2], sum(item[0].prices.values(), Decimal(0)), item[0].vendor_name,
                                  item[0].offer_id))
    return Scoring(weights, tuple(OfferScore(offer, lines, total, rank)
                                  for rank, (offer, lines, total) in enumerate(scored, start=1)), line_ids)


def best_per_line(scoring: Scoring) -> dict[int, int]:
    """For each line, the offer whose weighted line total is highest (ties: the cheaper, then the lower offer id)."""
    best: dict[int, tuple[Decimal, Decimal, int]] = {}
    for scored in scoring.offers:
        for line in scored.lines:
            key = (-line.total, scored.offer.prices[line.line_id], scored.offer.offer_id)
            if line.line_id not in best or key < best[line.line_id]:
                best[line.line_id] = key
    return {line_id: key[2] for line_id, key in best.items()}
