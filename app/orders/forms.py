"""The buyer's ordering pages' forms read into the API's schemas, so a page's input gets the API's checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.errors import FieldErrors, InvalidInput
from app.forms import beside, too_long
from app.forms import read as read_form
from app.orders.order_schemas import (
    CancellationAnswer,
    CancellationIn,
    CheckoutIn,
    OrderCancelIn,
    OrderOut,
    ReceiptIn,
)
from app.orders.requisition_schemas import (
    MAX_NAME as MAX_LIST_NAME,
)
from app.orders.requisition_schemas import (
    RequisitionFromCartIn,
    RequisitionFromOrderIn,
    RequisitionLineIn,
    RequisitionLinePatch,
    RequisitionListIn,
    RequisitionListPatch,
    RequisitionToCartIn,
)
from app.orders.schemas import CartLineIn, CartLinePatch
from app.orders.states import over_received

_EXPECTED = re.compile(r"line_(\d+)_quantity")
_RECEIVED = re.compile(r"received_(\d+)")
_TICKED = re.compile(r"line_(\d+)")


def whole(raw: str | None, what: str, default: int | None = None) -> int | None:
    """A whole number from a form field; an empty field is `default`."""
    text = (raw or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number.") from None


def day(raw: str | None, what: str) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a date such as 2027-01-31.") from None


def cart_line_from_form(form: Mapping[str, str]) -> CartLineIn:
    """The product page's "add to cart": a listing and a quantity."""
    return read_form({"listing_id": whole(form.get("listing_id"), "listing_id"),
                      "quantity": whole(form.get("quantity"), "quantity")}, CartLineIn)


def quantity_from_form(form: Mapping[str, str], field: str = "quantity") -> int:
    """A cart line's new quantity; a wrong one is said beside `field` (the page's id of that line's quantity)."""
    try:
        quantity = whole(form.get("quantity"), "Quantity")
    except InvalidInput as exc:
        raise beside(field, exc.message) from None
    return read_form({"quantity": quantity}, CartLinePatch, fields={"quantity": (field, "Quantity")}).quantity


@dataclass(frozen=True, slots=True)
class CheckoutForm:
    """What the buyer typed on the checkout page, kept as typed to show it again when the checkout is refused."""

    po_number: str = ""
    delivery_address_id: str = ""
    billing_address_id: str = ""
    requested_delivery_date: str = ""
    note: str = ""
    token: str = ""
    cost_center_id: str = ""


def typed_checkout(form: Mapping[str, str]) -> CheckoutForm:
    """Every field as typed (the request's size limit bounds them), to show again whatever the refusal."""
    return CheckoutForm(
        po_number=form.get("po_number", ""), delivery_address_id=form.get("delivery_address_id", ""),
        billing_address_id=form.get("billing_address_id", ""),
        requested_delivery_date=form.get("requested_delivery_date", ""), note=form.get("note", ""),
        token=form.get("token", "")[:200], cost_center_id=form.get("cost_center_id", ""),
    )


CHECKOUT_FIELDS = {"po_number": ("po_number", "PO number"), "note": ("note", "Note to the vendors"),
                   "delivery_address_id": ("delivery_address_id", "Delivery address"),
                   "billing_address_id": ("billing_address_id", "Billing address"),
                   "cost_center_id": ("cost_center_id", "Cost center")}


def checkout_from_form(form: Mapping[str, str]) -> CheckoutIn:
    """The checkout page: addresses, PO number, date, note, and the lines as shown (`line_<id>_quantity`,
    `line_<id>_unit_price`, `line_<id>_net`, hidden). FieldErrors for every field the buyer typed wrong."""
    po_number = form.get("po_number", "").strip()
    errors = too_long({"po_number": po_number, "note": form.get("note", "")}, CheckoutIn, CHECKOUT_FIELDS)
    if not po_number:
        errors["po_number"] = "PO number: enter your purchase order number."
    try:
        wanted = day(form.get("requested_delivery_date"), "Requested delivery date")
    except InvalidInput as exc:
        errors["requested_delivery_date"] = exc.message
        wanted = None
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    expected = []
    for key, value in form.items():
        match = _EXPECTED.fullmatch(key)
        if match is None:
            continue
        line_id = match.group(1)
        expected.append({
            "line_id": int(line_id), "quantity": whole(value, f"line {line_id}'s quantity"),
            "unit_price": form.get(f"line_{line_id}_unit_price", "").strip() or None,
            "net": form.get(f"line_{line_id}_net", "").strip() or None,
        })
    return read_form({
        "po_number": po_number, "expected_lines": expected,
        "delivery_address_id": whole(form.get("delivery_address_id"), "delivery address"),
        "billing_address_id": whole(form.get("billing_address_id"), "billing address"),
        "requested_delivery_date": wanted, "note": form.get("note", ""),
        "cost_center_id": whole(form.get("cost_center_id"), "cost center"),
    }, CheckoutIn, fields=CHECKOUT_FIELDS)


def cancel_from_form(form: Mapping[str, str], *, confirmed_needed: bool) -> OrderCancelIn:
    """A cancellation, or a request for one; cancelling outright needs its box ticked (it cannot be undone)."""
    if confirmed_needed and form.get("confirm") != "yes":
        raise beside("confirm", "Tick the box to confirm that you cancel this order: it cannot be undone.")
    return read_form({"reason": form.get("reason", "")}, OrderCancelIn, fields={"reason": ("reason", "Reason")})


def withdrawal_from_form(form: Mapping[str, str]) -> CancellationIn:
    """The buyer takes its cancellation request back, with an optional note."""
    return read_form({"answer": CancellationAnswer.WITHDRAW.value, "note": form.get("note", "")}, CancellationIn,
                     fields={"note": ("note", "Note")})


def receipt_from_form(form: Mapping[str, str], order: OrderOut | None = None) -> ReceiptIn:
    """The quantities received (`received_<line id>`); lines left at 0 are not part of the receipt. With the
    `order`, every line said to have received more than was shipped to it is said at once, beside it (the service
    checks again)."""
    lines, errors = [], {}
    by_id = {line.id: line for line in order.lines} if order else {}
    for key, value in form.items():
        match = _RECEIVED.fullmatch(key)
        if match is None:
            continue
        line = by_id.get(int(match.group(1)))
        named = f"Line {line.position}: " if line else ""
        try:
            quantity = whole(value, "The quantity received", 0) or 0
        except InvalidInput as exc:
            errors[key] = named + (exc.message[:1].lower() + exc.message[1:] if named else exc.message)
            continue
        if quantity < 0:
            errors[key] = f"{named}a quantity received cannot be negative." if named else \
                "A quantity received cannot be negative."
        elif line and (over := over_received({line.position: line.shipped},
                                             {line.position: line.received + quantity})):
            errors[key] = over[line.position]
        elif quantity:
            lines.append({"line_id": int(match.group(1)), "quantity": quantity})
    errors |= too_long({"note": form.get("note", "")}, ReceiptIn, {"note": ("note", "Note")})
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    if not lines:
        raise InvalidInput("Enter the quantity received of at least one line.")
    return read_form({"lines": lines, "note": form.get("note", "")}, ReceiptIn)


# --- requisition lists ----------------------------------------------------------------------------


def _ticked(form: Mapping[str, str], name: str) -> bool:
    return form.get(name) == "yes"


def _list_name(form: Mapping[str, str], field: str = "name") -> str:
    """A list's name as typed, trimmed; blank or too long is said beside the name field."""
    name = form.get(field, "").strip()
    if not name:
        raise beside(field, "Name: give the list a name, such as “Ward 3, weekly”.")
    if len(name) > MAX_LIST_NAME:
        raise beside(field, f"Name: must be at most {MAX_LIST_NAME:,} characters (this one has {len(name):,}).")
    return name


def new_list_from_form(form: Mapping[str, str]) -> RequisitionListIn:
    """The lists page's new list: a name, and whether colleagues may use it."""
    return read_form({"name": _list_name(form), "shared": _ticked(form, "shared")}, RequisitionListIn)


def list_patch_from_form(form: Mapping[str, str]) -> RequisitionListPatch:
    """A list's name and whether it is shared: the list page's form sends both."""
    return read_form({"name": _list_name(form), "shared": _ticked(form, "shared")}, RequisitionListPatch)


def list_line_from_form(form: Mapping[str, str], field: str = "quantity") -> RequisitionLinePatch:
    """A list line's new quantity; a wrong one is said beside `field` (the page's id of that line's quantity)."""
    try:
        quantity = whole(form.get("quantity"), "Quantity")
    except InvalidInput as exc:
        raise beside(field, exc.message) from None
    return read_form({"quantity": quantity}, RequisitionLinePatch, fields={"quantity": (field, "Quantity")})


def to_cart_from_form(form: Mapping[str, str]) -> RequisitionToCartIn:
    """The whole list (`lines=all`), or the lines ticked (`line_<id>=yes`, with `lines=chosen`)."""
    if form.get("lines") != "chosen":
        return RequisitionToCartIn()
    ticked = [int(match.group(1)) for key, value in form.items()
              if (match := _TICKED.fullmatch(key)) is not None and value == "yes"]
    if not ticked:
        raise InvalidInput("Tick the lines to add to your cart, or add the whole list.")
    return read_form({"line_ids": ticked}, RequisitionToCartIn)


def list_deletion_confirmed(form: Mapping[str, str]) -> None:
    """Deleting a list needs its box ticked: it cannot be undone."""
    if not _ticked(form, "confirm"):
        raise beside("confirm", "Tick the box to confirm that you delete this list: it cannot be undone.")


def from_cart_from_form(form: Mapping[str, str]) -> RequisitionFromCartIn:
    """The cart page's "save cart as list": the new list's name, and whether it is shared."""
    return read_form({"name": _list_name(form), "shared": _ticked(form, "shared")}, RequisitionFromCartIn)


def _list_choice(form: Mapping[str, str]) -> dict[str, Any]:
    """Which list an "add to list" form names: one of the caller's (`list_id`), or a new one (`list_id=new`, named
    `new_name`, shared if `shared` is ticked)."""
    chosen = (form.get("list_id") or "new").strip()
    if chosen != "new":
        return {"list_id": whole(chosen, "list")}
    name = form.get("new_name", "").strip()
    if not name:
        raise InvalidInput("Choose one of your lists or give the new list a name.")
    return {"name": name, "shared": _ticked(form, "shared")}


@dataclass(frozen=True, slots=True)
class OfferForList:
    """The product page's "add to list": an offer and a quantity, for one of the caller's lists or a new one."""

    line: RequisitionLineIn
    list_id: int | None = None
    new_list: RequisitionListIn | None = None


def offer_for_list_from_form(form: Mapping[str, str]) -> OfferForList:
    line = {"listing_id": whole(form.get("listing_id"), "listing_id"),
            "quantity": whole(form.get("quantity"), "quantity")}
    choice = _list_choice(form)
    if "list_id" in choice:
        return OfferForList(line=read_form(line, RequisitionLineIn), list_id=choice["list_id"])
    new_list = read_form({**choice, "lines": [line]}, RequisitionListIn)
    return OfferForList(line=new_list.lines[0], new_list=new_list)


def order_for_list_from_form(form: Mapping[str, str]) -> RequisitionFromOrderIn:
    """An order's "add these lines to a list": one of the caller's lists or a new one."""
    return read_form(_list_choice(form), RequisitionFromOrderIn)
