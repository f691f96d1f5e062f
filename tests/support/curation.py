"""Rows the curation tests start from, inserted directly (the vendor portal is another area); a back-office session."""

from __future__ import annotations

import json
from decimal import Decimal

from app.catalog.tables import Category, CurationEvent, Listing, Product
from app.clock import utcnow
from app.money import to_minor


async def a_listing(vendor_id: int, sku: str, title: str, *, status: str = "pending", gtin: str = "", mpn: str = "",
                    brand: str = "", category: int | None = None, price: str = "10.00", currency: str = "EUR",
                    product: int | None = None) -> int:
    now = utcnow()
    listing = Listing(vendor=vendor_id, sku=sku, title=title, brand=brand, mpn=mpn, gtin=gtin, category=category,
                      description=f"About {title}", unit="box", base_price=to_minor(Decimal(price)),
                      currency=currency, status=status, product=product, created_at=now, updated_at=now,
                      submitted_at=now)
    await listing.save()
    return listing.id


async def a_product(name: str, *, gtin: str = "", brand: str = "", status: str = "active") -> int:
    product = Product(name=name, gtin=gtin, brand=brand, status=status, created_at=utcnow(), updated_at=utcnow())
    await product.save()
    return product.id


async def a_category(name: str, parent_path: str | None = None, parent: int | None = None) -> int:
    category = Category(name=name, parent=parent, path="")
    await category.save()
    await Category.update({Category.path: f"{parent_path or '/'}{category.id}/"}).where(Category.id == category.id)
    return category.id


async def back_office(browser, email):
    """An operator's session in piccolo-admin, with the CSRF header its API wants on writes."""
    session = await browser(email)
    assert (await session.get("/admin/api/tables/")).status_code == 200  # sets piccolo-admin's csrftoken cookie
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


async def back_office_entries() -> list[dict]:
    """The audit log's entries of back-office writes, oldest first, their details as dicts."""
    rows = await CurationEvent.select(
        CurationEvent.id, CurationEvent.action, CurationEvent.actor, CurationEvent.listing, CurationEvent.product,
        CurationEvent.details,
    ).where(CurationEvent.action.like("back_office.%")).order_by(CurationEvent.id).output(load_json=True)
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows
