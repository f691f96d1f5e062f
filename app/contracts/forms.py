"""The contract pages' forms read into the API's schemas."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from app.contracts.schemas import (
    AmendmentIn,
)
from app.errors import InvalidInput
from app.forms import read as read_form


def amendment_from_form(form: dict[str, str]) -> AmendmentIn:
    """The amendment form: valid_to (a date), price_<line id> for changed unit prices, note."""
    values: dict[str, Any] = {
        "lines": [
            {"line_id": int(key.removeprefix("price_")), "unit_price": value.strip()}
            for key, value in form.items()
            if key.startswith("price_") and key.removeprefix("price_").isdigit() and value.strip()
        ],
        "note": form.get("note", "")[:2000],
    }
    if form.get("valid_to", "").strip():
        try:
            day = datetime.strptime(form["valid_to"].strip(), "%Y-%m-%d").date()
        except ValueError:
            raise InvalidInput("Valid to is a date like 2027-12-31.") from None
        values["valid_to"] = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    return read_form(values, AmendmentIn)
