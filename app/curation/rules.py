"""The pure rules of curation: audit diffs, category paths and trees, price list checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.money import MoneyError, from_minor, parse_amount, parse_currency, to_minor

REASON_MAX_LENGTH = 2000


class RuleViolation(ValueError):
    """Input a curation rule refuses; the message says what to fix."""


# --- audit --------------------------------------------------------------------------------------


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for every field of `after` whose value differs."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


# --- categories ---------------------------------------------------------------------------------


def category_path(parent_path: str | None, category_id: int) -> str:
    """The materialized path of a category: its ancestors' ids then its own, "/1/4/9/"."""
    return f"{parent_path or '/'}{category_id}/"


@dataclass
class CategoryNode:
    id: int
    name: str
    parent_id: int | None
    path: str
    children: list[CategoryNode] = field(default_factory=list)


def build_tree(rows: Iterable[tuple[int, str, int | None, str]]) -> list[CategoryNode]:
    """Nest flat (id, name, parent_id, path) rows; siblings sorted by name."""
    nodes = {row[0]: CategoryNode(id=row[0], name=row[1], parent_id=row[2], path=row[3]) for row in rows}
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent else roots).append(node)

    def sort(level: list[CategoryNode]) -> list[CategoryNode]:
        level.sort(key=lambda n: (n.name.lower(), n.id))
        for n in level:
            sort(n.children)
        return level

    return sort(roots)


# --- reasons and names ----------------------------------------------------------------------------


def required_text(value: str | None, what: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(f"{what} is required")
    if len(text) > max_length:
        raise RuleViolation(f"{what} must be at most {max_length} characters")
    return text


# --- price lists --------------------------------------------------------------------------------


def check_owner(
    segment_id: int | None, company_id: int | None, fields: tuple[str, str] = ("segment_id", "company_id")
) -> None:
    """A price list is for exactly one segment or one buyer company (the database checks it too);
    `fields` are the names the writer knows the two by, for the message."""
    segment, company = fields
    if segment_id is not None and company_id is not None:
        raise RuleViolation(f"give either {segment} or {company}, not both: a price list is for one of them")
    if segment_id is None and company_id is None:
        raise RuleViolation(f"give {segment} or {company}: the segment or buyer company the prices are for")


def check_validity(valid_from: datetime | None, valid_to: datetime | None) -> None:
    for name, moment in (("valid_from", valid_from), ("valid_to", valid_to)):
        if moment is not None and moment.utcoffset() is None:
            raise RuleViolation(f"{name} needs a time zone, for example 2026-01-01T00:00:00Z")
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise RuleViolation("valid_to must be after valid_from")


def check_currency(code: str) -> str:
    try:
        return parse_currency(code)
    except MoneyError as exc:
        raise RuleViolation(f"currency: {exc}") from None


@dataclass(frozen=True, slots=True)
class EntryInput:
    listing_id: int
    min_qty: int
    unit_price: str


@dataclass(frozen=True, slots=True)
class EntryValues:
    listing_id: int
    min_qty: int
    unit_price: Decimal

    @property
    def key(self) -> tuple[int, int]:
        return (self.listing_id, self.min_qty)


def from_minor_exact(price: Decimal) -> Decimal:
    """The price as stored and read back (four decimals), so logs and answers spell it one way."""
    return from_minor(to_minor(price))  # type: ignore[return-value]


def parse_entries(entries: Iterable[EntryInput]) -> list[EntryValues]:
    """Checked entries, or one `RuleViolation` listing every problem (entries[i]: what to fix)."""
    problems: list[str] = []
    parsed: list[EntryValues] = []
    seen: dict[tuple[int, int], int] = {}
    for index, entry in enumerate(entries):
        where = f"entries[{index}]"
        if entry.min_qty < 1:
            problems.append(f"{where}: min_qty must be at least 1")
            continue
        try:
            price = parse_amount(entry.unit_price)
            to_minor(price)
        except MoneyError as exc:
            problems.append(f"{where}: unit_price: {exc}")
            continue
        if price <= 0:
            problems.append(f"{where}: unit_price must be greater than 0")
            continue
        key = (entry.listing_id, entry.min_qty)
        if key in seen:
            problems.append(
                f"{where}: listing {entry.listing_id} already has a price from {entry.min_qty} in entries[{seen[key]}]"
            )
            continue
        seen[key] = index
        parsed.append(
            EntryValues(listing_id=entry.listing_id, min_qty=entry.min_qty, unit_price=from_minor_exact(price))
        )
    if problems:
        raise RuleViolation("; ".join(problems))
    return parsed


@dataclass(frozen=True, slots=True)
class ListingForPrice:
    id: int
    status: str
    currency: str


def check_entry_listings(
    entries: Iterable[EntryValues], listings: Mapping[int, ListingForPrice], currency: str
) -> None:
    """Every entry names an approved listing sold in the price list's currency."""
    problems: list[str] = []
    for index, entry in enumerate(entries):
        listing = listings.get(entry.listing_id)
        where = f"entries[{index}]"
        if listing is None:
            problems.append(f"{where}: listing {entry.listing_id} does not exist")
        elif listing.status != "approved":
            problems.append(
                f"{where}: listing {entry.listing_id} is {listing.status}; only approved listings get prices"
            )
        elif listing.currency != currency:
            problems.append(
                f"{where}: listing {entry.listing_id} is sold in {listing.currency}, the price list is in {currency}"
            )
    if problems:
        raise RuleViolation("; ".join(problems))
