"""Prices resolved from the database: every source, for the right buyer only, in fixed queries."""

from datetime import timedelta
from decimal import Decimal

from app.catalog.price_candidates import buyer_of, resolve_prices
from app.catalog.pricing import PriceSource
from app.catalog.tables import Listing, ListingTier, PriceList, PriceListEntry, Segment, SegmentMember
from app.clock import utcnow
from app.contracts.tables import ContractPrice
from app.money import to_minor
from tests.support.fixtures import make_company
from tests.support.queries import count_queries


async def a_listing(vendor_id: int, sku: str, base: str = "10.00", tiers=()) -> int:
    listing = Listing(vendor=vendor_id, sku=sku, title=f"Item {sku}", base_price=to_minor(Decimal(base)),
                      currency="EUR", status="approved", created_at=utcnow(), updated_at=utcnow())
    await listing.save()
    for min_qty, price in tiers:
        await ListingTier(listing=listing.id, min_qty=min_qty, unit_price=to_minor(Decimal(price))).save()
    return listing.id


async def a_price_list(entries, *, segment=None, company=None, name="List", valid_from=None, valid_to=None) -> int:
    price_list = PriceList(name=name, segment=segment, company=company, currency="EUR",
                           valid_from=valid_from, valid_to=valid_to, created_at=utcnow())
    await price_list.save()
    for listing_id, min_qty, price in entries:
        await PriceListEntry(price_list=price_list.id, listing=listing_id, min_qty=min_qty,
                             unit_price=to_minor(Decimal(price))).save()
    return price_list.id


async def test_each_buyer_gets_its_own_price_and_the_reason(world):
    # given a listing with a tier, a segment price list, a company price list and a contract
    listing = await a_listing(world.vendor.id, "A-1", "10.00", tiers=[(10, "9.50")])
    healthcare = Segment(name="Healthcare")
    await healthcare.save()
    await SegmentMember(company=world.buyer.id, segment=healthcare.id).save()
    await SegmentMember(company=world.other_buyer.id, segment=healthcare.id).save()
    await a_price_list([(listing, 1, "9.00")], segment=healthcare.id, name="Healthcare 2026")
    third = await make_company("buyer")
    await a_price_list([(listing, 1, "8.75")], company=third.id, name="Third's prices")
    await ContractPrice(company=world.buyer.id, listing=listing, min_qty=1, unit_price=to_minor(Decimal("8.00")),
                        currency="EUR", valid_from=utcnow() - timedelta(days=1), reference="C-0001").save()
    # when each company's price is resolved
    buyer = (await resolve_prices({listing: 1}, await buyer_of(world.buyer.id)))[listing]
    other = (await resolve_prices({listing: 1}, await buyer_of(world.other_buyer.id)))[listing]
    third_price = (await resolve_prices({listing: 1}, await buyer_of(third.id)))[listing]
    nobody = (await resolve_prices({listing: 12}, await buyer_of((await make_company("buyer")).id)))[listing]
    # then the contract is the buyer's alone, the segment list its segment's, and so on
    assert (buyer.source, buyer.unit_price, buyer.reference) == (PriceSource.CONTRACT, Decimal("8.0000"), "C-0001")
    assert (other.source, other.unit_price) == (PriceSource.SEGMENT_PRICE_LIST, Decimal("9.0000"))
    assert (third_price.source, third_price.unit_price) == (PriceSource.COMPANY_PRICE_LIST, Decimal("8.7500"))
    assert (nobody.source, nobody.unit_price) == (PriceSource.VOLUME_TIER, Decimal("9.5000"))


async def test_a_contract_that_starts_tomorrow_ended_yesterday_or_is_terminated_does_not_apply(world):
    listing = await a_listing(world.vendor.id, "B-1")
    now = utcnow()
    for start, end, terminated in [
        (now + timedelta(days=1), None, None),
        (now - timedelta(days=10), now - timedelta(days=1), None),
        (now - timedelta(days=11), None, now - timedelta(minutes=1)),
    ]:
        await ContractPrice(company=world.buyer.id, listing=listing, min_qty=1, unit_price=to_minor(Decimal("1")),
                            currency="EUR", valid_from=start, valid_to=end, terminated_at=terminated).save()
    price = (await resolve_prices({listing: 1}, await buyer_of(world.buyer.id)))[listing]
    assert price.source is PriceSource.BASE_PRICE


async def test_a_new_price_list_entry_shows_in_the_very_next_resolution(world):
    listing = await a_listing(world.vendor.id, "C-1")
    buyer = await buyer_of(world.buyer.id)
    assert (await resolve_prices({listing: 1}, buyer))[listing].source is PriceSource.BASE_PRICE
    await a_price_list([(listing, 1, "7.00")], company=world.buyer.id)
    assert (await resolve_prices({listing: 1}, buyer))[listing].unit_price == Decimal("7.0000")


async def test_an_expired_price_list_does_not_apply(world):
    listing = await a_listing(world.vendor.id, "D-1")
    await a_price_list([(listing, 1, "1.00")], company=world.buyer.id,
                       valid_from=utcnow() - timedelta(days=30), valid_to=utcnow() - timedelta(seconds=1))
    price = (await resolve_prices({listing: 1}, await buyer_of(world.buyer.id)))[listing]
    assert price.source is PriceSource.BASE_PRICE


async def test_a_thousand_line_cart_costs_the_same_queries_as_one_line(world, monkeypatch):
    # given a thousand listings with tiers, list prices and contracts
    listings = []
    for number in range(1000):
        listing = Listing(vendor=world.vendor.id, sku=f"BULK-{number}", title="Bulk", currency="EUR",
                          base_price=to_minor(Decimal("5")), status="approved", created_at=utcnow(),
                          updated_at=utcnow())
        listings.append(listing)
    await Listing.insert(*listings)
    ids = [row["id"] for row in await Listing.select(Listing.id).where(Listing.sku.like("BULK-%"))]
    await ListingTier.insert(*[ListingTier(listing=i, min_qty=10, unit_price=to_minor(Decimal("4"))) for i in ids])
    await ContractPrice.insert(*[
        ContractPrice(company=world.buyer.id, listing=i, min_qty=1, unit_price=to_minor(Decimal("3")), currency="EUR",
                      valid_from=utcnow() - timedelta(days=1), reference="C-9") for i in ids[::2]
    ])
    buyer = await buyer_of(world.buyer.id)
    # when one line, then the thousand, are resolved
    with count_queries(monkeypatch) as one:
        await resolve_prices({ids[0]: 1}, buyer)
    with count_queries(monkeypatch) as cart:
        prices = await resolve_prices(dict.fromkeys(ids, 20), buyer)
    # then both take the same fixed number of queries
    assert len(cart) == len(one) == 1
    assert sum(p.source is PriceSource.CONTRACT for p in prices.values()) == 500
    assert sum(p.source is PriceSource.VOLUME_TIER for p in prices.values()) == 500
