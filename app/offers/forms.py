"""The offers pages' forms read into the API's schemas."""

from __future__ import annotations

from datetime import UTC, datetime, time

from app.errors import InvalidInput
from app.forms import read as read_form
from app.offers.schemas import (
    CounterProposalIn,
    OfferIn,
)


def offer_from_form(form: dict[str, str]) -> OfferIn:
    """The offer form (price_<line>, quantity_<line>, lead_time_days, valid_until, notes) as an OfferIn."""
    lines = []
    for key, value in form.items():
        if key.startswith("price_") and value.strip():
            line_id = int(key.removeprefix("price_"))
            quantity = form.get(f"quantity_{line_id}", "").strip()
            if quantity and not quantity.isdigit():
                raise InvalidInput(f"The quantity of line {line_id} must be a whole number.")
            lines.append({"rfq_line_id": line_id, "unit_price": value.strip(),
                          "quantity": int(quantity) if quantity else None})
    if not lines:
        raise InvalidInput("Give a unit price for at least one line.")
    lead = form.get("lead_time_days", "").strip() or "0"
    if not lead.isdigit():
        raise InvalidInput("The lead time is a whole number of days.")
    valid_until = None
    if form.get("valid_until", "").strip():
        try:
            day = datetime.strptime(form["valid_until"].strip(), "%Y-%m-%d").date()
        except ValueError:
            raise InvalidInput("Valid until is a date like 2027-01-31.") from None
        valid_until = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return read_form({"lines": lines, "lead_time_days": int(lead), "valid_until": valid_until,
                      "notes": form.get("notes", "")}, OfferIn)


def proposal_from_form(form: dict[str, str]) -> CounterProposalIn:
    """The counter-proposal form (target_<line id>, message) as a CounterProposalIn; empty targets are left out."""
    lines = [
        {"rfq_line_id": int(key.removeprefix("target_")), "unit_price": value.strip()}
        for key, value in form.items()
        if key.startswith("target_") and key.removeprefix("target_").isdigit() and value.strip()
    ]
    if not lines:
        raise InvalidInput("Give a target price for at least one line.")
    return read_form({"lines": lines, "message": form.get("message", "").strip()}, CounterProposalIn)
