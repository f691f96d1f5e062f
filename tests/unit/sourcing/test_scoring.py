"""Weighted scoring as pure rules: scores in [0, 1], the best price gets 1, weights that add up, a ranking that
scaling every price alike does not change, a neutral score for a vendor with no rating yet."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sourcing.scoring import (
    DEFAULT_WEIGHTS,
    NEUTRAL,
    Criterion,
    OfferFacts,
    Weights,
    WeightsError,
    best_per_line,
    check_weights,
    score,
)

D = Decimal
LINES = (11, 12, 13)
price = st.decimals(min_value=D("0.0001"), max_value=D("10000"), places=4)
rating = st.none() | st.decimals(min_value=D(1), max_value=D(5), places=2)


@st.composite
def weights(draw: st.DrawFn) -> Weights:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3)))
    parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]
    return Weights(*parts)


@st.composite
def offers(draw: st.DrawFn) -> list[OfferFacts]:
    count = draw(st.integers(1, 5))
    found = []
    for k in range(count):
        lines = draw(st.lists(st.sampled_from(LINES), min_size=1, max_size=3, unique=True))
        found.append(OfferFacts(
            offer_id=k + 1, vendor_id=100 + k, vendor_name=f"Vendor {k}", lead_time_days=draw(st.integers(0, 90)),
            payment_terms_days=draw(st.integers(0, 120)), rating=draw(rating),
            prices={line: draw(price) for line in lines}))
    return found


@given(offers(), weights())
def test_every_score_and_total_is_between_0_and_1(given_offers, given_weights):
    scoring = score(given_offers, given_weights)
    for scored in scoring.offers:
        assert 0 <= scored.total <= 1
        for line in scored.lines:
            assert 0 <= line.total <= 1
            assert all(0 <= line.scores.of(c) <= 1 for c in Criterion)


@given(offers(), weights())
def test_the_lowest_price_of_a_line_scores_1(given_offers, given_weights):
    scoring = score(given_offers, given_weights)
    for line_id in scoring.line_ids:
        lowest = min(o.prices[line_id] for o in given_offers if line_id in o.prices)
        for scored in scoring.offers:
            line = next((s for s in scored.lines if s.line_id == line_id), None)
            if line is None:
                continue
            if scored.offer.prices[line_id] == lowest:
                assert line.scores.price == 1
            else:  # dearer scores less, unless within the rounding of a score to four decimals
                assert line.scores.price < 1 or lowest / scored.offer.prices[line_id] >= D("0.99995")


@given(offers(), st.sampled_from(list(Criterion)))
def test_all_the_weight_on_one_criterion_makes_the_total_that_criterions_score(given_offers, criterion):
    all_on = Weights(**{c.value: (100 if c is criterion else 0) for c in Criterion})
    for scored in score(given_offers, all_on).offers:
        for line in scored.lines:
            assert line.total == line.scores.of(criterion)


@given(offers(), weights(), st.sampled_from([D("0.5"), D(2), D(10), D("1.0001")]))
def test_the_ranking_does_not_change_when_every_price_is_scaled_alike(given_offers, given_weights, factor):
    scaled = [OfferFacts(o.offer_id, o.vendor_id, o.vendor_name, o.lead_time_days, o.payment_terms_days, o.rating,
                         {line: p * factor for line, p in o.prices.items()}) for o in given_offers]
    before, after = score(given_offers, given_weights), score(scaled, given_weights)
    assert [s.offer.offer_id for s in before.offers] == [s.offer.offer_id for s in after.offers]
    assert [s.total for s in before.offers] == [s.total for s in after.offers]
    assert best_per_line(before) == best_per_line(after)


@given(offers(), weights())
def test_the_ranking_is_by_total_best_first(given_offers, given_weights):
    ranked = score(given_offers, given_weights).offers
    assert [s.rank for s in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.total >= b.total for a, b in itertools.pairwise(ranked))


def test_a_vendor_without_a_rating_gets_the_neutral_score_and_a_rating_is_scaled():
    facts = [OfferFacts(1, 1, "A", 5, 30, None, {11: D("1")}), OfferFacts(2, 2, "B", 10, 60, D(5), {11: D("2")}),
             OfferFacts(3, 3, "C", 0, 0, D(1), {11: D("4")})]
    scoring = score(facts, DEFAULT_WEIGHTS)
    lines = {s.offer.offer_id: s.lines[0].scores for s in scoring.offers}
    assert (lines[1].vendor_rating, lines[2].vendor_rating, lines[3].vendor_rating) == (NEUTRAL, 1, 0)
    assert (lines[1].price, lines[2].price, lines[3].price) == (1, D("0.5"), D("0.25"))
    assert (lines[3].lead_time, lines[1].lead_time) == (1, D("0.1667"))  # (1 + 0) / (1 + 5)
    assert (lines[2].payment_terms, lines[1].payment_terms, lines[3].payment_terms) == (1, D("0.5"), 0)
    # A: 0.6 * 1 + 0.2 * 0.1667 + 0.1 * 0.5 + 0.1 * 0.5 = 0.7333
    assert next(s for s in scoring.offers if s.offer.offer_id == 1).total == D("0.7333")


def test_a_line_left_out_counts_0_in_the_offers_overall_score():
    facts = [OfferFacts(1, 1, "A", 0, 0, None, {11: D("1"), 12: D("1")}),
             OfferFacts(2, 2, "B", 0, 0, None, {11: D("1")})]
    scoring = score(facts, Weights(100, 0, 0, 0))
    assert [(s.offer.offer_id, s.total) for s in scoring.offers] == [(1, D(1)), (2, D("0.5"))]
    assert best_per_line(scoring) == {11: 1, 12: 1}


def test_weights_must_be_whole_percentages_adding_up_to_100():
    assert check_weights(60, 20, 10, 10) == DEFAULT_WEIGHTS
    with pytest.raises(WeightsError) as caught:
        check_weights(60, 20, 10, 20)
    assert "add up to 110" in caught.value.fields["form"]
    with pytest.raises(WeightsError) as caught:
        check_weights(-5, 105, 0, 0)
    assert set(caught.value.fields) == {"price", "lead_time"}
