"""What makes a vendor's listing valid, and what an edit does to its status: pure rules, no I/O.

The API, the portal's form and the feed import all hand their raw values to `check_listing`,
so a listing is validated the same way whichever door it came through.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any, NamedTuple

from app.catalog.states import (
    CURATED_FIELDS,
    ListingStatus,
    ListingTransitionError,
    check_listing_transition,
)
from app.money import MoneyError, parse_amount, parse_currency, to_minor

MAX_INT = 2**31 - 1  # the listing's Integer columns
MAX_TIERS = 20
GTIN_LENGTHS = (8, 12, 13, 14)
TEXT_LIMITS = {"sku": 100, "title": 300, "brand": 200, "mpn": 100, "unit": 20, "description": 20_000}

# Every field of a listing a vendor sets, in the order forms and feed files show them.
FIELDS = (
    "sku", "title", "brand", "mpn", "gtin", "category_id", "description", "unit", "pack_size",
    "min_order_qty", "stock", "lead_time_days", "base_price", "currency", "tax_rate", "tiers",
)  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "brand": "", "mpn": "", "gtin": "", "category_id": None, "description": "", "unit": "pcs", "pack_size": 1,
    "min_order_qty": 1, "stock": 0, "lead_time_days": 0, "tax_rate": None, "tiers": (),
}  # fmt: skip
REQUIRED = ("sku", "title", "base_price", "currency")
# A listing's tax rate is a percentage with two decimals (the `listing.tax_rate` column: NUMERIC(5, 2)).
TAX_RATE_QUANTUM = Decimal("0.01")
TAX_RATE_RULE = "must be a percentage from 0 to 100 with at most 2 decimals, such as 19 or 7.5"


class FieldError(NamedTuple):
    column: str
    reason: str


class ListingInvalid(ValueError):
    """One or more fields are wrong; each error says which field and what to fix."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.column}: {e.reason}" for e in self.errors))


@dataclass(frozen=True, slots=True)
class Tier:
    min_qty: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class ListingValues:
    """A listing's vendor-set values, checked and normalized."""

    sku: str
    title: str
    base_price: Decimal
    currency: str
    brand: str = ""
    mpn: str = ""
    gtin: str = ""
    category_id: int | None = None
    description: str = ""
    unit: str = "pcs"
    pack_size: int = 1
    min_order_qty: int = 1
    stock: int = 0
    lead_time_days: int = 0
    tax_rate: Decimal | None = None  # percent; None: the marketplace's default rate
    tiers: tuple[Tier, ...] = field(default_factory=tuple)


# --- single values --------------------------------------------------------------------------------


def gtin_is_valid(gtin: str) -> bool:
    """GTIN-8/12/13/14 (EAN, UPC): digits only and a correct mod-10 check digit."""
    if not gtin.isascii() or not gtin.isdigit() or len(gtin) not in GTIN_LENGTHS:
        return False
    digits = [int(d) for d in gtin]
    body, check = digits[:-1], digits[-1]
    # Weights 3, 1, 3, … from the digit next to the check digit leftwards.
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_int(value: Any, *, minimum: int, what: str) -> int:
    """An integer from a JSON number or a form/feed string; `what` describes the bound in errors."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _text(value)
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, not {text!r}") from None
    if number < minimum:
        raise ValueError(f"must be {what}")
    if number > MAX_INT:
        raise ValueError(f"must be at most {MAX_INT}")
    return number


def parse_price(value: Any) -> Decimal:
    """A positive price with at most four decimals, from a decimal string (never a float)."""
    if isinstance(value, float):
        raise ValueError("must be a decimal string such as \"12.50\", not a floating-point number")
    try:
        amount = parse_amount(value if isinstance(value, Decimal | int) else _text(value))
        to_minor(amount)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None
    if amount <= 0:
        raise ValueError("must be greater than 0")
    return amount


def parse_tax_rate(value: Any) -> Decimal | None:
    """A tax rate in percent from 0 to 100 with at most two decimals, from a decimal string (never a float);
    empty is None: the marketplace's default rate applies."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        raise ValueError(f"{TAX_RATE_RULE}, given as a decimal string (\"19\"), not a floating-point number")
    if isinstance(value, bool):
        raise ValueError(TAX_RATE_RULE)
    try:
        rate = Decimal(value if isinstance(value, Decimal | int) else _text(value))
    except (InvalidOperation, ValueError):
        raise ValueError(TAX_RATE_RULE) from None
    # The bounds first: quantizing a huge exponent (1E+400) would raise instead of answering.
    if not rate.is_finite() or not 0 <= rate <= 100 or rate != rate.quantize(TAX_RATE_QUANTUM):
        raise ValueError(TAX_RATE_RULE)
    return rate.quantize(TAX_RATE_QUANTUM).copy_abs()  # copy_abs: "-0" is 0.00


def parse_tiers_text(text: str) -> list[tuple[str, str]]:
    """`"10:9.50|100:8.75"` (the feed's `tiers` cell) as (min_qty, unit_price) pairs."""
    pairs = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        qty, sep, price = part.partition(":")
        if not sep:
            raise ValueError(f"write each tier as min_qty:unit_price, separated by |: 10:9.50|100:8.75 (not {part!r})")
        pairs.append((qty.strip(), price.strip()))
    return pairs


def parse_tiers(raw: Any, base_price: Decimal | None) -> tuple[Tier, ...]:
    """Volume tiers: distinct `min_qty` of at least 2, prices that do not rise with the quantity."""
    if raw is None or raw == "":
        return ()
    pairs: Iterable[Any] = parse_tiers_text(raw) if isinstance(raw, str) else raw
    tiers: list[Tier] = []
    for pair in pairs:
        if isinstance(pair, Mapping):
            qty_raw, price_raw = pair.get("min_qty"), pair.get("unit_price")
        elif hasattr(pair, "min_qty"):
            qty_raw, price_raw = pair.min_qty, pair.unit_price
        else:
            qty_raw, price_raw = pair
        try:
            qty = parse_int(qty_raw, minimum=2, what="at least 2 (quantity 1 is the base price)")
        except ValueError as exc:
            raise ValueError(f"tier min_qty {exc}") from None
        try:
            price = parse_price(price_raw)
        except ValueError as exc:
            raise ValueError(f"tier from {qty}: unit price {exc}") from None
        tiers.append(Tier(qty, price))
    if len(tiers) > MAX_TIERS:
        raise ValueError(f"at most {MAX_TIERS} tiers")
    tiers.sort(key=lambda tier: tier.min_qty)
    for lower, higher in pairwise(tiers):
        if lower.min_qty == higher.min_qty:
            raise ValueError(f"two tiers start at {lower.min_qty}; each min_qty may appear once")
        if higher.unit_price > lower.unit_price:
            raise ValueError(
                f"the price from {higher.min_qty} ({higher.unit_price}) is higher than from {lower.min_qty} "
                f"({lower.unit_price}); buying more must not cost more per unit"
            )
    if tiers and base_price is not None and tiers[0].unit_price > base_price:
        raise ValueError(f"the price from {tiers[0].min_qty} is higher than the base price {base_price}")
    return tuple(tiers)


# --- a whole listing ------------------------------------------------------------------------------


def check_listing(raw: Mapping[str, Any]) -> ListingValues:
    """The checked values of a listing, or `ListingInvalid` naming every wrong field.

    `raw` maps field names to JSON values or form/feed strings; a missing or empty optional
    field takes its default.
    """
    errors: list[FieldError] = []
    values: dict[str, Any] = {}

    def blank(name: str) -> bool:
        value = raw.get(name)
        return value is None or (isinstance(value, str) and not value.strip())

    for name in REQUIRED:
        if blank(name):
            errors.append(FieldError(name, "is required"))
    for name, limit in TEXT_LIMITS.items():
        if name in REQUIRED and blank(name):
            continue
        text = _text(raw.get(name, DEFAULTS.get(name)))
        if len(text) > limit:
            errors.append(FieldError(name, f"is {len(text)} characters long; at most {limit}"))
        elif name == "unit" and not text:
            text = DEFAULTS["unit"]
        values[name] = text
    if any(ch in values.get("sku", "") for ch in "\t\r\n"):
        errors.append(FieldError("sku", "must not contain tabs or line breaks"))

    gtin = _text(raw.get("gtin")).replace(" ", "")
    if gtin and not gtin_is_valid(gtin):
        reason = f"{gtin!r} is not a valid GTIN: 8, 12, 13 or 14 digits ending in a correct check digit"
        errors.append(FieldError("gtin", reason))
    values["gtin"] = gtin

    values["category_id"] = None
    if not blank("category_id"):
        try:
            values["category_id"] = parse_int(raw["category_id"], minimum=1, what="a category id (1 or more)")
        except ValueError as exc:
            errors.append(FieldError("category_id", str(exc)))

    bounds = {
        "pack_size": (1, "at least 1"),
        "min_order_qty": (1, "at least 1"),
        "stock": (0, "0 or more"),
        "lead_time_days": (0, "0 or more"),
    }
    for name, (minimum, what) in bounds.items():
        if blank(name):
            values[name] = DEFAULTS[name]
            continue
        try:
            values[name] = parse_int(raw[name], minimum=minimum, what=what)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))

    base_price = None
    if not blank("base_price"):
        try:
            base_price = parse_price(raw["base_price"])
        except ValueError as exc:
            errors.append(FieldError("base_price", str(exc)))
    values["base_price"] = base_price
    if not blank("currency"):
        try:
            values["currency"] = parse_currency(_text(raw["currency"]))
        except MoneyError as exc:
            errors.append(FieldError("currency", str(exc)))
    try:
        values["tax_rate"] = parse_tax_rate(raw.get("tax_rate"))
    except ValueError as exc:
        errors.append(FieldError("tax_rate", str(exc)))

    try:
        values["tiers"] = parse_tiers(raw.get("tiers"), base_price)
    except ValueError as exc:
        errors.append(FieldError("tiers", str(exc)))

    if errors:
        raise ListingInvalid(errors)
    return ListingValues(**values)


# --- status ---------------------------------------------------------------------------------------


def curated_facts_changed(before: Mapping[str, Any], after: ListingValues) -> bool:
    """Whether an edit touches the product facts curation looked at (states.CURATED_FIELDS)."""
    return any(before.get(name) != getattr(after, name) for name in CURATED_FIELDS)


class VendorAction(NamedTuple):
    verb: str
    target: ListingStatus


SUBMIT = VendorAction("submit", ListingStatus.PENDING)
WITHDRAW = VendorAction("withdraw", ListingStatus.DRAFT)


def vendor_move(current: ListingStatus, action: VendorAction) -> ListingStatus:
    """The status after a vendor's submit or withdraw; `ListingTransitionError` says why not."""
    try:
        check_listing_transition(current, action.target, "vendor")
    except ListingTransitionError as exc:
        raise ListingTransitionError(f"cannot {action.verb}: {exc}") from None
    return action.target
