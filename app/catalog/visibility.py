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
for the catalog queries (tests check that the two agree on the same data). On PostgreSQL the
search also judges a product by the vendors of its approved listings (`product_search.vendors`,
migration catalog_2026_11_23t15_00_00_000000): `vendor_rules_sql`, `vendors_visible_sql`,
`vendor_visible_sql` and `visible_product_row_sql` are the same rule over those summaries.
`is_vendor_visible` and `vendor_rules_of_sql` are the vendor rules alone (whom a buyer may invite to an RFQ, and
which vendors an open RFQ reaches), in Python and in SQL on both backends.
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


def visible_categories(categories: Iterable[tuple[int, str]], rules: Iterable[Rule]) -> set[int]:
    """The categories (id, path) that a segment with `rules` may browse: those the category rules of
    `is_visible` let through (no deny rule on it or above it; with allow rules, inside an allowed subtree),
    and the categories above them, which lead to them in the tree and show nothing else."""
    rules = [rule for rule in rules if rule.target is RuleTarget.CATEGORY]
    denied = {rule.target_id for rule in rules if rule.effect is RuleEffect.DENY}
    allowed = {rule.target_id for rule in rules if rule.effect is RuleEffect.ALLOW}
    ancestry = {category_id: category_ancestry(category_id, path) for category_id, path in categories}
    open_ = {
        category_id for category_id, above in ancestry.items()
        if not above & denied and (not allowed or above & allowed)
    }
    # Above an open category nothing is denied (a deny there would close it too).
    return {category_id for category in open_ for category_id in ancestry[category] if category_id in ancestry}


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


def is_vendor_visible(vendor_id: int, rules: Iterable[Rule]) -> bool:
    """The vendor rules of `is_visible` alone: whether a segment with `rules` lets its buyers see a vendor at all
    (no vendor deny rule names it and, when there are vendor allow rules, one does). Whether the vendor company is
    active is the caller's to check."""
    rules = [rule for rule in rules if rule.target is RuleTarget.VENDOR]
    if any(rule.effect is RuleEffect.DENY and rule.target_id == vendor_id for rule in rules):
        return False
    allows = [rule.target_id for rule in rules if rule.effect is RuleEffect.ALLOW]
    return not allows or vendor_id in allows


# --- the same predicate in SQL ------------------------------------------------------------------

# The rules are read by subqueries that do not depend on the offer row, so each is evaluated once
# per statement (PostgreSQL: an InitPlan or a hashed SubPlan; SQLite: a once-built list) instead
# of once per offer: a search over tens of thousands of offers pays for its rules only once.
_RULE_IDS = "SELECT r.target_id FROM segment_rule r WHERE r.segment = {} AND r.effect = {} AND r.target = {}"
# The categories a category rule matches: its own and every one below it (`path` lists the ancestors).
# `||` with an integer works on both backends; the own id is checked too in case a path omits it.
_RULE_CATEGORIES = (
    "SELECT rc.id FROM category rc JOIN segment_rule r"
    " ON (rc.id = r.target_id OR rc.path LIKE '%/' || r.target_id || '/%')"
    " WHERE r.segment = {} AND r.effect = {} AND r.target = {}"
)


def visible_offer_sql(
    segment_id: int | None, *, listing: str = "l", product: str = "p", category: str = "c", vendor: str = "v"
) -> tuple[str, list[object]]:
    """`is_visible` as a SQL condition with Piccolo `{}` placeholders, and its arguments.

    Expects the aliases: `listing` (listing), `product` (product), `category` (category, LEFT
    JOINed: it may be NULL) and `vendor` (the vendor company). Reads the rules from
    segment_rule in the same statement, so no rule is ever stale or loaded twice.
    """
    offer, offer_args = visible_listing_sql(segment_id, listing=listing, vendor=vendor)
    own, own_args = visible_product_sql(segment_id, product=product, category=category)
    return f"{offer} AND {own}", [*offer_args, *own_args]


def visible_listing_sql(segment_id: int | None, *, listing: str = "l", vendor: str = "v") -> tuple[str, list[object]]:
    """The part of `visible_offer_sql` about the listing and its vendor (`listing`, `vendor` aliases).

    Every part of the rule is about one side of an offer (its listing and vendor, or its product and
    category) and the parts combine with AND, so an offer is visible exactly when both halves hold:
    a search can judge the listings without the products and the products once each.
    """
    return _visible(
        segment_id, f"{listing}.status = {{}} AND {vendor}.status = {{}}",
        [ListingStatus.APPROVED.value, CompanyStatus.ACTIVE.value], {RuleTarget.VENDOR: f"{listing}.vendor"},
    )


def visible_product_sql(
    segment_id: int | None, *, product: str = "p", category: str = "c"
) -> tuple[str, list[object]]:
    """The part of `visible_offer_sql` about the product and its category (LEFT JOINed)."""
    return _visible(
        segment_id, f"{product}.status = {{}}", [ProductStatus.ACTIVE.value],
        # A product without a category has a NULL category id: it matches no category rule.
        {RuleTarget.PRODUCT: f"{product}.id", RuleTarget.CATEGORY: f"{category}.id"},
    )


def _visible(
    segment_id: int | None, listed: str, listed_args: list[object], subjects: dict[RuleTarget, str]
) -> tuple[str, list[object]]:
    args = list(listed_args)
    if segment_id is None:
        return listed, args

    def matched(effect: RuleEffect, target: RuleTarget) -> str:
        args.extend([segment_id, effect.value, target.value])
        rules = _RULE_CATEGORIES if target is RuleTarget.CATEGORY else _RULE_IDS
        return f"({subjects[target]} IS NOT NULL AND {subjects[target]} IN ({rules}))"

    def has_allow(target: RuleTarget) -> str:
        args.extend([segment_id, RuleEffect.ALLOW.value, target.value])
        return f"EXISTS ({_RULE_IDS})"

    parts = [listed]
    for kind in RuleTarget:
        if kind in subjects:
            parts.append(f"NOT {matched(RuleEffect.DENY, kind)}")
    for kind in RuleTarget:
        if kind in subjects:
            parts.append(f"(NOT {has_allow(kind)} OR {matched(RuleEffect.ALLOW, kind)})")
    return " AND ".join(parts), args


def vendor_rules_of_sql(segment: str, vendor: str) -> tuple[str, list[object]]:
    """`is_vendor_visible` as a SQL condition on both backends, for a segment that is a SQL expression rather
    than a value: the segment of each row's buyer, `(SELECT sm.segment FROM segment_member sm WHERE sm.company =
    rfq.buyer)`; NULL (a buyer without a segment) has no rules. `vendor` is the vendor id's SQL expression."""
    rule_ids = _RULE_IDS.format(segment, "{}", "{}")  # the segment inlined; effect and target stay placeholders
    deny, allow, kind = RuleEffect.DENY.value, RuleEffect.ALLOW.value, RuleTarget.VENDOR.value
    return (
        f"NOT ({vendor} IS NOT NULL AND {vendor} IN ({rule_ids}))"
        f" AND (NOT EXISTS ({rule_ids}) OR ({vendor} IS NOT NULL AND {vendor} IN ({rule_ids})))",
        [deny, kind, allow, kind, allow, kind],
    )


# --- the same predicate over product summaries (PostgreSQL search) -------------------------------
#
# The listing half of the rule depends on the listing only through its status and its vendor. A
# product's summary lists the vendors of its approved listings, so "the product has a visible offer"
# is "one of those vendors is visible", and the vendor half reduces to two arrays read once per
# statement: `denied` (vendors denied by a rule, and every company that is not active) and `allowed`
# (vendors allowed by a rule and not denied; it only counts when the segment has a vendor allow rule).


def vendor_rules_sql(segment_id: int | None) -> tuple[str, list[object]]:
    """A one-row query of the vendor half of the rule: `denied` and `allowed` (integer arrays) and
    `has_allow` (whether the segment has any vendor allow rule). Use it as a CTE named `vr`."""
    inactive = "SELECT co.id FROM company co WHERE co.status <> {}"
    if segment_id is None:
        return (
            f"SELECT ARRAY({inactive}) AS denied, ARRAY(SELECT 0 WHERE false) AS allowed, false AS has_allow",
            [CompanyStatus.ACTIVE.value],
        )
    vendor = (segment_id, RuleEffect.DENY.value, RuleTarget.VENDOR.value)
    allow = (segment_id, RuleEffect.ALLOW.value, RuleTarget.VENDOR.value)
    denied = f"{inactive} UNION {_RULE_IDS}"
    sql = (
        f"SELECT ARRAY({denied}) AS denied,"  # noqa: S608
        f" ARRAY(SELECT a.target_id FROM segment_rule a WHERE a.segment = {{}} AND a.effect = {{}} AND a.target = {{}}"
        f" AND a.target_id NOT IN ({denied})) AS allowed,"
        f" EXISTS ({_RULE_IDS}) AS has_allow"
    )
    active = CompanyStatus.ACTIVE.value
    return sql, [active, *vendor, *allow, active, *vendor, *allow]


def vendors_visible_sql(vendors: str, rules: str = "vr") -> str:
    """Whether at least one vendor of the integer array `vendors` is visible under the `rules` row."""
    return (
        f"(CASE WHEN {rules}.has_allow THEN {vendors} && {rules}.allowed"
        f" ELSE NOT ({vendors} <@ {rules}.denied) END)"
    )


def vendor_visible_sql(vendor: str, rules: str = "vr") -> str:
    """Whether the vendor id `vendor` is visible under the `rules` row."""
    return f"(NOT {vendor} = ANY({rules}.denied) AND (NOT {rules}.has_allow OR {vendor} = ANY({rules}.allowed)))"


def visible_product_row_sql(
    segment_id: int | None, *, active: str = "ps.active", product_id: str = "ps.product_id",
    category_id: str = "ps.category",
) -> tuple[str, list[object]]:
    """`visible_product_sql` over a product_search row's copies: its status (`active`), id and category."""
    return _visible(
        segment_id, active, [], {RuleTarget.PRODUCT: product_id, RuleTarget.CATEGORY: category_id},
    )
