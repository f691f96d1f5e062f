"""Curation with its queries: the listing queue, matching, merging, featuring, the audit log,
categories, segments and price lists. Every change and its audit entry commit together."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.states import (
    ListingStatus,
    ListingTransitionError,
    ProductStatus,
    RuleEffect,
    RuleTarget,
    check_listing_transition,
)
from app.catalog.tables import (
    Category,
    CurationEvent,
    Listing,
    PriceList,
    PriceListEntry,
    Product,
    Segment,
    SegmentMember,
    SegmentRule,
)
from app.catalog.visibility import Rule, visible_categories
from app.clock import utcnow
from app.curation import matching, rules
from app.curation.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryTreeNode,
    CompanySegmentOut,
    EntriesIn,
    EntryIn,
    EntryOut,
    EventOut,
    EventPage,
    ListingDetail,
    ListingPage,
    ListingSummary,
    MemberOut,
    MergeOut,
    PriceListIn,
    PriceListOut,
    PriceListSummary,
    ProductOut,
    RuleIn,
    RuleOut,
    SegmentIn,
    SegmentOut,
    SuggestionOut,
    SuspendOut,
)
from app.errors import Conflict, InvalidInput, NotFound
from app.money import from_minor, to_minor

PER_PAGE = 25
EVENTS_PER_PAGE = 50
SUGGESTIONS = 5
CANDIDATE_LIMIT = 50  # name-token candidates read per listing; exact code matches are read apart
INSERT_CHUNK = 500  # rows per multi-row INSERT, well under SQLite's bound-parameter limit
OPERATOR = "operator"


# --- small helpers ------------------------------------------------------------------------------


def _locked(query: Any) -> Any:
    """`SELECT … FOR UPDATE` on PostgreSQL; SQLite's immediate transaction already holds the write lock."""
    return query if db.is_sqlite() else query.lock_rows()


def _contains(column: Column, text: str) -> Where:
    pattern = f"%{text.replace('%', '')}%"
    return column.like(pattern) if db.is_sqlite() else column.ilike(pattern)  # type: ignore[attr-defined]


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple):
        return sorted(value) if not isinstance(value, tuple) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _event(
    principal: Principal, action: str, details: Mapping[str, Any], *, listing_id: int | None = None,
    product_id: int | None = None,
) -> CurationEvent:
    return CurationEvent(
        actor=principal.user_id,
        action=action,
        listing=listing_id,
        product=product_id,
        details=json.dumps(details, default=_json_default, sort_keys=True),
        created_at=utcnow(),
    )


async def _record(*events: CurationEvent) -> None:
    """Write audit entries; called inside the unit of work of the change they describe."""
    for start in range(0, len(events), INSERT_CHUNK):
        await CurationEvent.insert(*events[start : start + INSERT_CHUNK])


def _transition(current: str, target: ListingStatus) -> None:
    try:
        check_listing_transition(ListingStatus(current), target, OPERATOR)
    except ListingTransitionError as exc:
        raise Conflict(f"This listing cannot be changed: {exc}.") from None


def _invalid(exc: rules.RuleViolation) -> InvalidInput:
    return InvalidInput(str(exc))


# --- listings -----------------------------------------------------------------------------------

_SUMMARY_COLUMNS = (
    Listing.id,
    Listing.vendor,
    Listing.vendor.name,
    Listing.sku,
    Listing.title,
    Listing.brand,
    Listing.mpn,
    Listing.gtin,
    Listing.category,
    Listing.category.name,
    Listing.status,
    Listing.base_price,
    Listing.currency,
    Listing.product,
    Listing.submitted_at,
)


def _summary(row: Mapping[str, Any]) -> ListingSummary:
    return ListingSummary(
        id=row["id"],
        vendor_id=row["vendor"],
        vendor_name=row["vendor.name"],
        sku=row["sku"],
        title=row["title"],
        brand=row["brand"],
        mpn=row["mpn"],
        gtin=row["gtin"],
        category_id=row["category"],
        category_name=row["category.name"],
        status=row["status"],
        base_price=from_minor(row["base_price"]),  # type: ignore[arg-type]
        currency=row["currency"],
        product_id=row["product"],
        submitted_at=row["submitted_at"],
    )


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """The curation queue's filters; `status` None means every status."""

    status: str | None = ListingStatus.PENDING.value
    vendor_id: int | None = None
    category_id: int | None = None
    text: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    page: int = 1
    per_page: int = PER_PAGE


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _queue_conditions(filters: QueueFilters) -> list[Where]:
    conditions: list[Where] = []
    if filters.status:
        try:
            conditions.append(Listing.status == ListingStatus(filters.status).value)
        except ValueError:
            names = ", ".join(s.value for s in ListingStatus)
            raise InvalidInput(f"status must be one of {names} (or empty for all)") from None
    if filters.vendor_id is not None:
        conditions.append(Listing.vendor == filters.vendor_id)
    if filters.category_id is not None:
        # The category or anything below it: its id is on the path of every descendant.
        conditions.append(Listing.category.path.like(f"%/{filters.category_id}/%"))
    text = filters.text.strip()
    if text:
        conditions.append(
            _contains(Listing.title, text)
            | _contains(Listing.sku, text)
            | _contains(Listing.brand, text)
            | _contains(Listing.mpn, text)
            | _contains(Listing.gtin, text)
        )
    if filters.submitted_from is not None:
        conditions.append(Listing.submitted_at >= _start_of(filters.submitted_from))
    if filters.submitted_to is not None:
        conditions.append(Listing.submitted_at < _start_of(filters.submitted_to) + timedelta(days=1))
    return conditions


async def list_listings(filters: QueueFilters) -> ListingPage:
    """One page of the queue, oldest submission first: two queries."""
    if filters.page < 1:
        raise InvalidInput("page must be 1 or more")
    if filters.submitted_from and filters.submitted_to and filters.submitted_to < filters.submitted_from:
        raise InvalidInput("submitted_to must not be before submitted_from")
    conditions = _queue_conditions(filters)
    query = Listing.select(*_SUMMARY_COLUMNS)
    count = Listing.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(Listing.submitted_at, Listing.id).limit(filters.per_page).offset(
        (filters.page - 1) * filters.per_page
    )
    return ListingPage(
        items=[_summary(row) for row in rows], total=await count, page=filters.page, per_page=filters.per_page
    )


_PRODUCT_COLUMNS = (
    Product.id,
    Product.name,
    Product.brand,
    Product.mpn,
    Product.gtin,
    Product.category,
    Product.unit,
    Product.description,
    Product.status,
    Product.merged_into,
    Product.featured,
)


def _product_out(row: Mapping[str, Any]) -> ProductOut:
    return ProductOut(
        id=row["id"],
        name=row["name"],
        brand=row["brand"],
        mpn=row["mpn"],
        gtin=row["gtin"],
        category_id=row["category"],
        unit=row["unit"],
        description=row["description"],
        status=row["status"],
        merged_into_id=row["merged_into"],
        featured=row["featured"],
    )


async def _products(ids: Iterable[int]) -> dict[int, ProductOut]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Product.select(*_PRODUCT_COLUMNS).where(Product.id.is_in(wanted))
    return {row["id"]: _product_out(row) for row in rows}


async def suggestions_for(listing: matching.ListingFacts, exclude: int | None = None) -> list[SuggestionOut]:
    """Active products that look like `listing`, best first: at most two bounded queries."""
    code_matches: list[Where] = []
    variants = matching.gtin_variants(listing.gtin)
    if variants:
        code_matches.append(Product.gtin.is_in(sorted(variants)))
    mpn = listing.mpn.strip()
    if mpn:
        code_matches.append(Product.mpn.is_in(sorted({mpn, mpn.upper(), mpn.lower()})))
    rows: list[dict[str, Any]] = []
    active = Product.status == ProductStatus.ACTIVE.value
    if code_matches:
        condition = code_matches[0]
        for extra in code_matches[1:]:
            condition = condition | extra
        rows += await Product.select(*_PRODUCT_COLUMNS).where(active, condition).order_by(Product.id).limit(
            CANDIDATE_LIMIT
        )
    tokens = matching.search_tokens(listing.title)
    if tokens:
        condition = _contains(Product.name, tokens[0])
        for token in tokens[1:]:
            condition = condition | _contains(Product.name, token)
        rows += await Product.select(*_PRODUCT_COLUMNS).where(active, condition).order_by(Product.id).limit(
            CANDIDATE_LIMIT
        )
    by_id = {row["id"]: row for row in rows if row["id"] != exclude}
    facts = [
        matching.ProductFacts(product_id=row["id"], name=row["name"], brand=row["brand"], mpn=row["mpn"],
                              gtin=row["gtin"])
        for row in by_id.values()
    ]
    return [
        SuggestionOut(product=_product_out(by_id[s.product_id]), score=s.score, reasons=list(s.reasons))
        for s in matching.rank_suggestions(listing, facts, limit=SUGGESTIONS)
    ]


async def listing_detail(listing_id: int) -> ListingDetail:
    """A listing with its product and the products it probably is."""
    row = await Listing.select(
        *_SUMMARY_COLUMNS, Listing.description, Listing.unit, Listing.rejection_reason
    ).where(Listing.id == listing_id).first()
    if row is None:
        raise NotFound("No such listing.")
    product = (await _products([row["product"]])).get(row["product"]) if row["product"] else None
    facts = matching.ListingFacts(title=row["title"], brand=row["brand"], mpn=row["mpn"], gtin=row["gtin"])
    return ListingDetail(
        listing=_summary(row),
        description=row["description"],
        unit=row["unit"],
        rejection_reason=row["rejection_reason"],
        product=product,
        suggestions=await suggestions_for(facts, exclude=row["product"]),
    )


async def _lock_listing(listing_id: int) -> dict[str, Any]:
    row = await _locked(
        Listing.select(
            Listing.id, Listing.status, Listing.product, Listing.title, Listing.brand, Listing.mpn, Listing.gtin,
            Listing.category, Listing.description, Listing.unit, Listing.rejection_reason,
        ).where(Listing.id == listing_id)
    ).first()
    if row is None:
        raise NotFound("No such listing.")
    return row


async def approve_listing(principal: Principal, listing_id: int, product_id: int | None = None) -> ListingDetail:
    """Approve a pending (or lift a suspended) listing, matched to `product_id`; without one, to its
    current product or else to a new product made from the listing."""
    async with db.transaction():
        listing = await _lock_listing(listing_id)
        _transition(listing["status"], ListingStatus.APPROVED)
        events: list[CurationEvent] = []
        if product_id is not None:
            product = await _locked(
                Product.select(Product.id, Product.status, Product.merged_into).where(Product.id == product_id)
            ).first()
            if product is None:
                raise InvalidInput(f"product_id {product_id} is not a product")
            if product["status"] != ProductStatus.ACTIVE:
                raise InvalidInput(
                    f"product {product_id} was merged into product {product['merged_into']}; match to that one"
                )
            target = product_id
        elif listing["product"] is not None:
            target = listing["product"]
        else:
            now = utcnow()
            fields = {
                "name": listing["title"],
                "brand": listing["brand"],
                "mpn": listing["mpn"],
                "gtin": listing["gtin"],
                "category": listing["category"],
                "description": listing["description"],
                "unit": listing["unit"],
            }
            created = Product(**fields, status=ProductStatus.ACTIVE.value, featured=False, created_at=now,
                              updated_at=now)
            await created.save()
            target = created.id
            events.append(_event(principal, "product.created", {"from_listing_id": listing_id, "fields": fields},
                                 listing_id=listing_id, product_id=target))
        before = {"status": listing["status"], "product_id": listing["product"],
                  "rejection_reason": listing["rejection_reason"]}
        after = {"status": ListingStatus.APPROVED.value, "product_id": target, "rejection_reason": ""}
        await Listing.update(
            {Listing.status: ListingStatus.APPROVED.value, Listing.product: target, Listing.rejection_reason: "",
             Listing.updated_at: utcnow()}
        ).where(Listing.id == listing_id)
        how = "created" if events else ("matched" if product_id is not None else "kept")
        events.append(_event(principal, "listing.approved", {"changes": rules.changes(before, after), "product": how},
                             listing_id=listing_id, product_id=target))
        await _record(*events)
    return await listing_detail(listing_id)


async def reject_listing(principal: Principal, listing_id: int, reason: str) -> ListingDetail:
    """Send a pending listing back to its vendor with the reason (required)."""
    try:
        reason = rules.required_text(reason, "reason", rules.REASON_MAX_LENGTH)
    except rules.RuleViolation as exc:
        raise InvalidInput(f"{exc}: tell the vendor what to fix") from None
    async with db.transaction():
        listing = await _lock_listing(listing_id)
        _transition(listing["status"], ListingStatus.REJECTED)
        before = {"status": listing["status"], "rejection_reason": listing["rejection_reason"]}
        after = {"status": ListingStatus.REJECTED.value, "rejection_reason": reason}
        await Listing.update(
            {Listing.status: ListingStatus.REJECTED.value, Listing.rejection_reason: reason,
             Listing.updated_at: utcnow()}
        ).where(Listing.id == listing_id)
        await _record(_event(principal, "listing.rejected", {"changes": rules.changes(before, after)},
                                        listing_id=listing_id, product_id=listing["product"]))
    return await listing_detail(listing_id)


async def suspend_listing(principal: Principal, listing_id: int) -> ListingDetail:
    """Take an approved or pending listing out of the catalog and the queue."""
    async with db.transaction():
        listing = await _lock_listing(listing_id)
        _transition(listing["status"], ListingStatus.SUSPENDED)
        await Listing.update({Listing.status: ListingStatus.SUSPENDED.value, Listing.updated_at: utcnow()}).where(
            Listing.id == listing_id
        )
        changed = rules.changes({"status": listing["status"]}, {"status": ListingStatus.SUSPENDED.value})
        await _record(_event(principal, "listing.suspended", {"changes": changed},
                                        listing_id=listing_id, product_id=listing["product"]))
    return await listing_detail(listing_id)


async def suspend_vendor_listings(principal: Principal, vendor_id: int) -> SuspendOut:
    """Suspend every approved and pending listing of one vendor, all in one transaction."""
    async with db.transaction():
        company = await Company.select(Company.kind, Company.name).where(Company.id == vendor_id).first()
        if company is None:
            raise NotFound("No such company.")
        if company["kind"] != CompanyKind.VENDOR:
            raise InvalidInput(f"{company['name']} is a {company['kind']} company, not a vendor: it has no listings")
        suspendable = [ListingStatus.APPROVED.value, ListingStatus.PENDING.value]
        rows = await _locked(
            Listing.select(Listing.id, Listing.status, Listing.product).where(
                Listing.vendor == vendor_id, Listing.status.is_in(suspendable)
            ).order_by(Listing.id)
        )
        for row in rows:
            _transition(row["status"], ListingStatus.SUSPENDED)
        ids = [row["id"] for row in rows]
        if ids:
            await Listing.update({Listing.status: ListingStatus.SUSPENDED.value, Listing.updated_at: utcnow()}).where(
                Listing.id.is_in(ids)
            )
            await _record(*[
                _event(
                    principal,
                    "listing.suspended",
                    {"changes": rules.changes({"status": row["status"]}, {"status": ListingStatus.SUSPENDED.value}),
                     "vendor_id": vendor_id, "bulk": True},
                    listing_id=row["id"],
                    product_id=row["product"],
                )
                for row in rows
            ])
    return SuspendOut(vendor_id=vendor_id, suspended_listing_ids=ids)


# --- products -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RulesAfterMerge:
    """What a merge does to the segment rules on its two products: which to retarget to the survivor, which to
    delete, and one audit line per rule changed."""

    retarget: list[int]
    delete: list[int]
    log: list[dict[str, Any]]


def _rules_after_merge(rows: Iterable[Mapping[str, Any]], loser: int, survivor: int) -> _RulesAfterMerge:
    """Per segment, the loser's product rule becomes the survivor's: the merged product is the same product, so
    a deny of either denies both (deny wins over allow), an allow follows unless the survivor is denied, and a
    segment keeps one rule per product (the unique index segment_rule_unique)."""
    by_segment: dict[int, dict[int, Mapping[str, Any]]] = {}
    for row in rows:
        by_segment.setdefault(row["segment"], {})[row["target_id"]] = row
    retarget: list[int] = []
    delete: list[int] = []
    log: list[dict[str, Any]] = []

    def note(row: Mapping[str, Any], after: int | None, outcome: str) -> None:
        log.append({"rule_id": row["id"], "segment_id": row["segment"], "effect": row["effect"],
                    "target_id": {"before": row["target_id"], "after": after}, "outcome": outcome})

    for rules_of_segment in by_segment.values():
        mine, theirs = rules_of_segment.get(loser), rules_of_segment.get(survivor)
        if mine is None:
            continue
        if theirs is None:
            retarget.append(mine["id"])
            note(mine, survivor, "moved")
        elif mine["effect"] == theirs["effect"]:
            delete.append(mine["id"])
            note(mine, None, "dropped: the survivor has the same rule")
        elif mine["effect"] == RuleEffect.DENY:
            delete.append(theirs["id"])
            retarget.append(mine["id"])
            note(mine, survivor, "moved")
            note(theirs, None, "dropped: the merged product was denied")
        else:
            delete.append(mine["id"])
            note(mine, None, "dropped: the survivor is denied")
    log.sort(key=lambda line: (line["segment_id"], line["rule_id"]))
    return _RulesAfterMerge(retarget=retarget, delete=delete, log=log)


async def _carry_product_rules(loser: int, survivor: int) -> list[dict[str, Any]]:
    """Move the segments' product rules from the loser to the survivor (`_rules_after_merge`); returns the
    audit lines. Run inside the merge's transaction."""
    rows = await _locked(
        SegmentRule.select(SegmentRule.id, SegmentRule.segment, SegmentRule.effect, SegmentRule.target_id).where(
            SegmentRule.target == RuleTarget.PRODUCT.value, SegmentRule.target_id.is_in([loser, survivor])
        ).order_by(SegmentRule.id)
    )
    plan = _rules_after_merge(rows, loser, survivor)
    # Deletes first: a retargeted deny may take the place of the survivor's allow in the same segment.
    if plan.delete:
        await SegmentRule.delete().where(SegmentRule.id.is_in(plan.delete))
    if plan.retarget:
        await SegmentRule.update({SegmentRule.target_id: survivor}).where(SegmentRule.id.is_in(plan.retarget))
    return plan.log


async def merge_products(principal: Principal, product_id: int, into_product_id: int) -> MergeOut:
    """Merge a duplicate product into a survivor: its listings and its segments' product rules move over
    (`_rules_after_merge`), it becomes "merged"."""
    if product_id == into_product_id:
        raise InvalidInput("a product cannot be merged into itself: give another into_product_id")
    async with db.transaction():
        rows = await _locked(
            Product.select(Product.id, Product.status, Product.merged_into, Product.featured).where(
                Product.id.is_in([product_id, into_product_id])
            )
        )
        found = {row["id"]: row for row in rows}
        loser, survivor = found.get(product_id), found.get(into_product_id)
        if loser is None:
            raise NotFound("No such product.")
        if survivor is None:
            raise InvalidInput(f"into_product_id {into_product_id} is not a product")
        if loser["status"] == ProductStatus.MERGED:
            raise Conflict(f"product {product_id} is already merged into product {loser['merged_into']}")
        if survivor["status"] == ProductStatus.MERGED:
            raise Conflict(
                f"product {into_product_id} is itself merged into product {survivor['merged_into']}; merge into that"
            )
        now = utcnow()
        moved = await Listing.update({Listing.product: into_product_id, Listing.updated_at: now}).where(
            Listing.product == product_id
        ).returning(Listing.id)
        # Products merged into the loser before now point straight at the survivor: one hop, never a chain.
        await Product.update({Product.merged_into: into_product_id, Product.updated_at: now}).where(
            Product.merged_into == product_id
        )
        await Product.update(
            {Product.status: ProductStatus.MERGED.value, Product.merged_into: into_product_id,
             Product.featured: False, Product.updated_at: now}
        ).where(Product.id == product_id)
        moved_rules = await _carry_product_rules(product_id, into_product_id)
        before = {"status": loser["status"], "merged_into_id": loser["merged_into"], "featured": loser["featured"]}
        after = {"status": ProductStatus.MERGED.value, "merged_into_id": into_product_id, "featured": False}
        moved_ids = sorted(row["id"] for row in moved)
        await _record(_event(
            principal, "product.merged",
            {"changes": rules.changes(before, after), "into_product_id": into_product_id,
             "moved_listing_ids": moved_ids, "rules": moved_rules},
            product_id=product_id,
        ))
    products = await _products([product_id, into_product_id])
    return MergeOut(product=products[product_id], survivor=products[into_product_id], moved_listing_ids=moved_ids)


async def feature_product(principal: Principal, product_id: int, featured: bool) -> ProductOut:
    """Feature or unfeature an active product; nothing is written when nothing changes."""
    async with db.transaction():
        row = await _locked(
            Product.select(Product.id, Product.status, Product.merged_into, Product.featured).where(
                Product.id == product_id
            )
        ).first()
        if row is None:
            raise NotFound("No such product.")
        if featured and row["status"] == ProductStatus.MERGED:
            raise Conflict(f"product {product_id} is merged into product {row['merged_into']}; feature that one")
        if row["featured"] != featured:
            await Product.update({Product.featured: featured, Product.updated_at: utcnow()}).where(
                Product.id == product_id
            )
            changed = rules.changes({"featured": row["featured"]}, {"featured": featured})
            action = "product.featured" if featured else "product.unfeatured"
            await _record(_event(principal, action, {"changes": changed}, product_id=product_id))
    return (await _products([product_id]))[product_id]


# --- audit log ----------------------------------------------------------------------------------


async def list_events(
    *, listing_id: int | None = None, product_id: int | None = None, action: str = "", page: int = 1,
    per_page: int = EVENTS_PER_PAGE,
) -> EventPage:
    """The audit log, newest first, filtered by listing, product and action: two queries."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    conditions: list[Where] = []
    if listing_id is not None:
        conditions.append(CurationEvent.listing == listing_id)
    if product_id is not None:
        conditions.append(CurationEvent.product == product_id)
    if action.strip():
        conditions.append(CurationEvent.action == action.strip())
    query = CurationEvent.select(
        CurationEvent.id, CurationEvent.action, CurationEvent.actor, CurationEvent.actor.email,
        CurationEvent.listing, CurationEvent.product, CurationEvent.details, CurationEvent.created_at,
    ).output(load_json=True)
    count = CurationEvent.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(CurationEvent.created_at, CurationEvent.id, ascending=False).limit(per_page).offset(
        (page - 1) * per_page
    )
    items = [
        EventOut(
            id=row["id"], action=row["action"], actor_id=row["actor"], actor_email=row["actor.email"],
            listing_id=row["listing"], product_id=row["product"],
            details=row["details"] if isinstance(row["details"], dict) else json.loads(row["details"] or "{}"),
            created_at=row["created_at"],
        )
        for row in rows
    ]
    return EventPage(items=items, total=await count, page=page, per_page=per_page)


# --- categories ---------------------------------------------------------------------------------


async def create_category(principal: Principal, data: CategoryIn) -> CategoryOut:
    """A new category under `parent_id` (or at the top); the database derives its materialized path
    (triggers of migration catalog 2026-11-29T19:30, whatever writes the row)."""
    try:
        name = rules.required_text(data.name, "name", 200)
    except rules.RuleViolation as exc:
        raise _invalid(exc) from None
    async with db.transaction():
        if data.parent_id is not None and not await Category.exists().where(Category.id == data.parent_id):
            raise InvalidInput(f"parent_id {data.parent_id} is not a category")
        siblings = Category.select(Category.name).where(
            Category.parent.is_null() if data.parent_id is None else Category.parent == data.parent_id
        )
        if any(row["name"].casefold() == name.casefold() for row in await siblings):
            raise Conflict(f"There is already a category named {name!r} here.")
        category = Category(name=name, parent=data.parent_id, path="")
        await category.save()
        path = (await Category.select(Category.path).where(Category.id == category.id).first())["path"]
        await _record(_event(principal, "category.created",
                                        {"category_id": category.id, "name": name, "parent_id": data.parent_id,
                                         "path": path}))
    return CategoryOut(id=category.id, name=name, parent_id=data.parent_id, path=path)


def _tree_node(node: rules.CategoryNode) -> CategoryTreeNode:
    return CategoryTreeNode(id=node.id, name=node.name, parent_id=node.parent_id, path=node.path,
                            children=[_tree_node(child) for child in node.children])


async def category_tree(principal: Principal | None = None) -> list[CategoryTreeNode]:
    """Every category, nested; a buyer of a segment gets only the categories its rules let it browse (a denied
    category does not exist for it, here as in the catalog)."""
    rows = await Category.select(Category.id, Category.name, Category.parent, Category.path)
    if principal is not None and principal.company_kind is CompanyKind.BUYER and principal.segment_id is not None:
        segment_rules = await SegmentRule.select(SegmentRule.effect, SegmentRule.target_id).where(
            (SegmentRule.segment == principal.segment_id) & (SegmentRule.target == RuleTarget.CATEGORY.value)
        )
        shown = visible_categories(
            ((r["id"], r["path"]) for r in rows),
            [Rule(RuleEffect(r["effect"]), RuleTarget.CATEGORY, r["target_id"]) for r in segment_rules],
        )
        rows = [r for r in rows if r["id"] in shown]
    return [_tree_node(node) for node in rules.build_tree((r["id"], r["name"], r["parent"], r["path"]) for r in rows)]


async def category_choices() -> list[tuple[int, str]]:
    """(id, "Parent / Child") for select boxes, in tree order."""
    out: list[tuple[int, str]] = []

    def walk(nodes: Sequence[CategoryTreeNode], prefix: str) -> None:
        for node in nodes:
            label = f"{prefix}{node.name}"
            out.append((node.id, label))
            walk(node.children, f"{label} / ")

    walk(await category_tree(), "")
    return out


async def companies_of_kind(kind: CompanyKind) -> list[tuple[int, str]]:
    rows = await Company.select(Company.id, Company.name).where(Company.kind == kind.value).order_by(Company.name)
    return [(row["id"], row["name"]) for row in rows]


# --- segments -----------------------------------------------------------------------------------


async def create_segment(principal: Principal, data: SegmentIn) -> SegmentOut:
    try:
        name = rules.required_text(data.name, "name", 100)
    except rules.RuleViolation as exc:
        raise _invalid(exc) from None
    async with db.transaction():
        if any(row["name"].casefold() == name.casefold() for row in await Segment.select(Segment.name)):
            raise Conflict(f"A segment named {name!r} already exists.")
        segment = Segment(name=name, description=data.description.strip())
        await segment.save()
        await _record(_event(principal, "segment.created", {"segment_id": segment.id, "name": name}))
    return SegmentOut(id=segment.id, name=name, description=segment.description, rules=[], members=[])


async def _target_names(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
    """Names of rule targets: one query per kind of target, whatever the number of rules."""
    ids: dict[str, set[int]] = {target.value: set() for target in RuleTarget}
    for row in rows:
        ids[row["target"]].add(row["target_id"])
    names: dict[tuple[str, int], str] = {}
    sources: list[tuple[str, Any, Any]] = [
        (RuleTarget.CATEGORY.value, Category, Category.name),
        (RuleTarget.PRODUCT.value, Product, Product.name),
        (RuleTarget.VENDOR.value, Company, Company.name),
    ]
    for target, table, column in sources:
        if ids[target]:
            for row in await table.select(table.id, column).where(table.id.is_in(sorted(ids[target]))):
                names[(target, row["id"])] = row["name"]
    return names


def _rule_out(row: Mapping[str, Any], names: Mapping[tuple[str, int], str]) -> RuleOut:
    return RuleOut(
        id=row["id"], segment_id=row["segment"], effect=row["effect"], target=row["target"],
        target_id=row["target_id"], target_name=names.get((row["target"], row["target_id"]), "(deleted)"),
        created_at=row["created_at"],
    )


_RULE_COLUMNS = (SegmentRule.id, SegmentRule.segment, SegmentRule.effect, SegmentRule.target, SegmentRule.target_id,
                 SegmentRule.created_at)


async def list_segments() -> list[SegmentOut]:
    """Every segment with its rules and member companies: a fixed number of queries."""
    segments = await Segment.select(Segment.id, Segment.name, Segment.description).order_by(Segment.name)
    rule_rows = await SegmentRule.select(*_RULE_COLUMNS).order_by(SegmentRule.id)
    members = await SegmentMember.select(SegmentMember.segment, SegmentMember.company,
                                         SegmentMember.company.name).order_by(SegmentMember.company.name)
    names = await _target_names(rule_rows)
    return [
        SegmentOut(
            id=segment["id"], name=segment["name"], description=segment["description"],
            rules=[_rule_out(r, names) for r in rule_rows if r["segment"] == segment["id"]],
            members=[MemberOut(company_id=m["company"], company_name=m["company.name"])
                     for m in members if m["segment"] == segment["id"]],
        )
        for segment in segments
    ]


async def set_company_segment(principal: Principal, company_id: int, segment_id: int | None) -> CompanySegmentOut:
    """Put a buyer company into one segment (moving it out of any other); None takes it out."""
    async with db.transaction():
        company = await Company.select(Company.kind, Company.name).where(Company.id == company_id).first()
        if company is None:
            raise NotFound("No such company.")
        if company["kind"] != CompanyKind.BUYER:
            raise InvalidInput(f"{company['name']} is a {company['kind']} company; only buyer companies have segments")
        if segment_id is not None and not await Segment.exists().where(Segment.id == segment_id):
            raise InvalidInput(f"segment_id {segment_id} is not a segment")
        current = await SegmentMember.select(SegmentMember.id, SegmentMember.segment).where(
            SegmentMember.company == company_id
        ).first()
        before = current["segment"] if current else None
        if before != segment_id:
            if current is not None and segment_id is None:
                await SegmentMember.delete().where(SegmentMember.id == current["id"])
            elif current is not None:
                await SegmentMember.update({SegmentMember.segment: segment_id}).where(SegmentMember.id == current["id"])
            else:
                await SegmentMember.insert(SegmentMember(company=company_id, segment=segment_id))
            await _record(_event(
                principal, "segment.member_set",
                {"company_id": company_id,
                 "changes": rules.changes({"segment_id": before}, {"segment_id": segment_id})},
            ))
    return CompanySegmentOut(company_id=company_id, segment_id=segment_id)


async def _require_segment(segment_id: int) -> None:
    if not await Segment.exists().where(Segment.id == segment_id):
        raise NotFound("No such segment.")


async def add_rule(principal: Principal, segment_id: int, data: RuleIn) -> RuleOut:
    """Allow or deny a category (with its subtree), a product or a vendor to a segment."""
    try:
        effect = RuleEffect(data.effect)
    except ValueError:
        raise InvalidInput("effect must be allow or deny") from None
    try:
        target = RuleTarget(data.target)
    except ValueError:
        raise InvalidInput("target must be category, product or vendor") from None
    async with db.transaction():
        await _require_segment(segment_id)
        if target is RuleTarget.CATEGORY:
            exists = await Category.exists().where(Category.id == data.target_id)
        elif target is RuleTarget.PRODUCT:
            product = await Product.select(Product.status, Product.merged_into).where(
                Product.id == data.target_id
            ).first()
            if product is not None and product["status"] == ProductStatus.MERGED:
                raise InvalidInput(
                    f"product {data.target_id} is merged into product {product['merged_into']}; use that one"
                )
            exists = product is not None
        else:
            vendor = await Company.select(Company.kind, Company.name).where(Company.id == data.target_id).first()
            if vendor is not None and vendor["kind"] != CompanyKind.VENDOR:
                raise InvalidInput(f"{vendor['name']} is a {vendor['kind']} company, not a vendor")
            exists = vendor is not None
        if not exists:
            raise InvalidInput(f"target_id {data.target_id} is not a {target.value}")
        clash = await SegmentRule.select(SegmentRule.effect).where(
            SegmentRule.segment == segment_id, SegmentRule.target == target.value,
            SegmentRule.target_id == data.target_id,
        ).first()
        if clash is not None:
            raise Conflict(
                f"This segment already has a rule for {target.value} {data.target_id} ({clash['effect']}); "
                "delete it first to change it."
            )
        rule = SegmentRule(segment=segment_id, effect=effect.value, target=target.value, target_id=data.target_id,
                           created_at=utcnow())
        await rule.save()
        await _record(_event(principal, "segment.rule_added", {
            "segment_id": segment_id, "rule_id": rule.id, "effect": effect.value, "target": target.value,
            "target_id": data.target_id,
        }))
    row = await SegmentRule.select(*_RULE_COLUMNS).where(SegmentRule.id == rule.id).first()
    return _rule_out(row, await _target_names([row]))  # type: ignore[arg-type]


async def delete_rule(principal: Principal, segment_id: int, rule_id: int) -> None:
    async with db.transaction():
        row = await SegmentRule.select(*_RULE_COLUMNS).where(
            SegmentRule.id == rule_id, SegmentRule.segment == segment_id
        ).first()
        if row is None:
            raise NotFound("No such rule in this segment.")
        await SegmentRule.delete().where(SegmentRule.id == rule_id)
        await _record(_event(principal, "segment.rule_removed", {
            "segment_id": segment_id, "rule_id": rule_id, "effect": row["effect"], "target": row["target"],
            "target_id": row["target_id"],
        }))


# --- price lists --------------------------------------------------------------------------------


def _parse_entries(entries: Iterable[EntryIn]) -> list[rules.EntryValues]:
    try:
        return rules.parse_entries(
            rules.EntryInput(listing_id=e.listing_id, min_qty=e.min_qty, unit_price=e.unit_price) for e in entries
        )
    except rules.RuleViolation as exc:
        raise _invalid(exc) from None


async def _check_listings(entries: Sequence[rules.EntryValues], currency: str) -> None:
    ids = sorted({entry.listing_id for entry in entries})
    if not ids:
        return
    rows = await Listing.select(Listing.id, Listing.status, Listing.currency).where(Listing.id.is_in(ids))
    found = {row["id"]: rules.ListingForPrice(id=row["id"], status=row["status"], currency=row["currency"])
             for row in rows}
    try:
        rules.check_entry_listings(entries, found, currency)
    except rules.RuleViolation as exc:
        raise _invalid(exc) from None


async def _insert_entries(price_list_id: int, entries: Sequence[rules.EntryValues]) -> None:
    rows = [PriceListEntry(price_list=price_list_id, listing=e.listing_id, min_qty=e.min_qty,
                           unit_price=to_minor(e.unit_price)) for e in entries]
    for start in range(0, len(rows), INSERT_CHUNK):
        await PriceListEntry.insert(*rows[start : start + INSERT_CHUNK])


def _entry_log(entries: Iterable[rules.EntryValues]) -> list[dict[str, Any]]:
    return [{"listing_id": e.listing_id, "min_qty": e.min_qty, "unit_price": str(e.unit_price)} for e in entries]


async def create_price_list(principal: Principal, data: PriceListIn) -> PriceListOut:
    """A price list for one segment or one buyer company, with its entries: all or nothing."""
    try:
        rules.check_owner(data.segment_id, data.company_id)
        rules.check_validity(data.valid_from, data.valid_to)
        currency = rules.check_currency(data.currency)
        name = rules.required_text(data.name, "name", 200)
    except rules.RuleViolation as exc:
        raise _invalid(exc) from None
    entries = _parse_entries(data.entries)
    async with db.transaction():
        if data.segment_id is not None and not await Segment.exists().where(Segment.id == data.segment_id):
            raise InvalidInput(f"segment_id {data.segment_id} is not a segment")
        if data.company_id is not None:
            company = await Company.select(Company.kind, Company.name).where(Company.id == data.company_id).first()
            if company is None:
                raise InvalidInput(f"company_id {data.company_id} is not a company")
            if company["kind"] != CompanyKind.BUYER:
                raise InvalidInput(
                    f"{company['name']} is a {company['kind']} company; price lists are for buyer companies"
                )
        await _check_listings(entries, currency)
        price_list = PriceList(
            name=name, segment=data.segment_id, company=data.company_id, currency=currency,
            valid_from=data.valid_from.astimezone(UTC) if data.valid_from else None,
            valid_to=data.valid_to.astimezone(UTC) if data.valid_to else None, created_at=utcnow(),
        )
        await price_list.save()
        await _insert_entries(price_list.id, entries)
        await _record(_event(principal, "price_list.created", {
            "price_list_id": price_list.id, "name": name, "segment_id": data.segment_id,
            "company_id": data.company_id, "currency": currency, "valid_from": data.valid_from,
            "valid_to": data.valid_to, "entries": _entry_log(entries),
        }))
    return await get_price_list(price_list.id)


async def set_entries(principal: Principal, price_list_id: int, data: EntriesIn) -> PriceListOut:
    """Add entries to a price list, each replacing the entry of the same (listing, min_qty);
    with `replace_all` the given entries become the whole list. All or nothing."""
    entries = _parse_entries(data.entries)
    async with db.transaction():
        price_list = await _locked(
            PriceList.select(PriceList.id, PriceList.currency).where(PriceList.id == price_list_id)
        ).first()
        if price_list is None:
            raise NotFound("No such price list.")
        await _check_listings(entries, price_list["currency"])
        existing = await PriceListEntry.select(
            PriceListEntry.id, PriceListEntry.listing, PriceListEntry.min_qty, PriceListEntry.unit_price
        ).where(PriceListEntry.price_list == price_list_id)
        keys = {entry.key for entry in entries}
        old = {(row["listing"], row["min_qty"]): row for row in existing}
        doomed = [row["id"] for key, row in old.items() if data.replace_all or key in keys]
        if doomed:
            await PriceListEntry.delete().where(PriceListEntry.id.is_in(doomed))
        await _insert_entries(price_list_id, entries)
        before = {f"{k[0]}:{k[1]}": str(from_minor(row["unit_price"])) for k, row in old.items()
                  if data.replace_all or k in keys}
        after = {f"{e.listing_id}:{e.min_qty}": str(e.unit_price) for e in entries}
        for key in before:
            after.setdefault(key, None)  # type: ignore[arg-type]
        await _record(_event(principal, "price_list.entries_set", {
            "price_list_id": price_list_id, "replace_all": data.replace_all,
            "changes": rules.changes(before, after),
        }))
    return await get_price_list(price_list_id)


_LIST_COLUMNS = (
    PriceList.id, PriceList.name, PriceList.segment, PriceList.segment.name, PriceList.company,
    PriceList.company.name, PriceList.currency, PriceList.valid_from, PriceList.valid_to, PriceList.created_at,
)


def _list_summary(row: Mapping[str, Any], counts: Mapping[int, int]) -> PriceListSummary:
    return PriceListSummary(
        id=row["id"], name=row["name"], segment_id=row["segment"], segment_name=row["segment.name"],
        company_id=row["company"], company_name=row["company.name"], currency=row["currency"],
        valid_from=row["valid_from"], valid_to=row["valid_to"], entry_count=counts.get(row["id"], 0),
        created_at=row["created_at"],
    )


async def _entry_counts(ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await PriceListEntry.select(PriceListEntry.price_list, Count()).where(
        PriceListEntry.price_list.is_in(list(ids))
    ).group_by(PriceListEntry.price_list)
    return {row["price_list"]: row["count"] for row in rows}


async def list_price_lists(segment_id: int | None = None, company_id: int | None = None) -> list[PriceListSummary]:
    """Every price list (optionally of one segment or company) with its entry count: two queries."""
    query = PriceList.select(*_LIST_COLUMNS).order_by(PriceList.name, PriceList.id)
    if segment_id is not None:
        query = query.where(PriceList.segment == segment_id)
    if company_id is not None:
        query = query.where(PriceList.company == company_id)
    rows = await query
    counts = await _entry_counts([row["id"] for row in rows])
    return [_list_summary(row, counts) for row in rows]


async def get_price_list(price_list_id: int) -> PriceListOut:
    row = await PriceList.select(*_LIST_COLUMNS).where(PriceList.id == price_list_id).first()
    if row is None:
        raise NotFound("No such price list.")
    entries = await PriceListEntry.select(
        PriceListEntry.id, PriceListEntry.listing, PriceListEntry.listing.sku, PriceListEntry.listing.title,
        PriceListEntry.listing.vendor.name, PriceListEntry.min_qty, PriceListEntry.unit_price,
    ).where(PriceListEntry.price_list == price_list_id).order_by(PriceListEntry.listing, PriceListEntry.min_qty)
    return PriceListOut(
        price_list=_list_summary(row, {price_list_id: len(entries)}),
        entries=[
            EntryOut(id=e["id"], listing_id=e["listing"], listing_sku=e["listing.sku"],
                     listing_title=e["listing.title"], vendor_name=e["listing.vendor.name"], min_qty=e["min_qty"],
                     unit_price=from_minor(e["unit_price"]))  # type: ignore[arg-type]
            for e in entries
        ],
    )


async def segment_choices() -> list[tuple[int, str]]:
    return [(row["id"], row["name"]) for row in await Segment.select(Segment.id, Segment.name).order_by(Segment.name)]


async def listing_choices() -> list[ListingSummary]:
    """Approved listings for the price list page's entry form (bounded)."""
    rows = await Listing.select(*_SUMMARY_COLUMNS).where(Listing.status == ListingStatus.APPROVED.value).order_by(
        Listing.title
    ).limit(500)
    return [_summary(row) for row in rows]
