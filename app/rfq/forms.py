"""The RFQ pages' forms read into the API's schemas, so the pages' input goes through the same checks."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from litestar.datastructures import FormMultiDict

from app.clock import LocalTimeError, local_to_utc, utc_to_local_input
from app.errors import FieldErrors, InvalidInput
from app.forms import beside, max_lengths
from app.forms import read as read_form
from app.locales import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, Place
from app.money import MoneyError, amount_input, parse_currency, typed_amount
from app.rfq import rules
from app.rfq.rules import MAX_INVITED, MAX_LINES
from app.rfq.schemas import (
    AnswerIn,
    CancelIn,
    QuestionIn,
    RfqIn,
    RfqLineIn,
    RfqOut,
    RfqPatch,
)
from app.rfq.states import BiddingMode, PaymentTerms, Visibility

# Line rows on the new-RFQ page.
FORM_LINES = 5
# The body the RFQ page forms accept: far above what their fields may hold (the schema's bounds), so text past a
# bound is read and refused by the form's own check, which shows the form again with every field kept.
MAX_FORM_BYTES = 16 * 1024 * 1024
# The parts of the page's multipart form at most: six a line row, a chosen vendor each, and the RFQ's own fields.
MAX_FORM_PARTS = 6 * MAX_LINES + MAX_INVITED + 100
_LINE_FIELD = re.compile(r"line(\d{1,4})_(?:description|product_id|quantity|unit|target_price|notes)")


RFQ_LIMITS = max_lengths(RfqIn)
LINE_LIMITS = max_lengths(RfqLineIn)


def _line_numbers(form: Any) -> list[int]:
    """The line rows the form sent (the new-RFQ page has FORM_LINES; a draft's page as many as it has lines)."""
    return sorted({int(match.group(1)) for key in form if (match := _LINE_FIELD.fullmatch(key))})


def is_line_field(key: str) -> bool:
    """Whether a form field is one of a line row's ("line3_quantity")."""
    return _LINE_FIELD.fullmatch(key) is not None


def filled_rows(form: Any) -> list[int]:
    """The line rows with something typed in them, in order."""
    return [n for n in _line_numbers(form) if not is_blank_line(line_values(form, n))]


def form_rows(form: Any) -> range:
    """The line rows to show: every row filled in, and at least two empty ones up to FORM_LINES."""
    highest = max(filled_rows(form), default=0)
    return range(1, min(MAX_LINES, max(FORM_LINES, highest + 2)) + 1)


def parse_moment(raw: str, what: str, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """A moment from a `datetime-local` field, typed in the user's `time_zone`, or an ISO string with its offset.
    A time the clocks skip in that zone is refused with what to type instead."""
    try:
        return local_to_utc(raw, time_zone)
    except LocalTimeError as exc:
        if "does not exist" in str(exc):
            raise InvalidInput(f"{what}: {exc}") from None
        raise InvalidInput(f"{what} must be a date and time such as 2027-01-31T17:00") from None


# What the page calls each field, for its errors: "Title: …", "Line 2 — target price: …".
LABELS = {
    "title": "Title", "description": "Description", "currency": "Currency", "deadline": "Deadline",
    "delivery_address": "Delivery address", "delivery_date": "Delivery date", "payment_terms": "Payment terms",
    "visibility": "Who may answer", "bidding_mode": "Bidding", "min_decrement": "Minimum decrement",
    "anti_snipe_minutes": "Anti-sniping minutes", "max_extension_minutes": "Maximum total extension",
    "vendor_ids": "Invited vendors",
}
LINE_LABELS = {"description": "description", "product_id": "catalog product", "quantity": "quantity",
               "unit": "unit", "target_price": "target price", "notes": "notes"}
LINE_FIELDS = tuple(LINE_LABELS)


def line_key(n: int, field: str) -> str:
    return f"line{n}_{field}"


class FormProblems:
    """The form's problems by field name, each said as the page says it beside the field."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, key: str, problem: str) -> None:
        self.fields.setdefault(key, f"{LABELS[key]}: {problem}" if key in LABELS else problem)

    def add_line(self, n: int, field: str, problem: str) -> None:
        self.fields.setdefault(line_key(n, field), f"Line {n} — {LINE_LABELS[field]}: {problem}")

    def raise_any(self) -> None:
        if self.fields:
            raise FieldErrors(" ".join(self.fields.values()), dict(self.fields))


def _too_long(text: str, limit: int) -> str | None:
    return f"must be at most {limit:,} characters (this one has {len(text):,})" if len(text) > limit else None


def _whole(raw: str) -> int | None:
    """A whole number as typed (at most 12 digits, so never a huge int), or None."""
    text = raw.strip()
    return int(text) if text.lstrip("+-").isdigit() and text.isascii() and len(text) <= 12 else None


def _choice(problems: FormProblems, form: Any, key: str, kind: type[StrEnum], default: str) -> str:
    value = form.get(key, default) or default
    if value not in {member.value for member in kind}:
        problems.add(key, "choose one of the options")
    return value


def line_values(form: Any, n: int) -> dict[str, str]:
    """One line row's fields as typed (text fields only: a file field is no line's)."""
    return {field: value if isinstance(value := form.get(line_key(n, field), ""), str) else ""
            for field in LINE_FIELDS}


def is_blank_line(values: dict[str, str]) -> bool:
    """A row with nothing typed but (perhaps) its unit: the page's spare rows."""
    return not any(values[field].strip() for field in LINE_FIELDS if field != "unit")


def _typed(raw: str, locale: str, refuse: Any) -> str | None:
    """A money field as the reader's locale writes amounts, in the API's dot-decimal text; None when empty or
    unreadable (then `refuse` is told how to type it)."""
    try:
        return typed_amount(raw, locale) or None
    except MoneyError as exc:
        refuse(str(exc))
        return None


def _lines(form: Any, problems: FormProblems, locale: str) -> list[dict[str, Any]]:
    lines = []
    for n in _line_numbers(form):
        values = line_values(form, n)
        if is_blank_line(values):
            continue
        product_id = None
        if values["product_id"].strip():
            product_id = _whole(values["product_id"])
            if product_id is None or product_id < 1:
                problems.add_line(n, "product_id", "pick the product with the search, or clear it for a free-text "
                                                   "line")
        quantity = _whole(values["quantity"])
        if not values["quantity"].strip():
            problems.add_line(n, "quantity", "give how many you need")
        elif quantity is None:
            problems.add_line(n, "quantity", "must be a whole number of at least 1")
        for field in ("description", "notes"):
            if problem := _too_long(values[field], LINE_LIMITS[field]):
                problems.add_line(n, field, problem)
        target_price = _typed(values["target_price"], locale, partial(problems.add_line, n, "target_price"))
        found = rules.line_problems(product_id=product_id, description=values["description"],
                                    quantity=quantity if quantity is not None else 1, unit=values["unit"],
                                    target_price=target_price)
        if values["product_id"].strip() and product_id is None:
            found.pop("description", None)  # the product field says it
        for field, problem in found.items():
            problems.add_line(n, field, problem)
        lines.append({"quantity": quantity or 0, "product_id": product_id, "description": values["description"],
                      "unit": values["unit"].strip() or "pcs", "target_price": target_price,
                      "notes": values["notes"]})
    if len(lines) > MAX_LINES:
        problems.add("form", f"An RFQ has at most {MAX_LINES} lines; this one has {len(lines)}.")
    return lines


def _auction(form: Any, problems: FormProblems, locale: str) -> dict[str, Any]:
    minutes = {}
    for key in ("anti_snipe_minutes", "max_extension_minutes"):
        raw = form.get(key, "") or "0"
        minutes[key] = _whole(raw)
        if minutes[key] is None:
            problems.add(key, "must be a whole number of minutes")
    decrement = _typed(form.get("min_decrement", ""), locale, lambda problem: problems.add("min_decrement", problem))
    for key, problem in rules.auction_problems(
        min_decrement=decrement, anti_snipe_minutes=minutes["anti_snipe_minutes"] or 0,
        max_extension_minutes=minutes["max_extension_minutes"] or 0,
    ).items():
        problems.add(key, problem)
    return {**{key: value or 0 for key, value in minutes.items()}, "min_decrement": decrement,
            "show_best_price": form.get("show_best_price") == "on"}


def _deadline(form: Any, problems: FormProblems, now: datetime | None, place: Place) -> datetime | None:
    try:
        deadline = parse_moment(form.get("deadline", ""), "deadline", place.time_zone)
    except InvalidInput as exc:
        skipped = exc.message.removeprefix("deadline: ")
        problems.add("deadline", skipped if "does not exist" in skipped
                     else "give a date and time such as 2027-01-31 17:00")
        return None
    if now is not None:
        try:
            rules.check_deadline_horizon(deadline, now, place)
            rules.check_deadline(deadline, now)
        except rules.RuleError as exc:
            problems.add("deadline", str(exc).removeprefix("deadline "))
    return deadline


def rfq_from_form(form: Any, now: datetime | None = None, time_zone: str = DEFAULT_TIME_ZONE,
                  locale: str = DEFAULT_LOCALE) -> RfqIn:
    """The new-RFQ form as the API's input, blank line rows skipped. Every field it cannot take is told at once
    (FieldErrors keyed by the form's field names, each problem in the page's words: "Line 2 — target price: must
    not be negative"); with `now`, a deadline that passed (or is years away) is one of them."""
    problems = FormProblems()
    title = form.get("title", "").strip()
    if not title:
        problems.add("title", "give the RFQ a title")
    for key in ("title", "description", "delivery_address"):
        if problem := _too_long(form.get(key, "").strip() if key == "title" else form.get(key, ""), RFQ_LIMITS[key]):
            problems.add(key, problem)
    currency = form.get("currency", "")
    try:
        currency = parse_currency(currency)
    except MoneyError:
        problems.add("currency", "give a three-letter currency code such as EUR")
    deadline = _deadline(form, problems, now, Place(locale, time_zone))
    delivery = form.get("delivery_date", "").strip()
    delivery_date = None
    try:
        delivery_date = date.fromisoformat(delivery) if delivery else None
    except ValueError:
        problems.add("delivery_date", "give a date such as 2027-02-15")
    payment_terms = _choice(problems, form, "payment_terms", PaymentTerms, "net_30")
    visibility = _choice(problems, form, "visibility", Visibility, "invited")
    mode = _choice(problems, form, "bidding_mode", BiddingMode, "sealed")
    auction = _auction(form, problems, locale) if mode == BiddingMode.AUCTION.value else None
    lines = _lines(form, problems, locale)
    vendor_ids = [_whole(v) for v in form.getall("vendor_ids", []) if isinstance(v, str)]
    if any(v is None for v in vendor_ids):
        problems.add("vendor_ids", "choose vendors with the search")
    elif len(set(vendor_ids)) > MAX_INVITED:
        problems.add("vendor_ids", f"invite at most {MAX_INVITED} vendors")
    chosen_center = form.get("cost_center_id", "")
    cost_center_id = _whole(chosen_center) if isinstance(chosen_center, str) and chosen_center.strip() else None
    if isinstance(chosen_center, str) and chosen_center.strip() and (cost_center_id or 0) < 1:
        problems.add("cost_center_id", "choose one of your company's cost centers")
    problems.raise_any()
    try:
        return read_form({
            "title": title, "currency": currency, "deadline": deadline, "description": form.get("description", ""),
            "delivery_address": form.get("delivery_address", ""), "delivery_date": delivery_date,
            "payment_terms": payment_terms, "visibility": visibility, "bidding_mode": mode, "auction": auction,
            "lines": lines, "vendor_ids": list(dict.fromkeys(vendor_ids)), "cost_center_id": cost_center_id,
        }, RfqIn)
    except InvalidInput as exc:  # a bound the checks above do not know: still told on the page, values kept
        raise FieldErrors(exc.message, {"form": exc.message}) from None


def patch_from_form(form: Any, now: datetime | None = None, time_zone: str = DEFAULT_TIME_ZONE,
                    locale: str = DEFAULT_LOCALE) -> RfqPatch:
    """The edit-draft form (the new-RFQ form filled with the draft) as the API's PATCH: every field, the lines and
    the invited vendors replaced."""
    rfq = rfq_from_form(form, now, time_zone, locale)  # checked against the schema's bounds already
    return RfqPatch(**{name: getattr(rfq, name) for name in RfqIn.__struct_fields__})


def form_from_rfq(rfq: RfqOut, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE) -> FormMultiDict:
    """A draft as the values of the new-RFQ form, to edit it there (the deadline in the user's zone, amounts as
    they type them)."""
    values = [
        ("title", rfq.title), ("description", rfq.description), ("currency", rfq.currency),
        ("deadline", utc_to_local_input(rfq.deadline, time_zone)), ("delivery_address", rfq.delivery_address),
        ("delivery_date", rfq.delivery_date.isoformat() if rfq.delivery_date else ""),
        ("payment_terms", rfq.payment_terms), ("visibility", rfq.visibility), ("bidding_mode", rfq.bidding_mode),
    ]
    if rfq.auction:
        values += [("min_decrement", amount_input(rfq.auction.min_decrement, locale)),
                   ("anti_snipe_minutes", str(rfq.auction.anti_snipe_minutes)),
                   ("max_extension_minutes", str(rfq.auction.max_extension_minutes))]
        if rfq.auction.show_best_price:
            values.append(("show_best_price", "on"))
    for n, line in enumerate(rfq.lines, start=1):
        values += [(f"line{n}_description", line.description),
                   (f"line{n}_product_id", str(line.product_id) if line.product_id else ""),
                   (f"line{n}_quantity", str(line.quantity)), (f"line{n}_unit", line.unit),
                   (f"line{n}_target_price", amount_input(line.target_price, locale)), (f"line{n}_notes", line.notes)]
    values += [("vendor_ids", str(invitation.vendor_id)) for invitation in rfq.invitations]
    values.append(("cost_center_id", str(rfq.cost_center_id) if rfq.cost_center_id else ""))
    return FormMultiDict(values)


CANCEL_LIMITS = max_lengths(CancelIn)


def cancellation_of(form: Any) -> str:
    """The cancel form's reason, trimmed; blank or too long is said beside it (the vendors read it)."""
    reason = (form.get("reason") or "").strip()
    if not reason:
        raise beside("reason", "Reason: say why the RFQ is cancelled; the vendors will read it.")
    return read_form({"reason": reason}, CancelIn, fields={"reason": ("reason", "Reason")}).reason


ANSWER_LIMIT = max_lengths(AnswerIn)["answer"]


def answer_of(form: Any, field: str) -> str:
    """A question's answer from the RFQ page, trimmed and within AnswerIn's bound; else said beside `field`."""
    text = (form.get("answer") or "").strip()
    if not text:
        raise beside(field, "Answer: write the answer to the vendor's question.")
    return read_form({"answer": text}, AnswerIn, fields={"answer": (field, "Answer")}).answer


def question_of(form: Any) -> str:
    """A vendor's question from its RFQ page, trimmed and within QuestionIn's bound; else said beside it."""
    text = (form.get("question") or "").strip()
    if not text:
        raise beside("question", "Question: write what you want to ask the buyer.")
    return read_form({"question": text}, QuestionIn, fields={"question": ("question", "Question")}).question
