"""Offers in the RFQ's currency: the exchange rates in force on the close (app/exchange_rates) and each price
converted once, so the comparison, the award's cheapest-offer check, the scenarios and the scores compare like with
like. An offer in a currency without a rate is not guessed at: it is shown apart, in its own currency, with what is
missing, and cannot be awarded until an operator adds the rate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from app.errors import Conflict
from app.exchange_rates import services as exchange_rates
from app.exchange_rates.conversion import Rate, convert
from app.rfq.tables import Rfq


@dataclass(frozen=True, slots=True)
class RatesAtClose:
    rfq_currency: str
    day: date  # the RFQ's close (or deadline, not closed yet), as a UTC day
    rates: dict[str, Rate] = field(default_factory=dict)  # offer currency → its rate into the RFQ's

    def comparable(self, currency: str) -> bool:
        return not currency or currency == self.rfq_currency or currency in self.rates

    def rate_of(self, currency: str) -> Rate | None:
        """The rate used for `currency`; None for the RFQ's own currency (or a missing rate: see `comparable`)."""
        return self.rates.get(currency)

    def convert(self, amount: Decimal, currency: str) -> Decimal:
        if not currency or currency == self.rfq_currency:
            return amount
        rate = self.rates.get(currency)
        if rate is None:
            raise Conflict(self.missing(currency))
        return convert(amount, rate.rate)

    def missing(self, currency: str) -> str:
        return (f"There is no {currency} to {self.rfq_currency} exchange rate dated on or before "
                f"{self.day.isoformat()} (the RFQ's close): the offer in {currency} is shown in its own currency, left "
                "out of the comparison's ranking, scores and scenarios, and cannot be awarded until an operator adds "
                "that rate.")


async def rates_at_close(rfq_id: int, rfq_currency: str, currencies: Iterable[str]) -> RatesAtClose:
    """The rates into the RFQ's currency in force on its close for the offers' `currencies` (two queries at most)."""
    row = await Rfq.select(Rfq.closed_at, Rfq.deadline).where(Rfq.id == rfq_id).first()
    moment = (row["closed_at"] or row["deadline"]) if row else None
    day = moment.astimezone(UTC).date() if moment is not None else date.today()
    wanted = {c for c in currencies if c and c != rfq_currency}
    rates = await exchange_rates.rates_for(rfq_currency, wanted, day) if wanted else {}
    return RatesAtClose(rfq_currency, day, rates)
