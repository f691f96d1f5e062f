"""The offers pages' forms read into the API's schemas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time

from app.errors import FieldErrors, InvalidInput
from app.forms import read as read_form
from app.forms import too_long
from app.locales import DEFAULT_LOCALE
from app.money import MoneyError, typed_amount
from app.offers.schemas import (
    CounterProposalIn,
    OfferIn,
    RfqLineView,
)


def offer_from_form(form: dict[str, str], rfq_lines: Sequence[RfqLineView], locale: str = DEFAULT_LOCALE) -> OfferIn:
    """The offer form (price_<line>, quantity_<line>, lead_time_days, valid_until, notes) as an OfferIn; every
    field it cannot read is told at once (FieldErrors, keyed by the form's field names, lines named as the page
    names them)."""
    names = {line.id: f"Line {line.position} ({line.description})" for line in rfq_lines}
    errors: dict[str, str] = {}
    lines = []
    for key, value in form.items():
        if key.startswith("price_") and key.removeprefix("price_").isdigit() and value.strip():
            line_id = int(key.removeprefix("price_"))
            quantity = form.get(f"quantity_{line_id}", "").strip()
            if quantity and not quantity.isdigit():
                errors[f"quantity_{line_id}"] = (f"{names.get(line_id, 'This line')}: the quantity offered must be a "
                                                 "whole number.")
                continue
            try:
                price = typed_amount(value, locale)  # as the vendor writes amounts ("3,10" in German)
            except MoneyError as exc:
                errors[key] = f"{names.get(line_id, 'This line')}: {exc}"
                continue
            lines.append({"rfq_line_id": line_id, "unit_price": price, "quantity": int(quantity) if quantity else None})
    if not lines and not errors:
        errors["form"] = "Give a unit price for at least one line."
    lead = form.get("lead_time_days", "").strip() or "0"
    if not lead.isdigit():
        errors["lead_time_days"] = "The lead time is a whole number of days."
    valid_until = None
    if form.get("valid_until", "").strip():
        try:
            day = datetime.strptime(form["valid_until"].strip(), "%Y-%m-%d").date()
            valid_until = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        except ValueError:
            errors["valid_until"] = "Valid until is a date like 2027-01-31."
    days = form.get("payment_terms_days", "").strip()
    if days and not (days.isdigit() and int(days) <= 365):
        errors["payment_terms_days"] = "The payment terms are a whole number of days from 0 to 365."
    errors |= too_long({"notes": form.get("notes", "")}, OfferIn, {"notes": ("notes", "Notes")})
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    return read_form({"lines": lines, "lead_time_days": int(lead), "valid_until": valid_until,
                      "notes": form.get("notes", ""), "currency": form.get("currency", "").strip()[:10] or None,
                      "payment_terms_days": int(days) if days else None}, OfferIn,
                     fields={"lead_time_days": ("lead_time_days", "Lead time")})


def proposal_from_form(form: dict[str, str], locale: str = DEFAULT_LOCALE) -> CounterProposalIn:
    """The counter-proposal form (target_<line id>, message) as a CounterProposalIn; empty targets are left out;
    targets as the buyer writes amounts."""
    lines, errors = [], {}
    for key, value in form.items():
        if key.startswith("target_") and key.removeprefix("target_").isdigit() and value.strip():
            try:
                lines.append({"rfq_line_id": int(key.removeprefix("target_")),
                              "unit_price": typed_amount(value, locale)})
            except MoneyError as exc:
                errors[key] = f"Target price: {exc}"
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    if not lines:
        raise InvalidInput("Give a target price for at least one line.")
    return read_form({"lines": lines, "message": form.get("message", "").strip()}, CounterProposalIn,
                     fields={"message": ("message", "Message to the vendor")})
