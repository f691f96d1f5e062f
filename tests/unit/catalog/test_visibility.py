"""Who sees which offer: the segment rules over plain values, with properties."""

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.visibility import OfferFacts, Rule, category_ancestry, is_listed, is_vendor_visible, is_visible

ALLOW, DENY = RuleEffect.ALLOW, RuleEffect.DENY
CATEGORY, PRODUCT, VENDOR = RuleTarget.CATEGORY, RuleTarget.PRODUCT, RuleTarget.VENDOR


def offer(product=1, vendor=100, category=9, path="/1/4/9/", **kw):
    kw.setdefault("listing_status", "approved")
    kw.setdefault("product_status", "active")
    kw.setdefault("vendor_status", "active")
    return OfferFacts(product_id=product, vendor_id=vendor, category_id=category, category_path=path, **kw)


def test_without_rules_every_listed_offer_is_visible():
    assert is_visible(offer(), [])


def test_only_approved_listings_of_active_products_and_vendors_are_listed():
    assert is_listed(offer())
    for unlisted in (offer(listing_status="pending"), offer(listing_status="suspended"),
                     offer(product_status="merged"), offer(vendor_status="suspended")):
        assert not is_listed(unlisted)
        assert not is_visible(unlisted, [])


def test_a_category_rule_covers_the_whole_subtree():
    assert category_ancestry(9, "/1/4/9/") == {1, 4, 9}
    assert not is_visible(offer(), [Rule(DENY, CATEGORY, 4)])
    assert is_visible(offer(), [Rule(DENY, CATEGORY, 5)])
    assert is_visible(offer(), [Rule(ALLOW, CATEGORY, 1)])
    assert not is_visible(offer(category=5, path="/5/"), [Rule(ALLOW, CATEGORY, 1)])


def test_a_product_without_category_matches_no_category_rule():
    bare = offer(category=None, path="")
    assert is_visible(bare, [Rule(DENY, CATEGORY, 1)])
    assert not is_visible(bare, [Rule(ALLOW, CATEGORY, 1)])


def test_deny_wins_over_allow():
    assert not is_visible(offer(), [Rule(ALLOW, VENDOR, 100), Rule(DENY, PRODUCT, 1)])


def test_allow_rules_restrict_only_their_own_kind():
    rules = [Rule(ALLOW, VENDOR, 100)]
    assert is_visible(offer(vendor=100, product=7), rules)
    assert not is_visible(offer(vendor=200), rules)


def test_kinds_combine_with_and_rules_of_one_kind_with_or():
    rules = [Rule(ALLOW, VENDOR, 100), Rule(ALLOW, VENDOR, 200), Rule(ALLOW, CATEGORY, 4)]
    assert is_visible(offer(vendor=200), rules)
    assert not is_visible(offer(vendor=300), rules)
    assert not is_visible(offer(vendor=100, category=5, path="/5/"), rules)


def test_a_path_without_the_own_id_still_matches_the_category_itself():
    assert not is_visible(offer(category=9, path="/1/4/"), [Rule(DENY, CATEGORY, 9)])


rules_strategy = st.lists(
    st.builds(Rule, st.sampled_from(list(RuleEffect)), st.sampled_from(list(RuleTarget)), st.integers(1, 6)),
    max_size=6,
)
offers_strategy = st.builds(
    offer, product=st.integers(1, 6), vendor=st.integers(1, 6), category=st.integers(1, 6),
    path=st.sampled_from(["", "/1/", "/1/2/", "/3/4/5/"]),
)


@given(offers_strategy, rules_strategy)
def test_adding_a_deny_rule_never_reveals_anything(item, rules):
    for extra in (Rule(DENY, target, 1) for target in RuleTarget):
        assert is_visible(item, [*rules, extra]) <= is_visible(item, rules)


@given(offers_strategy, rules_strategy)
def test_only_deny_rules_hide_and_only_allow_rules_restrict(item, rules):
    denies = [rule for rule in rules if rule.effect is DENY]
    allows = [rule for rule in rules if rule.effect is ALLOW]
    # visible under all rules <=> visible under the denies alone and under the allows alone
    assert is_visible(item, rules) == (is_visible(item, denies) and is_visible(item, allows))


@given(offers_strategy, rules_strategy, st.sampled_from(list(RuleTarget)), st.integers(1, 6))
def test_a_second_allow_rule_of_a_kind_already_allowed_never_hides(item, rules, target, target_id):
    if any(rule.effect is ALLOW and rule.target is target for rule in rules):
        assert is_visible(item, [*rules, Rule(ALLOW, target, target_id)]) >= is_visible(item, rules)


@given(offers_strategy, rules_strategy)
def test_rule_order_does_not_matter(item, rules):
    assert is_visible(item, rules) == is_visible(item, list(reversed(rules)))


def test_a_vendor_is_hidden_by_a_vendor_deny_rule_or_by_vendor_allow_rules_that_name_others():
    assert is_vendor_visible(100, [])
    assert not is_vendor_visible(100, [Rule(DENY, VENDOR, 100)])
    assert is_vendor_visible(100, [Rule(DENY, VENDOR, 200)])
    assert not is_vendor_visible(100, [Rule(ALLOW, VENDOR, 200)])
    assert is_vendor_visible(100, [Rule(ALLOW, VENDOR, 200), Rule(ALLOW, VENDOR, 100)])
    assert not is_vendor_visible(100, [Rule(ALLOW, VENDOR, 100), Rule(DENY, VENDOR, 100)])
    # rules of the other kinds are about offers, not about the vendor
    assert is_vendor_visible(100, [Rule(DENY, CATEGORY, 100), Rule(ALLOW, PRODUCT, 5)])


@given(offers_strategy, rules_strategy)
def test_the_vendor_rules_alone_agree_with_the_offer_rule_on_vendor_rules(item, rules):
    # given only the rules about vendors, the offer rule decides exactly by its vendor
    vendor_rules = [rule for rule in rules if rule.target is VENDOR]
    assert is_vendor_visible(item.vendor_id, rules) == is_visible(item, vendor_rules)
    # and an offer visible under all the rules is always of a visible vendor
    assert is_visible(item, rules) <= is_vendor_visible(item.vendor_id, rules)
