"""The RFQ pages' forms read into the API's schemas, so the pages' input goes through the same checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from app.errors import InvalidInput
from app.forms import read as read_form
from app.rfq.schemas import (
    AuctionSettingsIn,
    RfqIn,
    RfqLineIn,
)

# Line rows on the new-RFQ page.
FORM_LINES = 5


def parse_moment(raw: str, what: str) -> datetime:
    """A moment from a `datetime-local` field (taken as UTC) or an ISO string with its offset."""
    text = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a date and time such as 2027-01-31T17:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rfq_from_form(form: Any) -> RfqIn:
    """The new-RFQ form as the API's input: blank line rows are skipped."""
    lines = []
    for n in range(1, FORM_LINES + 1):
        description = form.get(f"line{n}_description", "").strip()
        product = form.get(f"line{n}_product_id", "").strip()
        quantity = form.get(f"line{n}_quantity", "").strip()
        if not (description or product):
            continue
        try:
            numbers = {"quantity": int(quantity or "0"), "product_id": int(product) if product else None}
        except ValueError:
            raise InvalidInput(f"line {n}: quantity and product id must be whole numbers") from None
        lines.append(read_form({
            **numbers, "description": description, "unit": form.get(f"line{n}_unit", "pcs") or "pcs",
            "target_price": form.get(f"line{n}_target_price", "").strip() or None,
            "notes": form.get(f"line{n}_notes", ""),
        }, RfqLineIn, f"line {n}: "))
    delivery = form.get("delivery_date", "").strip()
    try:
        delivery_date = date.fromisoformat(delivery) if delivery else None
    except ValueError:
        raise InvalidInput("delivery_date must be a date such as 2027-02-15") from None
    try:
        vendor_ids = [int(v) for v in form.getall("vendor_ids", [])]
    except ValueError:
        raise InvalidInput("choose vendors from the list") from None
    mode = form.get("bidding_mode", "sealed")
    auction = None
    if mode == "auction":
        try:
            minutes = {"anti_snipe_minutes": int(form.get("anti_snipe_minutes", "0") or 0),
                       "max_extension_minutes": int(form.get("max_extension_minutes", "0") or 0)}
        except ValueError:
            raise InvalidInput("the auction minutes must be whole numbers") from None
        auction = read_form({**minutes, "min_decrement": form.get("min_decrement", "").strip() or None,
                         "show_best_price": form.get("show_best_price") == "on"}, AuctionSettingsIn, "auction ")
    # The lines and auction are checked already: convert takes their Structs as they are.
    return read_form({
        "title": form.get("title", "").strip(), "currency": form.get("currency", ""),
        "deadline": parse_moment(form.get("deadline", ""), "deadline"), "description": form.get("description", ""),
        "delivery_address": form.get("delivery_address", ""), "delivery_date": delivery_date,
        "payment_terms": form.get("payment_terms", "net_30"), "visibility": form.get("visibility", "invited"),
        "bidding_mode": mode, "auction": auction, "lines": lines, "vendor_ids": vendor_ids,
    }, RfqIn)
