"""The category tree: creating categories and reading the tree a caller may browse."""

from __future__ import annotations

from app import db
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.catalog.states import RuleEffect, RuleTarget
from app.catalog.tables import Category, SegmentRule
from app.catalog.visibility import Rule, visible_categories
from app.curation import events, rules
from app.curation.schemas import CategoryIn, CategoryOut, CategoryTreeNode
from app.curation.store import invalid
from app.errors import Conflict, InvalidInput


async def create_category(principal: Principal, data: CategoryIn) -> CategoryOut:
    """A new category under `parent_id` (or at the top); the database derives its materialized path
    (triggers of migration catalog 2026-11-29T19:30, whatever writes the row)."""
    try:
        name = rules.required_text(data.name, "name", 200)
    except rules.RuleViolation as exc:
        raise invalid(exc) from None
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
        await events.record(events.event(principal, "category.created",
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
