"""The categories a segment may browse: the category rules of `is_visible`, over the tree."""

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.visibility import OfferFacts, Rule, is_visible, visible_categories

# 1 Medical > 2 Gloves > 3 Nitrile; 1 > 4 Masks; 5 Office > 6 Pens
TREE = [(1, "/1/"), (2, "/1/2/"), (3, "/1/2/3/"), (4, "/1/4/"), (5, "/5/"), (6, "/5/6/")]


def deny(category_id: int) -> Rule:
    return Rule(RuleEffect.DENY, RuleTarget.CATEGORY, category_id)


def allow(category_id: int) -> Rule:
    return Rule(RuleEffect.ALLOW, RuleTarget.CATEGORY, category_id)


def test_without_category_rules_every_category_is_shown():
    assert visible_categories(TREE, []) == {1, 2, 3, 4, 5, 6}
    assert visible_categories(TREE, [Rule(RuleEffect.DENY, RuleTarget.VENDOR, 1)]) == {1, 2, 3, 4, 5, 6}


def test_a_deny_hides_the_category_and_its_subtree():
    assert visible_categories(TREE, [deny(2)]) == {1, 4, 5, 6}
    assert visible_categories(TREE, [deny(1)]) == {5, 6}


def test_an_allow_shows_its_subtree_and_the_categories_leading_to_it():
    assert visible_categories(TREE, [allow(2)]) == {1, 2, 3}
    assert visible_categories(TREE, [allow(2), allow(6)]) == {1, 2, 3, 5, 6}


def test_a_deny_wins_over_an_allow():
    assert visible_categories(TREE, [allow(2), deny(3)]) == {1, 2}
    assert visible_categories(TREE, [allow(3), deny(1)]) == set()


rules = st.lists(st.builds(Rule, st.sampled_from(list(RuleEffect)), st.just(RuleTarget.CATEGORY),
                           st.integers(1, 6)), max_size=4)


@given(rules)
def test_a_category_is_shown_when_an_offer_in_it_or_below_it_could_be_visible(segment_rules):
    shown = visible_categories(TREE, segment_rules)
    paths = dict(TREE)
    for category_id, path in TREE:
        below = [other for other, other_path in TREE if other_path.startswith(path)]
        offer_visible = any(
            is_visible(OfferFacts("approved", "active", "active", 1, 1, other, paths[other]), segment_rules)
            for other in below
        )
        assert (category_id in shown) == offer_visible, (category_id, segment_rules)
