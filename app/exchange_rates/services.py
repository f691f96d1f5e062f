"""Exchange rates as a service: list, add one, import a CSV file of them (all or nothing), export them, and the
rates in force for a comparison (the one loader the offers' comparison and the scores use)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app import db
from app.auth import Principal
from app.errors import Conflict, FieldErrors, InvalidInput
from app.exchange_rates.conversion import (
    Rate,
    RateError,
    format_rate,
    parse_pair,
    parse_rate,
    rate_from_stored,
    rate_in_force,
    rate_to_stored,
)
from app.exchange_rates.schemas import ExchangeRateIn, ExchangeRateOut, ExchangeRatePageOut, RateImportOut
from app.exchange_rates.tables import ExchangeRate
from app.money import MoneyError, parse_currency
from app.spreadsheets import csv_file

PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_IMPORT_BYTES = 1024 * 1024  # some 25,000 rows of "USD,EUR,0.92130000,2026-11-30,ECB"
MAX_IMPORT_ROWS = 5000
COLUMNS = ("base", "quote", "rate", "valid_on", "source")
MAX_SOURCE = 200
NO_RATE_YET = "no rate yet"


def _out(row: dict[str, Any]) -> ExchangeRateOut:
    rate = rate_from_stored(row["rate"])
    return ExchangeRateOut(
        id=row["id"], base=row["base"], quote=row["quote"], rate=rate, valid_on=row["valid_on"], source=row["source"],
        label=Rate(row["base"], row["quote"], rate, row["valid_on"]).label(), created_at=row["created_at"],
    )


async def list_rates(page: int = 1, per_page: int = PER_PAGE, base: str = "", quote: str = "") -> ExchangeRatePageOut:
    """Every rate, newest day first (any buyer or operator may read them: they are no one's secret)."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    query = ExchangeRate.select()
    if base:
        query = query.where(ExchangeRate.base == base.strip().upper())
    if quote:
        query = query.where(ExchangeRate.quote == quote.strip().upper())
    rows = await query.order_by(ExchangeRate.valid_on, ascending=False).order_by(
        ExchangeRate.base).order_by(ExchangeRate.quote).limit(per_page + 1).offset((page - 1) * per_page)
    return ExchangeRatePageOut(items=[_out(row) for row in rows[:per_page]], page=page, per_page=per_page,
                               next_page=page + 1 if len(rows) > per_page else None)


@dataclass(frozen=True, slots=True)
class _Parsed:
    base: str
    quote: str
    rate: Any
    valid_on: date
    source: str


def _sentence(error: Exception) -> str:
    text = str(error)
    return f"{text[:1].upper()}{text[1:]}."


def _check(data: ExchangeRateIn) -> _Parsed:
    """The rate as typed, every field's problem at once (the page shows each beside its field)."""
    fields: dict[str, str] = {}
    base = quote = ""
    try:
        base = parse_currency(data.base)
    except MoneyError as exc:
        fields["base"] = _sentence(exc)
    try:
        quote = parse_currency(data.quote)
    except MoneyError as exc:
        fields["quote"] = _sentence(exc)
    if base and quote:
        try:
            parse_pair(base, quote)
        except RateError as exc:
            fields["quote"] = _sentence(exc)
    rate = None
    try:
        rate = parse_rate(data.rate)
    except RateError as exc:
        fields["rate"] = _sentence(exc)
    if fields:
        raise FieldErrors(" ".join(fields.values()), fields)
    return _Parsed(base, quote, rate, data.valid_on, data.source.strip())


async def _insert(principal: Principal, rates: Sequence[_Parsed]) -> list[ExchangeRateOut]:
    now = await db.db_now()
    try:
        async with db.transaction():
            rows = await ExchangeRate.insert(*[
                ExchangeRate(base=r.base, quote=r.quote, rate=rate_to_stored(r.rate), valid_on=r.valid_on,
                             source=r.source, created_by=principal.user_id, created_at=now)
                for r in rates
            ]).returning(*ExchangeRate.all_columns())
    except db.UNIQUE_VIOLATIONS:
        raise Conflict("A rate for one of these pairs and days exists already: rates are never overwritten; give the "
                       "correction a later day.") from None
    return [_out(row) for row in rows]


async def add_rate(principal: Principal, data: ExchangeRateIn) -> ExchangeRateOut:
    """One rate (operators); a second rate for the same pair and day is 409."""
    parsed = _check(data)
    try:
        return (await _insert(principal, [parsed]))[0]
    except Conflict:
        raise Conflict(f"There is already a {parsed.base} to {parsed.quote} rate for {parsed.valid_on.isoformat()}: "
                       "rates are never overwritten; give the correction a later day.") from None


# --- the file ------------------------------------------------------------------------------------------------------


class RatesFileInvalid(FieldErrors):
    """The rows to fix, each in the operator's words; nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        shown = problems[:50]
        more = f" … and {len(problems) - len(shown)} more." if len(problems) > len(shown) else ""
        text = " ".join(f"Row {row}: {problem}" for row, problem in shown) + more
        super().__init__(f"Nothing was imported; fix these rows and upload the file again. {text}", {"file": text})
        self.problems = problems


def read_rates_file(content: bytes, existing: Iterable[tuple[str, str, date]] = ()) -> list[_Parsed]:
    """The rates of a CSV file with the header base,quote,rate,valid_on[,source] (a spreadsheet's export: commas or
    semicolons, UTF-8 with or without its mark); every row's problems at once, or the rates."""
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_IMPORT_BYTES // 1024} KB: split it into smaller files.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.") from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [name for name in COLUMNS[:4] if name not in header]
    if missing:
        raise InvalidInput(f"The first row must name the columns base, quote, rate and valid_on (source is optional);"
                           f" missing: {', '.join(missing)}.")
    at = {name: header.index(name) for name in COLUMNS if name in header}
    seen = set(existing)
    rates: list[_Parsed] = []
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if number - 1 > MAX_IMPORT_ROWS:
            raise InvalidInput(f"The file has more than {MAX_IMPORT_ROWS} rates: split it into smaller files.")

        def cell(name: str, row: list[str] = row) -> str:
            return row[at[name]].strip() if name in at and at[name] < len(row) else ""

        wrong: list[str] = []
        base = quote = ""
        try:
            base, quote = parse_pair(cell("base"), cell("quote"))
        except RateError as exc:
            wrong.append(str(exc))
        rate = None
        try:
            rate = parse_rate(cell("rate"))
        except RateError as exc:
            wrong.append(str(exc))
        valid_on = None
        try:
            valid_on = date.fromisoformat(cell("valid_on"))
        except ValueError:
            wrong.append(f"valid_on “{cell('valid_on')}” is not a date written as 2026-11-30")
        if len(cell("source")) > MAX_SOURCE:
            wrong.append(f"the source is longer than {MAX_SOURCE} characters")
        if not wrong and valid_on is not None:
            key = (base, quote, valid_on)
            if key in seen:
                wrong.append(f"there is already a {base} to {quote} rate for {valid_on.isoformat()} (in the file or "
                             "kept already); rates are never overwritten")
            seen.add(key)
        if wrong:
            problems.append((number, "; ".join(wrong) + "."))
        elif valid_on is not None:
            rates.append(_Parsed(base, quote, rate, valid_on, cell("source")))
    if problems:
        raise RatesFileInvalid(problems)
    if not rates:
        raise InvalidInput("The file has no rates below its header row.")
    return rates


async def import_rates(principal: Principal, content: bytes) -> RateImportOut:
    """A CSV file of rates (operators), all or nothing: any row to fix and none is imported."""
    days = await ExchangeRate.select(ExchangeRate.base, ExchangeRate.quote, ExchangeRate.valid_on)
    rates = read_rates_file(content, {(r["base"], r["quote"], r["valid_on"]) for r in days})
    saved = await _insert(principal, rates)
    return RateImportOut(imported=len(saved), rates=saved)


async def export_csv() -> bytes:
    """Every rate as the import reads them (the one neutralizing writer: a source typed "=…" stays text)."""
    rows = await ExchangeRate.select().order_by(ExchangeRate.valid_on, ascending=False).order_by(
        ExchangeRate.base).order_by(ExchangeRate.quote)
    return csv_file([COLUMNS, *((r["base"], r["quote"], format_rate(rate_from_stored(r["rate"])),
                                 r["valid_on"], r["source"]) for r in rows)])


# --- for comparisons -----------------------------------------------------------------------------------------------


async def rates_for(quote: str, bases: Iterable[str], on: date) -> dict[str, Rate]:
    """For each currency of `bases` (other than `quote`), the rate into `quote` in force on `on`: the latest dated
    on or before it. A currency without one is absent. One query."""
    wanted = sorted({b for b in bases if b != quote})
    if not wanted:
        return {}
    rows = await ExchangeRate.select(ExchangeRate.base, ExchangeRate.quote, ExchangeRate.rate,
                                     ExchangeRate.valid_on).where(
        (ExchangeRate.quote == quote) & ExchangeRate.base.is_in(wanted) & (ExchangeRate.valid_on <= on))
    rates = [Rate(r["base"], r["quote"], rate_from_stored(r["rate"]), r["valid_on"]) for r in rows]
    found = {base: rate_in_force(rates, base, quote, on) for base in wanted}
    return {base: rate for base, rate in found.items() if rate is not None}

