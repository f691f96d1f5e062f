"""Invoicing builders: an order placed, confirmed and shipped through the API, ready to invoice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.clock import utcnow
from tests.support.orders import check_out


async def an_invoice(vendor, order_id: int, number: str = "INV-PARTIES") -> int:  # type: ignore[no-untyped-def]
    """`vendor` confirms the order, ships all of its first line and invoices that shipment; answers the invoice's id."""
    ship_date = (utcnow().date() + timedelta(days=1)).isoformat()
    response = await vendor.post(f"/api/v1/orders/{order_id}/confirm", json={"expected_ship_date": ship_date})
    assert response.status_code == 200, response.text
    line = response.json()["lines"][0]
    response = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                                 json={"lines": [{"line_id": line["id"], "quantity": line["quantity"]}]})
    assert response.status_code == 201, response.text
    response = await vendor.post("/api/v1/invoices", json={"number": number,
                                                           "shipment_ids": [response.json()["shipments"][0]["id"]]})
    assert response.status_code == 201, response.text
    return response.json()["invoice"]["id"]


async def shipped_order(buyer, vendor, listing: int, ordered: int, shipped: int,  # type: ignore[no-untyped-def]
                        po_number: str = "PO-1") -> dict[str, Any]:
    """`buyer` orders `ordered` of `listing`; `vendor` confirms and ships `shipped`. Answers the order as the vendor
    sees it (its lines and shipments)."""
    await buyer.post("/api/v1/cart/lines", json={"listing_id": listing, "quantity": ordered})
    response = await check_out(buyer, po_number)
    assert response.status_code == 201, response.text
    order_id = response.json()["orders"][0]["id"]
    ship_date = (utcnow().date() + timedelta(days=1)).isoformat()
    response = await vendor.post(f"/api/v1/orders/{order_id}/confirm", json={"expected_ship_date": ship_date})
    assert response.status_code == 200, response.text
    line_id = response.json()["lines"][0]["id"]
    response = await vendor.post(f"/api/v1/orders/{order_id}/shipments",
                                 json={"lines": [{"line_id": line_id, "quantity": shipped}]})
    assert response.status_code == 201, response.text
    return response.json()
