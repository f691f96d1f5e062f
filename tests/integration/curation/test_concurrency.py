"""Two operators acting on the same listing at once: exactly one wins, the other hears 409."""

import asyncio

from app.catalog.tables import CurationEvent, Listing, Product
from tests.support.curation import a_listing, a_product
from tests.support.fixtures import make_user


async def test_two_simultaneous_approvals_create_one_product(world, api):
    # given a pending listing and two operators
    listing = await a_listing(world.vendor.id, "Z-1", "Contested")
    first = await api(world.operator)
    second = await api(await make_user(world.operator_company.id, "operator"))

    # when both approve it at the same moment
    responses = await asyncio.gather(
        first.post(f"/api/v1/curation/listings/{listing}/approve", json={}),
        second.post(f"/api/v1/curation/listings/{listing}/approve", json={}),
    )

    # then one approval wins, the other is refused, and only one product exists
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert await Product.count() == 1
    assert await CurationEvent.count().where(CurationEvent.action == "listing.approved") == 1
    row = await Listing.select(Listing.status, Listing.product).where(Listing.id == listing).first()
    assert row["status"] == "approved" and row["product"] is not None


async def test_a_merge_and_a_match_at_once_leave_no_listing_on_a_merged_product(world, api):
    # given a product about to be merged away, and a pending listing an operator matches to it meanwhile
    keep = await a_product("Keep")
    loser = await a_product("Loser")
    listing = await a_listing(world.vendor.id, "Z-2", "Loser")
    first = await api(world.operator)
    second = await api(await make_user(world.operator_company.id, "operator"))

    await asyncio.gather(
        first.post(f"/api/v1/curation/products/{loser}/merge", json={"into_product_id": keep}),
        second.post(f"/api/v1/curation/listings/{listing}/approve", json={"product_id": loser}),
    )

    # then whatever the order, no listing points at the merged product
    assert await Listing.count().where(Listing.product == loser) == 0
