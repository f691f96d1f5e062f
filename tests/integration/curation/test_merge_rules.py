"""Merging a product carries its segments' product rules over to the survivor: a product a segment may not
see stays hidden after it is merged, an allowed one stays allowed, and the audit event says which rules moved."""

import pytest

from app.catalog.tables import CurationEvent, SegmentRule
from tests.support.catalog import a_listing, a_product, a_segment
from tests.support.fixtures import make_company, make_user


async def merged_event() -> dict:
    [event] = await CurationEvent.select(CurationEvent.product, CurationEvent.details).where(
        CurationEvent.action == "product.merged"
    ).output(load_json=True)
    return event


async def rules_of(segment: int) -> set[tuple[str, str, int]]:
    rows = await SegmentRule.select(SegmentRule.effect, SegmentRule.target, SegmentRule.target_id).where(
        SegmentRule.segment == segment
    )
    return {(row["effect"], row["target"], row["target_id"]) for row in rows}


async def merge(operator, product: int, into: int) -> None:
    response = await operator.post(f"/api/v1/curation/products/{product}/merge", json={"into_product_id": into})
    assert response.status_code == 200, response.text


async def test_a_denied_product_stays_hidden_after_it_is_merged(world, api):
    # given a segment that denies product P (offer P-1), and a survivor S with its own offer S-1
    denied = await a_product("Pen, blue")
    survivor = await a_product("Blue pen")
    await a_listing(world.vendor.id, denied, "P-1")
    await a_listing(world.vendor.id, survivor, "S-1")
    segment = await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "product", denied)])
    buyer = await api(world.purchaser)
    assert (await buyer.get(f"/api/v1/catalog/products/{denied}")).status_code == 404
    before = (await buyer.get("/api/v1/catalog/products")).json()  # counts the catalog for the facet cache
    assert [item["id"] for item in before["items"]] == [survivor]
    # when an operator merges P into S
    await merge(await api(world.operator), denied, survivor)
    # then the segment denies S: its page and search show the buyer nothing of it, P-1 least of all
    assert (await buyer.get(f"/api/v1/catalog/products/{survivor}")).status_code == 404
    found = (await buyer.get("/api/v1/catalog/products", params={"q": "pen"})).json()
    assert found["total"] == 0 and found["items"] == []
    browsed = (await buyer.get("/api/v1/catalog/products")).json()
    assert browsed["total"] == 0 and browsed["items"] == [] and browsed["facets"]["vendor"] == []
    assert await rules_of(segment) == {("deny", "product", survivor)}
    # and the merge's audit event names the rule that moved
    [rule_id] = [row["id"] for row in await SegmentRule.select(SegmentRule.id).where(SegmentRule.segment == segment)]
    event = await merged_event()
    assert event["product"] == denied
    assert event["details"]["rules"] == [
        {"rule_id": rule_id, "segment_id": segment, "effect": "deny", "target_id": {"before": denied,
                                                                                     "after": survivor},
         "outcome": "moved"},
    ]


async def test_an_allowed_product_stays_allowed_and_another_segments_rules_are_untouched(world, api):
    # given a segment that sees only product P, and another segment with rules on P's survivor S only
    allowed = await a_product("Pen, blue")
    survivor = await a_product("Blue pen")
    elsewhere = await a_product("Stapler")
    await a_listing(world.vendor.id, allowed, "P-1")
    await a_listing(world.vendor.id, survivor, "S-1")
    await a_listing(world.vendor.id, elsewhere, "X-1")
    segment = await a_segment("Pens only", members=[world.buyer.id], rules=[("allow", "product", allowed)])
    other = await a_segment("No staplers", members=[world.other_buyer.id], rules=[
        ("deny", "product", elsewhere), ("allow", "product", survivor)])
    buyer = await api(world.purchaser)
    assert (await buyer.get("/api/v1/catalog/products")).json()["total"] == 1
    # when P is merged into S
    await merge(await api(world.operator), allowed, survivor)
    # then the first segment sees S with both offers (P-1 now S's), and still nothing else
    page = await buyer.get(f"/api/v1/catalog/products/{survivor}")
    assert page.status_code == 200, page.text
    assert sorted(offer["sku"] for offer in page.json()["offers"]) == ["P-1", "S-1"]
    browsed = (await buyer.get("/api/v1/catalog/products")).json()
    assert [item["id"] for item in browsed["items"]] == [survivor]
    assert await rules_of(segment) == {("allow", "product", survivor)}
    # and the other segment's rules are as they were
    assert await rules_of(other) == {("deny", "product", elsewhere), ("allow", "product", survivor)}
    moved = (await merged_event())["details"]["rules"]
    assert [(row["segment_id"], row["effect"], row["outcome"]) for row in moved] == [(segment, "allow", "moved")]


@pytest.mark.parametrize(("on_loser", "on_survivor", "after", "outcomes"), [
    # deny wins: the merged product is the same product, so what was denied of it is denied of all of it
    ("deny", None, "deny", [("deny", "loser", "moved")]),
    ("deny", "allow", "deny", [("deny", "loser", "moved"),
                               ("allow", "survivor", "dropped: the merged product was denied")]),
    ("deny", "deny", "deny", [("deny", "loser", "dropped: the survivor has the same rule")]),
    ("allow", None, "allow", [("allow", "loser", "moved")]),
    ("allow", "allow", "allow", [("allow", "loser", "dropped: the survivor has the same rule")]),
    ("allow", "deny", "deny", [("allow", "loser", "dropped: the survivor is denied")]),
    (None, "deny", "deny", []),
    (None, "allow", "allow", []),
])
async def test_each_pair_of_rules_ends_as_one_rule_on_the_survivor(world, api, on_loser, on_survivor, after,
                                                                   outcomes):
    # given a segment with a rule on the loser, the survivor, or both
    loser = await a_product("Pen, blue")
    survivor = await a_product("Blue pen")
    rules = [(effect, "product", product) for effect, product in ((on_loser, loser), (on_survivor, survivor))
             if effect]
    segment = await a_segment("Schools", rules=rules)
    ids = {row["target_id"]: row["id"] for row in await SegmentRule.select(SegmentRule.id, SegmentRule.target_id)}
    # when the loser is merged into the survivor
    await merge(await api(world.operator), loser, survivor)
    # then the segment has one rule on the survivor and none on the loser (the unique index allows no more)
    assert await rules_of(segment) == {(after, "product", survivor)}
    # and the audit event says what became of each rule that was on either product and changed
    names = {"loser": loser, "survivor": survivor}
    moved = (await merged_event())["details"]["rules"]
    assert [(row["effect"], row["rule_id"], row["outcome"]) for row in moved] == [
        (effect, ids[names[whose]], outcome) for effect, whose, outcome in outcomes
    ]


async def test_a_merge_without_product_rules_records_none_and_leaves_other_rules_alone(world, api):
    # given segments with vendor rules only
    loser = await a_product("Pen, blue")
    survivor = await a_product("Blue pen")
    vendor = await make_company("vendor")
    segment = await a_segment("Schools", members=[world.buyer.id], rules=[("deny", "vendor", vendor.id),
                                                                           ("allow", "vendor", world.vendor.id)])
    await a_listing(world.vendor.id, loser, "P-1")
    # when the products are merged
    await merge(await api(world.operator), loser, survivor)
    # then the rules are the same and the event says no rule moved
    assert await rules_of(segment) == {("deny", "vendor", vendor.id), ("allow", "vendor", world.vendor.id)}
    assert (await merged_event())["details"]["rules"] == []
    buyer = await api(await make_user(world.buyer.id, "purchaser", "second@example.com"))
    assert (await buyer.get(f"/api/v1/catalog/products/{survivor}")).status_code == 200
