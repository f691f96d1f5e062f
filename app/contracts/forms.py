"""The contract pages' forms read into the API's schemas."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from app.contracts.schemas import (
    AmendmentIn,
    RatingIn,
    TerminateIn,
)
from app.errors import FieldErrors
from app.forms import beside, max_lengths, too_long
from app.forms import read as read_form
from app.locales import DEFAULT_LOCALE
from app.money import MoneyError, parse_amount, to_minor, typed_amount

AMENDMENT_LIMITS = max_lengths(AmendmentIn)
REASON_LIMIT = max_lengths(TerminateIn)["reason"]
RATING_COMMENT_LIMIT = max_lengths(RatingIn)["comment"]


def amendment_from_form(form: dict[str, str], locale: str = DEFAULT_LOCALE,
                        positions: dict[int, int] | None = None) -> AmendmentIn:
    """The amendment form: valid_to (a date), price_<line id> for changed unit prices, note. Every field it
    cannot read is said at once beside it (FieldErrors keyed by the form's names), a price with its line's number
    when `positions` (line id → number) tells it."""
    errors: dict[str, str] = {}
    lines = []
    for key, value in form.items():
        if key.startswith("price_") and key.removeprefix("price_").isdigit() and value.strip():
            try:
                price = typed_amount(value, locale)  # as the user writes amounts ("3,10" in German)
                to_minor(parse_amount(price))
            except MoneyError as exc:
                position = (positions or {}).get(int(key.removeprefix("price_")))
                errors[key] = f"{'New unit price' if position is None else f'Line {position}, new unit price'}: {exc}."
                continue
            lines.append({"line_id": int(key.removeprefix("price_")), "unit_price": price})
    values: dict[str, Any] = {"lines": lines, "note": form.get("note", "")}
    errors |= too_long(values, AmendmentIn, {"note": ("note", "Note")})
    if form.get("valid_to", "").strip():
        try:
            day = datetime.strptime(form["valid_to"].strip(), "%Y-%m-%d").date()
            values["valid_to"] = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        except ValueError:
            errors["valid_to"] = "New end date: a date like 2027-12-31."
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    return read_form(values, AmendmentIn)


def termination_reason(form: dict[str, str]) -> str:
    """The reason for terminating, as typed; blank or past TerminateIn's bound is said beside it."""
    reason = form.get("reason", "")
    if not reason.strip():
        raise beside("reason", "Reason: say why the contract ends; the other party reads it.")
    return read_form({"reason": reason}, TerminateIn, fields={"reason": ("reason", "Reason")}).reason


def rating_from_form(form: dict[str, str]) -> RatingIn:
    """The rating form: score (1 to 5, a radio group) and comment; what is wrong is said beside its field."""
    score = form.get("score", "").strip()
    if score not in {"1", "2", "3", "4", "5"}:
        raise beside("rating_score", "Rating: choose from 1 (poor) to 5 (excellent).")
    return read_form({"score": int(score), "comment": form.get("comment", "")}, RatingIn,
                     fields={"comment": ("rating_comment", "Comment")})
