"""Ordering builders: a cart's lines as the buyer confirms them, and a checkout through the API."""

from __future__ import annotations

from typing import Any


async def confirmed_lines(client) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The cart's lines as `GET /api/v1/cart` shows them, in the shape checkout's `expected_lines` takes."""
    cart = (await client.get("/api/v1/cart")).json()
    return [{"line_id": line["id"], "quantity": line["quantity"], "unit_price": line["unit_price"],
             "net": line["net"]} for line in cart["lines"]]


async def check_out(client, po_number: str = "PO-1", *, key: str | None = None, **body: Any):  # type: ignore[no-untyped-def]
    """Check the cart out as it stands (the buyer confirms what it sees)."""
    payload = {"po_number": po_number, "expected_lines": await confirmed_lines(client), **body}
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post("/api/v1/cart/checkout", json=payload, headers=headers)
