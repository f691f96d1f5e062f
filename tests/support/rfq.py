"""RFQ builders: a request body, drafts and published RFQs through the API, the page form, the e-mails sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app.catalog.tables import Category, Listing, Product
from app.clock import utcnow
from app.money import to_minor
from app.notifications.tables import OutboxEmail
from app.rfq.tables import Rfq, RfqInvitation, RfqLine


def iso(moment: datetime) -> str:
    return moment.isoformat()


def body(vendor_ids: list[int], **overrides):
    data = {
        "title": "Nitrile gloves 2027",
        "currency": "EUR",
        # Beyond the broker's delay range, so no closing message is scheduled unless a test asks for one.
        "deadline": iso(utcnow() + timedelta(days=10)),
        "delivery_address": "Hospital Road 1, Berlin",
        "lines": [
            {"description": "Nitrile gloves size M", "quantity": 1000, "unit": "box", "target_price": "4.2500"},
            {"description": "Nitrile gloves size L", "quantity": 500},
        ],
        "vendor_ids": vendor_ids,
    }
    data.update(overrides)
    return data


async def emails_to(address: str) -> list[dict]:
    return await OutboxEmail.select(OutboxEmail.subject, OutboxEmail.body_text).where(
        OutboxEmail.to_address == address
    )


async def counts() -> tuple[int, int, int, int]:
    return (await Rfq.count(), await RfqLine.count(), await RfqInvitation.count(), await OutboxEmail.count())


async def a_draft(client, world, **overrides) -> dict:
    vendor_ids = overrides.pop("vendor_ids", [world.vendor.id])
    response = await client.post("/api/v1/rfqs", json=body(vendor_ids, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def a_published(client, world, **overrides) -> dict:
    draft = await a_draft(client, world, **overrides)
    response = await client.post(f"/api/v1/rfqs/{draft['id']}/publish")
    assert response.status_code == 200, response.text
    return response.json()


async def a_category_with_listing(vendor_id: int, name: str) -> tuple[int, int]:
    category = Category(name=name, path="")
    await category.save()
    await Category.update({Category.path: f"/{category.id}/"}).where(Category.id == category.id)
    product = Product(name=f"{name} item", category=category.id, created_at=utcnow(), updated_at=utcnow())
    await product.save()
    await Listing(vendor=vendor_id, sku=f"{name}-1", title=name, product=product.id, base_price=to_minor(Decimal(1)),
                  currency="EUR", status="approved", created_at=utcnow(), updated_at=utcnow()).save()
    return category.id, product.id


def new_form(token: str, vendor_id: int, **overrides) -> dict:
    data = {
        "_csrf_token": token, "title": "Printer paper", "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "payment_terms": "net_30", "visibility": "invited", "bidding_mode": "sealed",
        "line1_description": "A4 paper 80g", "line1_quantity": "200", "line1_unit": "ream",
        "line1_target_price": "3.10", "vendor_ids": [str(vendor_id)],
    }
    data.update(overrides)
    return data
