"""Segments, their rules and members, and price lists that change the very next resolved price."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.pricing import PriceSource
from app.catalog.tables import CurationEvent, PriceList, PriceListEntry, SegmentMember, SegmentRule
from tests.support.curation import a_category, a_listing, a_product


async def a_segment(client, name: str) -> int:
    response = await client.post("/api/v1/segments", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_segments_with_rules_and_members(world, api):
    operator = await api(world.operator)
    healthcare = await a_segment(operator, "Healthcare")
    education = await a_segment(operator, "Education")
    assert (await operator.post("/api/v1/segments", json={"name": "healthcare"})).status_code == 409

    # a buyer company belongs to one segment; moving it replaces the membership
    assert (await operator.put(f"/api/v1/companies/{world.buyer.id}/segment",
                               json={"segment_id": healthcare})).status_code == 200
    moved = await operator.put(f"/api/v1/companies/{world.buyer.id}/segment", json={"segment_id": education})
    assert moved.json() == {"company_id": world.buyer.id, "segment_id": education}
    assert await SegmentMember.count() == 1

    # only buyer companies, only existing segments
    vendor = await operator.put(f"/api/v1/companies/{world.vendor.id}/segment", json={"segment_id": healthcare})
    assert vendor.status_code == 400 and "only buyer companies" in vendor.json()["detail"]
    nowhere = await operator.put(f"/api/v1/companies/{world.buyer.id}/segment", json={"segment_id": 999})
    assert nowhere.status_code == 400 and "segment_id 999 is not a segment" in nowhere.json()["detail"]
    assert (await operator.put("/api/v1/companies/999/segment", json={"segment_id": healthcare})).status_code == 404

    # rules: the target must exist, and a vendor rule must name a vendor
    category = await a_category("Medical")
    product = await a_product("Scalpel")
    allow = await operator.post(f"/api/v1/segments/{healthcare}/rules",
                                json={"effect": "allow", "target": "category", "target_id": category})
    assert allow.status_code == 201, allow.text
    assert allow.json()["target_name"] == "Medical"
    deny = await operator.post(f"/api/v1/segments/{healthcare}/rules",
                               json={"effect": "deny", "target": "vendor", "target_id": world.vendor.id})
    assert deny.status_code == 201
    for body, message in [
        ({"effect": "allow", "target": "vendor", "target_id": world.buyer.id}, "not a vendor"),
        ({"effect": "allow", "target": "product", "target_id": 999}, "target_id 999 is not a product"),
        ({"effect": "maybe", "target": "product", "target_id": product}, "effect must be allow or deny"),
        ({"effect": "allow", "target": "colour", "target_id": product}, "target must be category, product or vendor"),
    ]:
        response = await operator.post(f"/api/v1/segments/{healthcare}/rules", json=body)
        assert response.status_code == 400 and message in response.json()["detail"], body
    duplicate = await operator.post(f"/api/v1/segments/{healthcare}/rules",
                                    json={"effect": "deny", "target": "category", "target_id": category})
    assert duplicate.status_code == 409
    assert (await operator.post("/api/v1/segments/999/rules", json={"effect": "allow", "target": "product",
                                                                    "target_id": product})).status_code == 404

    listed = {s["name"]: s for s in (await operator.get("/api/v1/segments")).json()}
    assert [r["effect"] for r in listed["Healthcare"]["rules"]] == ["allow", "deny"]
    assert listed["Education"]["members"] == [{"company_id": world.buyer.id, "company_name": world.buyer.name}]

    # deleting a rule of another segment is 404; of its own, 204
    rule_id = allow.json()["id"]
    assert (await operator.delete(f"/api/v1/segments/{education}/rules/{rule_id}")).status_code == 404
    assert (await operator.delete(f"/api/v1/segments/{healthcare}/rules/{rule_id}")).status_code == 204
    assert await SegmentRule.count() == 1
    assert await CurationEvent.count().where(CurationEvent.action == "segment.rule_removed") == 1


async def test_price_list_validation_is_400_and_writes_nothing(world, api):
    operator = await api(world.operator)
    segment = await a_segment(operator, "Healthcare")
    approved = await a_listing(world.vendor.id, "L-1", "Gloves", status="approved")
    pending = await a_listing(world.vendor.id, "L-2", "Masks")
    dollars = await a_listing(world.vendor.id, "L-3", "Caps", status="approved", currency="USD")
    base = {"name": "Hospitals 2026", "currency": "EUR", "segment_id": segment}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cases = [
        ({**base, "company_id": world.buyer.id}, "not both"),
        ({"name": "x", "currency": "EUR"}, "give segment_id or company_id"),
        ({"name": "x", "currency": "EUR", "company_id": world.vendor.id}, "price lists are for buyer companies"),
        ({**base, "segment_id": 999}, "segment_id 999 is not a segment"),
        ({**base, "currency": "EURO"}, "ISO 4217"),
        ({**base, "valid_from": start.isoformat(), "valid_to": start.isoformat()}, "valid_to must be after"),
        ({**base, "valid_from": "2026-01-01T00:00:00"}, "time zone"),
        ({**base, "entries": [{"listing_id": pending, "unit_price": "1.00"}]}, "is pending"),
        ({**base, "entries": [{"listing_id": dollars, "unit_price": "1.00"}]}, "sold in USD"),
        ({**base, "entries": [{"listing_id": approved, "unit_price": "0"}]}, "greater than 0"),
        ({**base, "entries": [{"listing_id": approved, "unit_price": "1.00001"}]}, "4 decimal places"),
        ({**base, "entries": [{"listing_id": approved, "unit_price": "1", "min_qty": 0}]}, "at least 1"),
        ({**base, "entries": [{"listing_id": approved, "unit_price": "1.00", "min_qty": 5},
                              {"listing_id": approved, "unit_price": "0.90", "min_qty": 5}]}, "already has a price"),
    ]
    for body, message in cases:
        response = await operator.post("/api/v1/price-lists", json=body)
        assert response.status_code == 400, (body, response.text)
        assert message in response.json()["detail"], (message, response.json()["detail"])
    float_price = await operator.post("/api/v1/price-lists", json={**base, "entries": [
        {"listing_id": approved, "unit_price": 1.5}]})
    assert float_price.status_code == 400
    assert await PriceList.count() == 0 and await PriceListEntry.count() == 0
    assert await CurationEvent.count().where(CurationEvent.action.like("price_list%")) == 0


async def test_a_price_list_entry_changes_the_next_resolved_price_for_that_segment_only(world, api):
    # given an approved listing at 10.00 and two buyers in different segments
    operator = await api(world.operator)
    healthcare = await a_segment(operator, "Healthcare")
    education = await a_segment(operator, "Education")
    await operator.put(f"/api/v1/companies/{world.buyer.id}/segment", json={"segment_id": healthcare})
    await operator.put(f"/api/v1/companies/{world.other_buyer.id}/segment", json={"segment_id": education})
    listing = await a_listing(world.vendor.id, "P-1", "Gloves", status="approved", price="10.00")
    buyer, other = await buyer_of(world.buyer.id), await buyer_of(world.other_buyer.id)
    assert (await resolve_prices({listing: 1}, buyer))[listing].unit_price == Decimal("10.00")

    # when a price list for Healthcare is created with a tier
    created = await operator.post("/api/v1/price-lists", json={
        "name": "Hospitals", "currency": "EUR", "segment_id": healthcare,
        "valid_from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        "entries": [{"listing_id": listing, "unit_price": "8.50"}, {"listing_id": listing, "unit_price": "0.0035",
                                                                     "min_qty": 1000}],
    })
    assert created.status_code == 201, created.text
    price_list = created.json()["price_list"]["id"]
    assert created.json()["price_list"]["entry_count"] == 2

    # then the very next resolution gives the Healthcare buyer the list price, the other buyer the base price
    mine = await resolve_prices({listing: 1}, buyer)
    assert mine[listing].unit_price == Decimal("8.50") and mine[listing].source is PriceSource.SEGMENT_PRICE_LIST
    assert (await resolve_prices({listing: 1000}, buyer))[listing].unit_price == Decimal("0.0035")
    assert (await resolve_prices({listing: 1}, other))[listing].unit_price == Decimal("10.00")

    # when the entry's price is replaced
    changed = await operator.post(f"/api/v1/price-lists/{price_list}/entries",
                                  json={"entries": [{"listing_id": listing, "unit_price": "7.25"}]})
    assert changed.status_code == 200, changed.text
    assert {(e["min_qty"], e["unit_price"]) for e in changed.json()["entries"]} == {(1, "7.2500"), (1000, "0.0035")}

    # then the next call already resolves the new price
    assert (await resolve_prices({listing: 1}, buyer))[listing].unit_price == Decimal("7.25")
    logged = await CurationEvent.select(CurationEvent.details).where(
        CurationEvent.action == "price_list.entries_set").output(load_json=True).first()
    assert logged["details"]["changes"] == {f"{listing}:1": {"before": "8.5000", "after": "7.2500"}}

    # and replace_all keeps only what is given
    replaced = await operator.post(f"/api/v1/price-lists/{price_list}/entries", json={
        "entries": [{"listing_id": listing, "unit_price": "9.00", "min_qty": 10}], "replace_all": True})
    assert [(e["min_qty"], e["unit_price"]) for e in replaced.json()["entries"]] == [(10, "9.0000")]
    assert (await resolve_prices({listing: 1}, buyer))[listing].unit_price == Decimal("10.00")


async def test_a_company_price_list_and_reading_price_lists(world, api):
    operator = await api(world.operator)
    listing = await a_listing(world.vendor.id, "C-1", "Paper", status="approved", price="5.00")
    created = await operator.post("/api/v1/price-lists", json={
        "name": "Acme special", "currency": "eur", "company_id": world.buyer.id,
        "entries": [{"listing_id": listing, "unit_price": "4.10"}]})
    assert created.status_code == 201, created.text
    assert (await resolve_prices({listing: 1}, await buyer_of(world.buyer.id)))[listing].unit_price == Decimal("4.10")
    assert (await resolve_prices({listing: 1}, await buyer_of(world.other_buyer.id)))[listing].unit_price == Decimal(
        "5.00")
    lists = (await operator.get("/api/v1/price-lists")).json()
    assert [(p["name"], p["company_name"], p["currency"], p["entry_count"]) for p in lists] == [
        ("Acme special", world.buyer.name, "EUR", 1)]
    one = (await operator.get(f"/api/v1/price-lists/{lists[0]['id']}")).json()
    assert one["entries"][0]["listing_sku"] == "C-1" and one["entries"][0]["unit_price"] == "4.1000"
    assert (await operator.get("/api/v1/price-lists/999")).status_code == 404
    bad_entry = await operator.post(f"/api/v1/price-lists/{lists[0]['id']}/entries",
                                    json={"entries": [{"listing_id": 999, "unit_price": "1"}]})
    assert bad_entry.status_code == 400 and "listing 999 does not exist" in bad_entry.json()["detail"]
    assert (await operator.get(f"/api/v1/price-lists/{lists[0]['id']}")).json()["price_list"]["entry_count"] == 1
