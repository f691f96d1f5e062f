"""Builders for the accounts area: company addresses."""

from __future__ import annotations

from typing import Any

from app.accounts.addresses import add_company_address
from app.accounts.addresses_rules import AddressKind
from app.accounts.schemas import AddressIn, AddressOut


def address_body(kind: str = "delivery", **overrides: Any) -> dict[str, Any]:
    """A valid address as the API takes it."""
    return {
        "kind": kind, "label": f"{kind.title()} address", "recipient": "Acme Hospital Group",
        "attention": "Goods receiving", "street": "Lagerstraße 12", "postal_code": "10557", "city": "Berlin",
        "country": "DE", "phone": "+49 30 5550100", **overrides,
    }


async def an_address(company_id: int, kind: str = "delivery", **overrides: Any) -> AddressOut:
    """An address of a buyer company, written directly (as the demo data does)."""
    return await add_company_address(company_id, AddressIn(**{**address_body(kind, **overrides),
                                                              "kind": AddressKind(kind)}))
