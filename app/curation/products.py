"""Curated products: loading them for responses, merging duplicates, featuring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app import db
from app.auth import Principal
from app.catalog.states import ProductStatus, RuleEffect, RuleTarget
from app.catalog.tables import Listing, Product, SegmentRule
from app.clock import utcnow
from app.curation import events, rules
from app.curation.schemas import CuratedProductOut, MergeOut
from app.curation.store import locked
from app.errors import Conflict, InvalidInput, NotFound

PRODUCT_COLUMNS = (
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


def product_out(row: Mapping[str, Any]) -> CuratedProductOut:
    """A row of `PRODUCT_COLUMNS` as the API's product."""
    return CuratedProductOut(
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


async def by_id(ids: Iterable[int]) -> dict[int, CuratedProductOut]:
    """The products of `ids`, keyed by id: one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Product.select(*PRODUCT_COLUMNS).where(Product.id.is_in(wanted))
    return {row["id"]: product_out(row) for row in rows}


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
    rows = await locked(
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


def _merge_parties(found: Mapping[int, Mapping[str, Any]], product_id: int,
                   into_product_id: int) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The duplicate and its survivor, if the one may be merged into the other; else why not."""
    if product_id == into_product_id:
        raise InvalidInput("a product cannot be merged into itself: give another into_product_id")
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
    return loser, survivor


@dataclass(frozen=True, slots=True)
class MergePreview:
    """What merging would do, for the confirmation before it: both products and how many listings move."""

    product: CuratedProductOut
    survivor: CuratedProductOut
    listings: int


async def merge_preview(product_id: int, into_product_id: int) -> MergePreview:
    """The merge checked as `merge_products` checks it, without writing: for the page that asks once more."""
    rows = await Product.select(Product.id, Product.status, Product.merged_into).where(
        Product.id.is_in([product_id, into_product_id]))
    _merge_parties({row["id"]: row for row in rows}, product_id, into_product_id)
    products = await by_id([product_id, into_product_id])
    listings = await Listing.count().where(Listing.product == product_id)
    return MergePreview(products[product_id], products[into_product_id], listings)


async def merge_products(principal: Principal, product_id: int, into_product_id: int) -> MergeOut:
    """Merge a duplicate product into a survivor: its listings and its segments' product rules move over
    (`_rules_after_merge`), it becomes "merged"."""
    async with db.transaction():
        rows = await locked(
            Product.select(Product.id, Product.status, Product.merged_into, Product.featured).where(
                Product.id.is_in([product_id, into_product_id])
            )
        )
        loser, _ = _merge_parties({row["id"]: row for row in rows}, product_id, into_product_id)
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
        await events.record(events.event(
            principal, "product.merged",
            {"changes": rules.changes(before, after), "into_product_id": into_product_id,
             "moved_listing_ids": moved_ids, "rules": moved_rules},
            product_id=product_id,
        ))
    products = await by_id([product_id, into_product_id])
    return MergeOut(product=products[product_id], survivor=products[into_product_id], moved_listing_ids=moved_ids)


async def feature_product(principal: Principal, product_id: int, featured: bool) -> CuratedProductOut:
    """Feature or unfeature an active product; nothing is written when nothing changes."""
    async with db.transaction():
        row = await locked(
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
            await events.record(events.event(principal, action, {"changes": changed}, product_id=product_id))
    return (await by_id([product_id]))[product_id]
