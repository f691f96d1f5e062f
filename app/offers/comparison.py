"""The comparison of sealed offers after the close: plain values in, a lines-by-vendors matrix out, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LineAsked:
    """An RFQ line as the buyer asked it."""

    rfq_line_id: int
    position: int
    description: str
    quantity: int
    unit: str
    target_price: Decimal | None


@dataclass(frozen=True, slots=True)
class PriceOffered:
    unit_price: Decimal  # in the RFQ's currency (converted when the offer is in another)
    quantity: int
    own_unit_price: Decimal | None = None  # as offered, in the offer's currency, when that is another


@dataclass(frozen=True, slots=True)
class Bid:
    """One vendor's latest revision: its price per line offered (lines left out are absent)."""

    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_number: int
    lead_time_days: int
    valid_until: datetime | None
    prices: Mapping[int, PriceOffered]
    currency: str = ""  # the offer's own currency
    rate_label: str | None = None  # the rate its prices were converted at ("1 USD = 0.9213 EUR, 2026-11-30")
    payment_terms_days: int = 0


@dataclass(frozen=True, slots=True)
class Cell:
    offer_id: int
    unit_price: Decimal
    quantity: int
    extended_price: Decimal
    best: bool
    # Against the line's target price, for the quantity offered; None without a target.
    savings: Decimal | None
    own_unit_price: Decimal | None = None  # in the offer's own currency, when it is not the RFQ's


@dataclass(frozen=True, slots=True)
class Row:
    line: LineAsked
    cells: tuple[Cell | None, ...]  # one per vendor, in the order of `Comparison.vendors`
    best_unit_price: Decimal | None


@dataclass(frozen=True, slots=True)
class VendorColumn:
    offer_id: int
    vendor_id: int
    vendor_name: str
    revision_number: int
    lead_time_days: int
    valid_until: datetime | None
    total: Decimal
    lines_offered: int
    lines_best: int
    # Summed over the offered lines that have a target price; None when none has one (no target is not 0 saved).
    savings: Decimal | None
    lines_without_target: int  # offered lines left out of `savings`, having no target price
    currency: str = ""
    rate_label: str | None = None
    payment_terms_days: int = 0


@dataclass(frozen=True, slots=True)
class NotCompared:
    """A live offer in a currency with no exchange rate in force on the close: shown apart, never guessed at."""

    offer_id: int
    vendor_id: int
    vendor_name: str
    currency: str
    reason: str


@dataclass(frozen=True, slots=True)
class Comparison:
    rows: tuple[Row, ...]
    vendors: tuple[VendorColumn, ...]
    line_count: int
    not_compared: tuple[NotCompared, ...] = ()

    def coverage(self, vendor: VendorColumn) -> str:
        return f"{vendor.lines_offered}/{self.line_count}"


def compare(lines: Sequence[LineAsked], bids: Sequence[Bid], not_compared: Sequence[NotCompared] = ()) -> Comparison:
    """The matrix, every price in the RFQ's currency (`bids` come converted; `not_compared` could not be): every
    cell's unit and extended price, the lowest unit price per line marked (ties all
    marked), and per vendor its total, coverage, lead time and savings against the target prices (over the lines
    that have one, counting those left out).

    Vendors are ordered by coverage (most lines first), then total, then name: a stable, fair order.
    """
    ordered_lines = sorted(lines, key=lambda line: (line.position, line.rfq_line_id))
    known = {line.rfq_line_id for line in ordered_lines}
    best: dict[int, Decimal] = {}
    for bid in bids:
        for line_id, price in bid.prices.items():
            if line_id in known and (line_id not in best or price.unit_price < best[line_id]):
                best[line_id] = price.unit_price

    def cell(line: LineAsked, bid: Bid) -> Cell | None:
        price = bid.prices.get(line.rfq_line_id)
        if price is None:
            return None
        savings = None
        if line.target_price is not None:
            savings = (line.target_price - price.unit_price) * price.quantity
        return Cell(
            offer_id=bid.offer_id, unit_price=price.unit_price, quantity=price.quantity,
            extended_price=price.unit_price * price.quantity, best=price.unit_price == best[line.rfq_line_id],
            savings=savings, own_unit_price=price.own_unit_price,
        )

    columns = []
    for bid in bids:
        cells = [cell(line, bid) for line in ordered_lines]
        offered = [c for c in cells if c is not None]
        targeted = [c.savings for c in offered if c.savings is not None]
        columns.append((bid, cells, VendorColumn(
            offer_id=bid.offer_id, vendor_id=bid.vendor_id, vendor_name=bid.vendor_name,
            revision_number=bid.revision_number, lead_time_days=bid.lead_time_days, valid_until=bid.valid_until,
            total=sum((c.extended_price for c in offered), Decimal(0)), lines_offered=len(offered),
            lines_best=sum(1 for c in offered if c.best),
            savings=sum(targeted, Decimal(0)) if targeted else None, lines_without_target=len(offered) - len(targeted),
            currency=bid.currency, rate_label=bid.rate_label, payment_terms_days=bid.payment_terms_days,
        )))
    columns.sort(key=lambda item: (-item[2].lines_offered, item[2].total, item[2].vendor_name, item[2].offer_id))
    rows = tuple(
        Row(line=line, cells=tuple(cells[i] for _, cells, _ in columns), best_unit_price=best.get(line.rfq_line_id))
        for i, line in enumerate(ordered_lines)
    )
    return Comparison(rows=rows, vendors=tuple(column for _, _, column in columns), line_count=len(ordered_lines),
                      not_compared=tuple(not_compared))
