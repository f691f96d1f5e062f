"""Who may see which offer of the catalog: the one visibility rule, in Python and in SQL.

An offer is one vendor's listing of a curated product. It is *listed* when the listing is
approved, its product is active (not merged away) and its vendor company is active.

A buyer company belongs to at most one segment (`SegmentMember`); a segment has rules
(`SegmentRule`: effect allow|deny, target category|product|vendor, target_id). For a buyer
of segment S, a listed offer is *visible* exactly when:

1. no deny rule of S matches it, and
2. for each target kind (category, product, vendor) for which S has at least one allow
   rule, at least one allow rule of that kind matches it.

A product rule matches the offer's product; a vendor rule its vendor; a category rule its
product's category or any category below it (the product's `Category.path`, "/1/4/9/", lists
the ancestors; a product without a category matches no category rule). So deny always wins
over allow, kinds combine with AND (allow vendor A + allow category Medical = only A's
medical offers), and rules of one kind combine with OR. A buyer without a segment, or of a
segment without rules, sees every listed offer.

A product is visible when at least one of its offers is; it shows only its visible offers.
Anything else does not exist for that buyer: not in search, counts, facets or by id.

`is_visible` is the rule over plain values; `visible_offer_sql` is the same predicate as SQL
for the catalog queries (tests check that the two agree on the same data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.accounts.roles import CompanyStatus
from app.catalog.states import ListingStatus, ProductStatus, RuleEffect, RuleTarget


@dataclass(frozen=True, slots=True)
class Rule:
    effect: RuleEffect
    target: RuleTarget
    target_id: int


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """What the rule needs to know about one offer."""

    listing_status: str
    product_status: str
    vendor_status: str
    product_id: int
    vendor_id: int
    category_id: int | None = None
    category_path: str = ""


def category_ancestry(category_id: int | None, path: str) -> frozenset[int]:
    """The category and every category above it, from its path "/1/4/9/"."""
    ids = {int(part) for part in (path or "").split("/") if part.strip().isdigit()}
    if category_id is not None:
        ids.add(category_id)
    return frozenset(ids)


def is_listed(offer: OfferFacts) -> bool:
    return (
        offer.listing_status == ListingStatus.APPROVED
        and offer.product_status == ProductStatus.ACTIVE
        and offer.vendor_status == CompanyStatus.ACTIVE
    )


def _matches(rule: Rule, offer: OfferFacts, categories: frozenset[int]) -> bool:
    if rule.target is RuleTarget.PRODUCT:
        return rule.target_id == offer.product_id
    if rule.target is RuleTarget.VENDOR:
        return rule.target_id == offer.vendor_id
    return rule.target_id in categories


def is_visible(offer: OfferFacts, rules: Iterable[Rule]) -> bool:
    """Whether a buyer whose segment has `rules` (none without a segment) may see `offer`."""
    if not is_listed(offer):
        return False
    rules = list(rules)
    categories = category_ancestry(offer.category_id, offer.category_path)
    if any(rule.effect is RuleEffect.DENY and _matches(rule, offer, categories) for rule in rules):
        return False
    for kind in RuleTarget:
        allows = [rule for rule in rules if rule.effect is RuleEffect.ALLOW and rule.target is kind]
        if allows and not any(_matches(rule, offer, categories) for rule in allows):
            return False
    return True


# --- the same predicate in SQL ------------------------------------------------------------------

_MATCH = {
    RuleTarget.PRODUCT: "r.target_id = {product}.id",
    RuleTarget.VENDOR: "r.target_id = {listing}.vendor",
    # `||` with an integer works on both backends; the own id is checked too in case a path omits it.
    RuleTarget.CATEGORY: "({category}.id = r.target_id OR {category}.path LIKE '%/' || r.target_id || '/%')",
}


def visible_offer_sql(
    segment_id: int | None, *, listing: str = "l", product: str = "p", category: str = "c", vendor: str = "v"
) -> tuple[str, list[object]]:
    """`is_visible` as a SQL condition with Piccolo `{}` placeholders, and its arguments.

    Expects the aliases: `listing` (listing), `product` (product), `category` (category, LEFT
    JOINed: it may be NULL) and `vendor` (the vendor company). Reads the rules from
    segment_rule in the same statement, so no rule is ever stale or loaded twice.
    """
    names = {"listing": listing, "product": product, "category": category}
    listed = (
        f"{listing}.status = {{}} AND {product}.status = {{}} AND {vendor}.status = {{}}"
    )
    args: list[object] = [ListingStatus.APPROVED.value, ProductStatus.ACTIVE.value, CompanyStatus.ACTIVE.value]
    if segment_id is None:
        return listed, args

    def rules(effect: RuleEffect, target: RuleTarget, match: bool) -> str:
        args.extend([segment_id, effect.value, target.value])
        condition = f" AND {_MATCH[target].format(**names)}" if match else ""
        return (
            "EXISTS (SELECT 1 FROM segment_rule r WHERE r.segment = {} AND r.effect = {} AND r.target = {}"  # noqa: S608
            f"{condition})"
        )

    parts = [listed]
    for kind in RuleTarget:
        parts.append(f"NOT {rules(RuleEffect.DENY, kind, True)}")
    for kind in RuleTarget:
        parts.append(f"(NOT {rules(RuleEffect.ALLOW, kind, False)} OR {rules(RuleEffect.ALLOW, kind, True)})")
    return " AND ".join(parts), args
