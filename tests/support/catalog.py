"""Catalog rows inserted directly, as curation and the vendor portal would leave them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.catalog.tables import (
    Category,
    Listing,
    ListingTier,
    PriceList,
    PriceListEntry,
    Product,
    Segment,
    SegmentMember,
    SegmentRule,
)
from app.clock import utcnow
from app.contracts.tables import ContractPrice
from app.money import to_minor


async def a_category(name: str, parent: int | None = None) -> int:
    category = Category(name=name, parent=parent, path="")
    await category.save()
    parent_path = "/"
    if parent is not None:
        parent_path = (await Category.select(Category.path).where(Category.id == parent).first())["path"]
    await Category.update({Category.path: f"{parent_path}{category.id}/"}).where(Category.id == category.id)
    return category.id


async def a_product(name: str, *, brand: str = "", mpn: str = "", gtin: str = "", category: int | None = None,
                    description: str = "", featured: bool = False, status: str = "active") -> int:
    product = Product(name=name, brand=brand, mpn=mpn, gtin=gtin, category=category, description=description,
                      featured=featured, status=status, created_at=utcnow(), updated_at=utcnow())
    await product.save()
    return product.id


async def a_listing(vendor: int, product: int | None, sku: str, price: str = "10.00", *, stock: int = 5,
                    lead_time_days: int = 3, status: str = "approved", currency: str = "EUR", tiers=()) -> int:
    listing = Listing(vendor=vendor, product=product, sku=sku, title=f"Offer {sku}",
                      base_price=to_minor(Decimal(price)), currency=currency, status=status, stock=stock,
                      lead_time_days=lead_time_days,
                      created_at=utcnow(), updated_at=utcnow())
    await listing.save()
    for min_qty, unit_price in tiers:
        await ListingTier(listing=listing.id, min_qty=min_qty, unit_price=to_minor(Decimal(unit_price))).save()
    return listing.id


async def a_segment(name: str, members=(), rules=()) -> int:
    segment = Segment(name=name)
    await segment.save()
    for company in members:
        await SegmentMember(company=company, segment=segment.id).save()
    for effect, target, target_id in rules:
        await SegmentRule(segment=segment.id, effect=effect, target=target, target_id=target_id,
                          created_at=utcnow()).save()
    return segment.id


async def a_price_list(entries, *, segment=None, company=None, name="List") -> int:
    price_list = PriceList(name=name, segment=segment, company=company, currency="EUR", created_at=utcnow())
    await price_list.save()
    for listing_id, min_qty, price in entries:
        await PriceListEntry(price_list=price_list.id, listing=listing_id, min_qty=min_qty,
                             unit_price=to_minor(Decimal(price))).save()
    return price_list.id


async def a_contract_price(company: int, listing: int, price: str, reference: str = "C-1", min_qty: int = 1) -> None:
    await ContractPrice(company=company, listing=listing, min_qty=min_qty, unit_price=to_minor(Decimal(price)),
                        currency="EUR", valid_from=utcnow() - timedelta(days=1), reference=reference).save()
