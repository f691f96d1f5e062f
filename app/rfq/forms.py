"""The RFQ pages' forms read into the API's schemas, so the pages' input goes through the same checks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from app.clock import as_utc
from app.errors import InvalidInput
from app.forms import read as read_form
from app.rfq.rules import MAX_LINES
from app.rfq.schemas import (
    AuctionSettingsIn,
    RfqIn,
    RfqLineIn,
    RfqOut,
    RfqPatch,
)

# Line rows on the new-RFQ page.
FORM_LINES = 5
# The body the RFQ page forms accept: far above what their fields may hold (the schema's bounds), so text past a
# bound is read and refused by the form's own check, which shows the form again with every field kept.
MAX_FORM_BYTES = 16 * 1024 * 1024
_LINE_FIELD = re.compile(r"line(\d{1,4})_(?:description|product_id)")


def max_lengths(schema: type) -> dict[str, int]:
    """Each text field's `max_length` in `schema`: the limits the form shows beside its fields and gives the
    browser (`maxlength`), read from the schema that checks them."""
    limits = {}
    for field in msgspec.inspect.type_info(schema).fields:  # type: ignore[attr-defined]
        kind = field.type.type if isinstance(field.type, msgspec.inspect.Metadata) else field.type
        if isinstance(kind, msgspec.inspect.StrType) and kind.max_length is not None:
            limits[field.name] = kind.max_length
    return limits


RFQ_LIMITS = max_lengths(RfqIn)
LINE_LIMITS = max_lengths(RfqLineIn)


def _line_numbers(form: Any) -> list[int]:
    """The line rows the form sent (the new-RFQ page has FORM_LINES; a draft's page as many as it has lines)."""
    return sorted({int(match.group(1)) for key in form if (match := _LINE_FIELD.fullmatch(key))})


def form_rows(form: Any) -> range:
    """The line rows to show: every row filled in, and at least two empty ones up to FORM_LINES."""
    highest = max(_line_numbers(form), default=0)
    return range(1, min(MAX_LINES, max(FORM_LINES, highest + 2)) + 1)


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
    for n in _line_numbers(form):
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


def patch_from_form(form: Any) -> RfqPatch:
    """The edit-draft form (the new-RFQ form filled with the draft) as the API's PATCH: every field, the lines and
    the invited vendors replaced."""
    rfq = rfq_from_form(form)  # checked against the schema's bounds already
    return RfqPatch(**{name: getattr(rfq, name) for name in RfqIn.__struct_fields__})


def _amount(value: Decimal | None) -> str:
    """An amount as typed into a field: no trailing zeros past the cents ("4.25", "0.50", "0.0035")."""
    if value is None:
        return ""
    whole, _, fraction = format(value.normalize(), "f").partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def form_from_rfq(rfq: RfqOut) -> FormMultiDict:
    """A draft as the values of the new-RFQ form, to edit it there."""
    values = [
        ("title", rfq.title), ("description", rfq.description), ("currency", rfq.currency),
        ("deadline", as_utc(rfq.deadline).strftime("%Y-%m-%dT%H:%M")), ("delivery_address", rfq.delivery_address),
        ("delivery_date", rfq.delivery_date.isoformat() if rfq.delivery_date else ""),
        ("payment_terms", rfq.payment_terms), ("visibility", rfq.visibility), ("bidding_mode", rfq.bidding_mode),
    ]
    if rfq.auction:
        values += [("min_decrement", _amount(rfq.auction.min_decrement)),
                   ("anti_snipe_minutes", str(rfq.auction.anti_snipe_minutes)),
                   ("max_extension_minutes", str(rfq.auction.max_extension_minutes))]
        if rfq.auction.show_best_price:
            values.append(("show_best_price", "on"))
    for n, line in enumerate(rfq.lines, start=1):
        values += [(f"line{n}_description", line.description),
                   (f"line{n}_product_id", str(line.product_id) if line.product_id else ""),
                   (f"line{n}_quantity", str(line.quantity)), (f"line{n}_unit", line.unit),
                   (f"line{n}_target_price", _amount(line.target_price)), (f"line{n}_notes", line.notes)]
    values += [("vendor_ids", str(invitation.vendor_id)) for invitation in rfq.invitations]
    return FormMultiDict(values)
