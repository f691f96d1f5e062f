"""Weighted scores as a service: the buyer's weights per RFQ (set by its awarders), and each offer's normalized
scores, weighted totals and ranking after the close, in the RFQ's currency (app/sourcing/scoring.py is the rule)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app import db
from app.auth import Principal
from app.contracts import ratings
from app.errors import FieldErrors, Forbidden
from app.offers import services as offers
from app.offers.comparison import Comparison
from app.offers.schemas import NotComparedOut
from app.rfq.access import RfqHead, buyer_actor, rfq_for_buyer
from app.rfq.states import Actor
from app.sourcing import scoring
from app.sourcing.access import scenario_rfq
from app.sourcing.score_schemas import (
    BestLineOut,
    CriterionScoresOut,
    LineScoreOut,
    OfferScoreOut,
    ScoresOut,
    WeightsIn,
    WeightsOut,
)
from app.sourcing.tables import ScoringWeights


async def vendor_ratings(vendor_ids: Sequence[int], buyer_id: int) -> dict[int, Decimal]:
    """Each vendor's average rating by buyers (1 to 5), as the RFQ's buyer company may see it: its own ratings, and
    other buyers' only where at least two other companies rated (app/contracts/ratings.py). A vendor nobody rated
    is absent, scored neutral and shown "no rating yet"."""
    found = await ratings.vendor_ratings(vendor_ids, viewer_buyer_id=buyer_id)
    return {vendor_id: rating.average for vendor_id, rating in found.items()}


def rating_label(rating: Decimal | None) -> str:
    return scoring.NO_RATING if rating is None else f"{rating.quantize(Decimal('0.1'))} of 5"


async def weights_of(rfq_id: int) -> tuple[scoring.Weights, bool]:
    """The RFQ's weights, and whether they are the default (none set)."""
    row = await ScoringWeights.select().where(ScoringWeights.rfq == rfq_id).first()
    if row is None:
        return scoring.DEFAULT_WEIGHTS, True
    return scoring.Weights(row["price"], row["lead_time"], row["vendor_rating"], row["payment_terms"]), False


def _weights_out(rfq_id: int, weights: scoring.Weights, is_default: bool) -> WeightsOut:
    return WeightsOut(rfq_id=rfq_id, is_default=is_default, **weights.as_dict())


async def set_weights(principal: Principal, rfq_id: int, data: WeightsIn) -> WeightsOut:
    """Set the RFQ's scoring weights (a buyer_admin or an approver of its company), at any time: they only change how
    the offers are scored and ranked, never what was offered."""
    head = await rfq_for_buyer(principal, rfq_id)
    if buyer_actor(principal, head) is not Actor.AWARDER:
        raise Forbidden("Only a buyer_admin or an approver of the RFQ's company can set its scoring weights.")
    try:
        weights = scoring.check_weights(data.price, data.lead_time, data.vendor_rating, data.payment_terms)
    except scoring.WeightsError as exc:
        raise FieldErrors(str(exc), exc.fields) from None
    values = weights.as_dict()
    async with db.transaction():
        now = await db.db_now()
        changed = await ScoringWeights.update({**{getattr(ScoringWeights, k): v for k, v in values.items()},
                                               ScoringWeights.updated_by: principal.user_id,
                                               ScoringWeights.updated_at: now}).where(
            ScoringWeights.rfq == rfq_id).returning(ScoringWeights.id)
        if not changed:
            await ScoringWeights(rfq=rfq_id, updated_by=principal.user_id, updated_at=now, **values).save()
    return _weights_out(rfq_id, weights, False)


def facts_of(matrix: Comparison, ratings: dict[int, Decimal]) -> list[scoring.OfferFacts]:
    """The comparison's offers (prices already in the RFQ's currency) as scoring reads them."""
    return [
        scoring.OfferFacts(
            offer_id=v.offer_id, vendor_id=v.vendor_id, vendor_name=v.vendor_name, lead_time_days=v.lead_time_days,
            payment_terms_days=v.payment_terms_days, rating=ratings.get(v.vendor_id),
            prices={row.line.rfq_line_id: cell.unit_price for row in matrix.rows
                    if (cell := row.cells[index]) is not None},
        )
        for index, v in enumerate(matrix.vendors)
    ]


async def scoring_of(principal: Principal, rfq_id: int) -> tuple[RfqHead, Comparison, scoring.Scoring, bool]:
    """The comparison and its scoring under the RFQ's weights (404 as a missing RFQ for vendors, other companies,
    and before the close)."""
    head = await scenario_rfq(principal, rfq_id)
    matrix = await offers.comparison_for_buyer(principal, rfq_id)
    weights, is_default = await weights_of(rfq_id)
    rated = await vendor_ratings([v.vendor_id for v in matrix.vendors], head.buyer_id)
    return head, matrix, scoring.score(facts_of(matrix, rated), weights), is_default


def _scores_out(s: scoring.Scores) -> CriterionScoresOut:
    return CriterionScoresOut(s.price, s.lead_time, s.vendor_rating, s.payment_terms)


def _average(lines: Sequence[scoring.LineScore]) -> CriterionScoresOut:
    if not lines:
        return CriterionScoresOut(Decimal(0), Decimal(0), Decimal(0), Decimal(0))
    mean = [(sum((line.scores.of(c) for line in lines), Decimal(0)) / len(lines)).quantize(scoring.SCORE_PLACES)
            for c in scoring.Criterion]
    return CriterionScoresOut(*mean)


async def scores(principal: Principal, rfq_id: int) -> ScoresOut:
    """Each offer's per-line normalized scores per criterion, its weighted totals, and the ranking."""
    head, matrix, scored, is_default = await scoring_of(principal, rfq_id)
    column = {v.offer_id: v for v in matrix.vendors}
    position = {row.line.rfq_line_id: row.line.position for row in matrix.rows}
    names = {v.offer_id: v.vendor_name for v in matrix.vendors}
    ranked = [
        OfferScoreOut(
            rank=s.rank, offer_id=s.offer.offer_id, vendor_id=s.offer.vendor_id, vendor_name=s.offer.vendor_name,
            currency=column[s.offer.offer_id].currency or head.currency, rate=column[s.offer.offer_id].rate_label,
            lead_time_days=s.offer.lead_time_days, payment_terms_days=s.offer.payment_terms_days,
            vendor_rating=s.offer.rating, rating_label=rating_label(s.offer.rating), lines_offered=len(s.lines),
            average=_average(s.lines), total=s.total,
            lines=[LineScoreOut(line.line_id, position[line.line_id], s.offer.prices[line.line_id],
                                _scores_out(line.scores), line.total) for line in s.lines],
        )
        for s in scored.offers
    ]
    best = [
        BestLineOut(line_id, position[line_id], offer_id, names[offer_id],
                    getattr(scored.line_score(line_id, offer_id), "total", Decimal(0)))
        for line_id, offer_id in sorted(scoring.best_per_line(scored).items(), key=lambda item: position[item[0]])
    ]
    return ScoresOut(
        rfq_id=rfq_id, currency=head.currency, weights=_weights_out(rfq_id, scored.weights, is_default),
        offers=ranked, best_per_line=best, rates=sorted({v.rate_label for v in matrix.vendors if v.rate_label}),
        not_compared=[NotComparedOut(n.offer_id, n.vendor_id, n.vendor_name, n.currency, n.reason)
                      for n in matrix.not_compared],
    )
