"""Buyer segments: their members and the allow/deny rules on categories, products and vendors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.auth import Principal
from app.catalog.states import ProductStatus, RuleEffect, RuleTarget
from app.catalog.tables import Category, Product, Segment, SegmentMember, SegmentRule
from app.clock import utcnow
from app.curation import events, rules
from app.curation.schemas import CompanySegmentOut, MemberOut, RuleIn, RuleOut, SegmentIn, SegmentOut
from app.curation.store import invalid
from app.errors import Conflict, InvalidInput, NotFound


async def create_segment(principal: Principal, data: SegmentIn) -> SegmentOut:
    try:
        name = rules.required_text(data.name, "name", 100)
    except rules.RuleViolation as exc:
        raise invalid(exc) from None
    async with db.transaction():
        if any(row["name"].casefold() == name.casefold() for row in await Segment.select(Segment.name)):
            raise Conflict(f"A segment named {name!r} already exists.")
        segment = Segment(name=name, description=data.description.strip())
        await segment.save()
        await events.record(events.event(principal, "segment.created", {"segment_id": segment.id, "name": name}))
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
    return await with_details(await Segment.select(Segment.id, Segment.name, Segment.description).order_by(
        Segment.name))


async def with_details(segments: list[dict[str, Any]]) -> list[SegmentOut]:
    """These segments (rows of id, name, description), in their order, with their rules and member companies:
    a fixed number of queries."""
    ids = [segment["id"] for segment in segments]
    if not ids:
        return []
    rule_rows = await SegmentRule.select(*_RULE_COLUMNS).where(SegmentRule.segment.is_in(ids)).order_by(
        SegmentRule.id)
    members = await SegmentMember.select(SegmentMember.segment, SegmentMember.company,
                                         SegmentMember.company.name).where(
        SegmentMember.segment.is_in(ids)).order_by(SegmentMember.company.name)
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
            await events.record(events.event(
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
        await events.record(events.event(principal, "segment.rule_added", {
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
        await events.record(events.event(principal, "segment.rule_removed", {
            "segment_id": segment_id, "rule_id": rule_id, "effect": row["effect"], "target": row["target"],
            "target_id": row["target_id"],
        }))
