"""The curation queue and a listing's review: matching to a product, approving, rejecting, suspending."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.states import ListingStatus, ListingTransitionError, ProductStatus, check_listing_transition
from app.catalog.tables import CurationEvent, Listing, Product
from app.clock import utcnow
from app.curation import events, matching, products, rules
from app.curation.schemas import ListingDetail, ListingSummary, QueuePage, SuggestionOut, SuspendOut
from app.curation.store import locked
from app.errors import Conflict, InvalidInput, NotFound
from app.money import from_minor

PER_PAGE = 25
SUGGESTIONS = 5
CANDIDATE_LIMIT = 50  # name-token candidates read per listing; exact code matches are read apart
OPERATOR = "operator"


def _contains(column: Column, text: str) -> Where:
    pattern = f"%{text.replace('%', '')}%"
    return column.like(pattern) if db.is_sqlite() else column.ilike(pattern)  # type: ignore[attr-defined]


def _transition(current: str, target: ListingStatus) -> None:
    try:
        check_listing_transition(ListingStatus(current), target, OPERATOR)
    except ListingTransitionError as exc:
        raise Conflict(f"This listing cannot be changed: {exc}.") from None


SUMMARY_COLUMNS = (
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


def summary(row: Mapping[str, Any]) -> ListingSummary:
    """A row of `SUMMARY_COLUMNS` as the queue's listing."""
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
    # The queue's order: oldest submission first unless a page's grid asks for another column.
    sort_by: tuple[Column, ...] = (Listing.submitted_at,)
    descending: bool = False


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


async def list_listings(filters: QueueFilters) -> QueuePage:
    """One page of the queue, oldest submission first unless `filters` say otherwise: two queries."""
    if filters.page < 1:
        raise InvalidInput("page must be 1 or more")
    if filters.submitted_from and filters.submitted_to and filters.submitted_to < filters.submitted_from:
        raise InvalidInput("submitted_to must not be before submitted_from")
    conditions = _queue_conditions(filters)
    query = Listing.select(*SUMMARY_COLUMNS)
    count = Listing.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    for column in (*filters.sort_by, Listing.id):
        query = query.order_by(column, ascending=not filters.descending)
    rows = await query.limit(filters.per_page).offset(
        (filters.page - 1) * filters.per_page
    )
    return QueuePage(
        items=[summary(row) for row in rows], total=await count, page=filters.page, per_page=filters.per_page
    )


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
        rows += await Product.select(*products.PRODUCT_COLUMNS).where(active, condition).order_by(Product.id).limit(
            CANDIDATE_LIMIT
        )
    tokens = matching.search_tokens(listing.title)
    if tokens:
        condition = _contains(Product.name, tokens[0])
        for token in tokens[1:]:
            condition = condition | _contains(Product.name, token)
        rows += await Product.select(*products.PRODUCT_COLUMNS).where(active, condition).order_by(Product.id).limit(
            CANDIDATE_LIMIT
        )
    by_id = {row["id"]: row for row in rows if row["id"] != exclude}
    facts = [
        matching.ProductFacts(product_id=row["id"], name=row["name"], brand=row["brand"], mpn=row["mpn"],
                              gtin=row["gtin"])
        for row in by_id.values()
    ]
    return [
        SuggestionOut(product=products.product_out(by_id[s.product_id]), score=s.score, reasons=list(s.reasons))
        for s in matching.rank_suggestions(listing, facts, limit=SUGGESTIONS)
    ]


async def listing_detail(listing_id: int) -> ListingDetail:
    """A listing with its product and the products it probably is."""
    row = await Listing.select(
        *SUMMARY_COLUMNS, Listing.description, Listing.unit, Listing.rejection_reason
    ).where(Listing.id == listing_id).first()
    if row is None:
        raise NotFound("No such listing.")
    product = (await products.by_id([row["product"]])).get(row["product"]) if row["product"] else None
    facts = matching.ListingFacts(title=row["title"], brand=row["brand"], mpn=row["mpn"], gtin=row["gtin"])
    return ListingDetail(
        listing=summary(row),
        description=row["description"],
        unit=row["unit"],
        rejection_reason=row["rejection_reason"],
        product=product,
        suggestions=await suggestions_for(facts, exclude=row["product"]),
    )


async def _lock_listing(listing_id: int) -> dict[str, Any]:
    row = await locked(
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
        audit: list[CurationEvent] = []
        if product_id is not None:
            product = await locked(
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
            audit.append(events.event(principal, "product.created", {"from_listing_id": listing_id, "fields": fields},
                                      listing_id=listing_id, product_id=target))
        before = {"status": listing["status"], "product_id": listing["product"],
                  "rejection_reason": listing["rejection_reason"]}
        after = {"status": ListingStatus.APPROVED.value, "product_id": target, "rejection_reason": ""}
        await Listing.update(
            {Listing.status: ListingStatus.APPROVED.value, Listing.product: target, Listing.rejection_reason: "",
             Listing.updated_at: utcnow()}
        ).where(Listing.id == listing_id)
        how = "created" if audit else ("matched" if product_id is not None else "kept")
        audit.append(events.event(principal, "listing.approved",
                                  {"changes": rules.changes(before, after), "product": how},
                                  listing_id=listing_id, product_id=target))
        await events.record(*audit)
    return await listing_detail(listing_id)


async def reject_listing(principal: Principal, listing_id: int, reason: str) -> ListingDetail:
    """Send a pending listing back to its vendor with the reason (required)."""
    try:
        reason = rules.required_text(reason, "The reason", rules.REASON_MAX_LENGTH)
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
        await events.record(events.event(principal, "listing.rejected", {"changes": rules.changes(before, after)},
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
        await events.record(events.event(principal, "listing.suspended", {"changes": changed},
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
        rows = await locked(
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
            await events.record(*[
                events.event(
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
