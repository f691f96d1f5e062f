"""The one price resolver: which unit price a buyer pays for a listing at a quantity and a moment.

Pure: plain values in, a `ResolvedPrice` out, no I/O. `app/catalog/price_candidates.py` loads the
candidate entries for a whole page or cart in a fixed number of queries and calls this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.catalog.contract_consumption import split
from app.money import Money


class PriceSource(StrEnum):
    """Where a price comes from, strongest first."""

    CONTRACT = "contract"
    COMPANY_PRICE_LIST = "company_price_list"
    SEGMENT_PRICE_LIST = "segment_price_list"
    VOLUME_TIER = "volume_tier"
    BASE_PRICE = "base_price"


SOURCE_ORDER = tuple(PriceSource)


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """One candidate price: from `min_qty` units on, valid from `valid_from` until before `valid_to`."""

    source: PriceSource
    unit_price: Decimal
    currency: str
    min_qty: int = 1
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    company_id: int | None = None  # the buyer company of a contract or company price list
    segment_id: int | None = None  # the segment of a segment price list
    reference: str = ""  # the contract number or price list name shown as "why this price"
    entry_id: int | None = None
    # A contract price's line: the quantity it is priced for (None: unlimited) and how much has been ordered.
    contract_line_id: int | None = None
    committed: int | None = None
    consumed: int = 0

    def valid_at(self, moment: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= moment) and (
            self.valid_to is None or moment < self.valid_to
        )

    def applies_to(self, buyer: Buyer) -> bool:
        if self.source in (PriceSource.CONTRACT, PriceSource.COMPANY_PRICE_LIST):
            return self.company_id is not None and self.company_id == buyer.company_id
        if self.source is PriceSource.SEGMENT_PRICE_LIST:
            return self.segment_id is not None and self.segment_id == buyer.segment_id
        return True


@dataclass(frozen=True, slots=True)
class Buyer:
    company_id: int
    segment_id: int | None = None


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    unit_price: Decimal
    currency: str
    source: PriceSource
    min_qty: int
    reference: str = ""
    entry_id: int | None = None
    contract_line_id: int | None = None
    committed: int | None = None
    consumed: int = 0

    @property
    def money(self) -> Money:
        return Money(self.unit_price, self.currency)

    @property
    def why(self) -> str:
        """The buyer-facing reason for this price."""
        label = {
            PriceSource.CONTRACT: "Contract price",
            PriceSource.COMPANY_PRICE_LIST: "Your company's price list",
            PriceSource.SEGMENT_PRICE_LIST: "Your segment's price list",
            PriceSource.VOLUME_TIER: f"Volume price from {self.min_qty}",
            PriceSource.BASE_PRICE: "List price",
        }[self.source]
        return f"{label} {self.reference}".strip() if self.reference else label


class PricingError(ValueError):
    """No price can be given: a bad quantity, or a listing without a base price."""


def resolve_price(
    *, buyer: Buyer, base: PriceEntry, entries: Iterable[PriceEntry], quantity: int, at: datetime
) -> ResolvedPrice:
    """The unit price for `buyer` buying `quantity` at moment `at`.

    Sources are tried strongest first: a valid contract price of the buyer's company, the
    company's own price list, its segment's price list, the listing's volume tiers, and the
    base price. Inside a source the highest tier whose `min_qty` <= quantity wins (the lower
    price if two entries share that tier); entries not valid at `at`, or meant for another
    company or segment, never apply; nor does a contract price whose line has been ordered up to its
    committed quantity. A source with no applicable tier passes to the next.
    """
    if quantity < 1:
        raise PricingError("the quantity must be at least 1")
    if base.source is not PriceSource.BASE_PRICE:
        raise PricingError("the base entry must be the listing's base price")
    best: dict[PriceSource, PriceEntry] = {}
    for entry in entries:
        if entry.source is PriceSource.BASE_PRICE or entry.min_qty > quantity:
            continue
        if not entry.valid_at(at) or not entry.applies_to(buyer) or _used_up(entry):
            continue
        current = best.get(entry.source)
        if current is None or (entry.min_qty, -entry.unit_price) > (current.min_qty, -current.unit_price):
            best[entry.source] = entry
    chosen = next((best[source] for source in SOURCE_ORDER if source in best), base)
    return ResolvedPrice(
        unit_price=chosen.unit_price,
        currency=chosen.currency,
        source=chosen.source,
        min_qty=chosen.min_qty,
        reference=chosen.reference,
        entry_id=chosen.entry_id,
        contract_line_id=chosen.contract_line_id,
        committed=chosen.committed,
        consumed=chosen.consumed,
    )


@dataclass(frozen=True, slots=True)
class PricedPart:
    """Part of a line's quantity at one price: all of it, or what a contract line still covers, or the rest."""

    quantity: int
    price: ResolvedPrice


def resolve_parts(
    *, buyer: Buyer, base: PriceEntry, entries: Iterable[PriceEntry], quantity: int, at: datetime
) -> tuple[PricedPart, ...]:
    """The prices of a line of `quantity`, in parts when a contract line covers only part of it.

    The price is chosen as by `resolve_price` for the whole quantity (tiers count the whole line). A contract
    price whose line is priced for a committed quantity covers only what is left of it
    (`contract_consumption.split`); the rest is priced again without that contract line, by the next source
    (another contract line, a price list, a tier or the base price). A contract line with nothing left never
    applies. The parts' quantities add up to `quantity`, each part has its own price, and at most one part is
    not a contract price (the last).
    """
    pool = list(entries)
    parts: list[PricedPart] = []
    left = quantity
    while True:
        price = resolve_price(buyer=buyer, base=base, entries=pool, quantity=quantity, at=at)
        covered = left
        if price.source is PriceSource.CONTRACT:
            covered = split(left, price.committed, price.consumed).at_contract
        parts.append(PricedPart(quantity=covered, price=price))
        left -= covered
        if left == 0:
            return tuple(parts)
        pool = [e for e in pool if not _same_contract_line(e, price)]


def _same_contract_line(entry: PriceEntry, price: ResolvedPrice) -> bool:
    return entry.source is PriceSource.CONTRACT and entry.contract_line_id == price.contract_line_id


def _used_up(entry: PriceEntry) -> bool:
    """A contract price whose line has been ordered up to its committed quantity: it prices nothing more."""
    return (entry.source is PriceSource.CONTRACT and entry.committed is not None
            and entry.consumed >= entry.committed)
