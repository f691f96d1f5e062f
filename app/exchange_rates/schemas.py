"""What the exchange-rates API takes and returns. Rates travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=10, examples=["USD"], description="ISO 4217 code")]


class ExchangeRateIn(msgspec.Struct, forbid_unknown_fields=True):
    """1 `base` = `rate` `quote` from `valid_on` on."""

    base: Code
    quote: Code
    rate: Annotated[str, msgspec.Meta(max_length=40, examples=["0.9213"],
                                      description="Units of `quote` for one `base`: a decimal string, ≤ 8 decimals")]
    valid_on: date
    source: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ExchangeRateOut(msgspec.Struct):
    id: int
    base: str
    quote: str
    rate: Decimal
    valid_on: date
    source: str
    label: str  # "1 USD = 0.9213 EUR, 2026-11-30"
    created_at: datetime


class ExchangeRatePageOut(msgspec.Struct):
    """Newest day first, then by pair."""

    items: list[ExchangeRateOut]
    page: int
    per_page: int
    next_page: int | None


class RowProblemOut(msgspec.Struct):
    row: int  # the file's row number as a spreadsheet shows it (the header is row 1)
    problem: str


class RateImportOut(msgspec.Struct):
    imported: int
    rates: list[ExchangeRateOut]
