"""The queue and the listing page cost a fixed number of queries, however many rows there are."""

from app.curation import listings
from tests.support.curation import a_listing, a_product
from tests.support.queries import count_queries


async def test_the_queue_and_a_listing_cost_a_fixed_number_of_queries(world, monkeypatch):
    for number in range(3):
        await a_listing(world.vendor.id, f"F-{number}", f"Folder blue {number}")
    with count_queries(monkeypatch) as few:
        await listings.list_listings(listings.QueueFilters(text="folder"))
    for number in range(3, 20):
        await a_listing(world.vendor.id, f"F-{number}", f"Folder blue {number}")
        await a_product(f"Folder blue {number}")
    with count_queries(monkeypatch) as many:
        page = await listings.list_listings(listings.QueueFilters(text="folder"))
    assert len(page.items) == 20 and len(few) == len(many) == 2

    with count_queries(monkeypatch) as detail_queries:
        detail = await listings.listing_detail(page.items[0].id)
    assert detail.suggestions and len(detail.suggestions) <= listings.SUGGESTIONS
    assert len(detail_queries) <= 3
