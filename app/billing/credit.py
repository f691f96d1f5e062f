"""Credit on account: a buyer's exposure, and the check every order on account passes in its own transaction.

`check_credit` is the one entry point for anything that places orders on account (the checkout, an approval): it
runs inside the caller's unit of work (`db.transaction()`), locks the company's credit row (PostgreSQL `FOR
UPDATE`; SQLite's transactions are immediate, so the write lock is already held), reads the exposure in one query
and refuses (409, `CreditRefused`) an order that would take it past the limit, or any order on account while an
invoice is overdue by more than `overdue_block_days`. Two concurrent checkouts of one company are serialized on that
row, so together they never pass the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app import db
from app.billing import audit
from app.billing.credit_rules import CreditPosition, amount_over, is_refused, overdue_message, refusal_message
from app.billing.tables import CreditLimit
from app.billing.terms import DEFAULT_DAYS, days_overdue
from app.clock import utcnow
from app.errors import Conflict
from app.locales import DEFAULT_LOCALE
from app.money import format_money, from_minor
from app.order_statuses import RELEASED, sql_list
from app.settings import get_settings

# Orders that hold no credit are the released ones (they will never be invoiced); any other status, pending approval
# included, counts in the exposure. A withdrawn or expired approval cancels its orders.
OPEN_INVOICE_STATUSES = ("issued", "overdue")

_RELEASED_SQL = sql_list(RELEASED)
_OPEN_SQL = ", ".join(f"'{status}'" for status in OPEN_INVOICE_STATUSES)
# An order that can still hold credit: not released, and not yet billed in full. A partial index of the same
# condition (orders_2026_12_06t08_45_00_000000) holds only such orders, so the exposure reads the company's open orders,
# never its whole history; `refresh_billed` keeps the flag, in the invoicing's transaction.
_OPEN_ORDER = f"{{a}}.status NOT IN ({_RELEASED_SQL}) AND NOT {{a}}.billed_in_full"
# What a line's non-cancelled invoices billed of it.
_BILLED = """COALESCE((SELECT SUM(il.gross) FROM invoice_line il JOIN invoice i ON i.id = il.invoice
                      WHERE il.order_line = ol.id AND i.status <> 'cancelled'), 0)"""
# One query: what the company's open orders still hold uninvoiced, per line, plus its open invoices less payments.
# (Lines grouped with their invoice lines, not a correlated sum read twice by the CASE.)
_EXPOSURE = f"""
SELECT
  (SELECT COALESCE(SUM(CASE WHEN t.gross > t.billed THEN t.gross - t.billed ELSE 0 END), 0)
   FROM (SELECT ol.gross AS gross,
                COALESCE(SUM(CASE WHEN i.status <> 'cancelled' THEN il.gross ELSE 0 END), 0) AS billed
         FROM purchase_order po JOIN order_line ol ON ol."order" = po.id
         LEFT JOIN invoice_line il ON il.order_line = ol.id LEFT JOIN invoice i ON i.id = il.invoice
         WHERE po.buyer = {{}} AND po.currency = {{}} AND {_OPEN_ORDER.format(a="po")}
         GROUP BY ol.id, ol.gross) t) AS orders,
  (SELECT COALESCE(SUM(i.gross - i.paid), 0) FROM invoice i
   WHERE i.buyer = {{}} AND i.currency = {{}} AND i.status IN ({_OPEN_SQL})) AS invoices
"""  # noqa: S608 (constants only)
# After an invoice is issued or cancelled: each of its orders is billed in full when no line has gross left unbilled.
_REFRESH_BILLED = f"""
UPDATE purchase_order SET billed_in_full = NOT EXISTS (
  SELECT 1 FROM order_line ol WHERE ol."order" = purchase_order.id AND ol.gross > {_BILLED})
WHERE {{ids}}
"""  # noqa: S608 (constants only)
_OLDEST_OVERDUE = f"""
SELECT number, due_on FROM invoice
WHERE buyer = {{}} AND status IN ({_OPEN_SQL}) AND paid < gross AND due_on < {{}}
ORDER BY due_on, id LIMIT 1
"""  # noqa: S608 (constants only)
# The terms in force for each of a checkout's orders: the vendor relationship's, else the company's, else the default.
_RECORD_TERMS = f"""
UPDATE purchase_order SET payment_terms_days = COALESCE(
  (SELECT pt.days FROM payment_term pt WHERE pt.company = purchase_order.buyer AND pt.vendor = purchase_order.vendor),
  (SELECT pt.days FROM payment_term pt WHERE pt.company = purchase_order.buyer AND pt.vendor IS NULL),
  {DEFAULT_DAYS})
WHERE "group" = {{}}
"""  # noqa: S608 (constants only)
_ON_ACCOUNT = f"""
SELECT currency, SUM(gross) AS gross FROM purchase_order
WHERE "group" = {{}} AND payment_terms_days > 0 AND status NOT IN ({_RELEASED_SQL})
GROUP BY currency ORDER BY currency
"""  # noqa: S608 (constants only)


class CreditRefused(Conflict):
    """An order on account refused: past the credit limit, or an invoice too long overdue."""


@dataclass(frozen=True, slots=True)
class Exposure:
    orders: Decimal
    invoices: Decimal

    @property
    def total(self) -> Decimal:
        return self.orders + self.invoices


async def exposure_of(company_id: int, currency: str) -> Exposure:
    """What `company_id` owes or will owe in `currency`, as this unit of work sees it."""
    rows = await CreditLimit.raw(_EXPOSURE, company_id, currency, company_id, currency)
    return Exposure(orders=from_minor(int(rows[0]["orders"])),  # type: ignore[arg-type]
                    invoices=from_minor(int(rows[0]["invoices"])))  # type: ignore[arg-type]


async def refresh_billed(order_ids: list[int]) -> None:
    """Mark which of these orders are billed in full (so the exposure stops reading them) or are not any more (an
    invoice was cancelled). Call in the unit of work that issues or cancels the invoice, its order lines locked."""
    if not order_ids:
        return
    ids_sql, ids_arg = db.in_ids("purchase_order.id", sorted(set(order_ids)))
    if not db.is_sqlite():
        # The orders' rows locked first (id order, as fulfilment and issuing take them), then the flag computed in a
        # statement of its own: it sees what an invoice issued or cancelled at the same time committed meanwhile.
        await CreditLimit.raw(f"SELECT id FROM purchase_order WHERE {ids_sql} ORDER BY id FOR UPDATE", ids_arg)  # noqa: S608
    await CreditLimit.raw(_REFRESH_BILLED.format(ids=ids_sql), ids_arg)


async def _locked_limit(company_id: int) -> dict | None:
    if db.is_sqlite():  # the immediate transaction already holds the database's write lock
        rows = await CreditLimit.raw("SELECT * FROM credit_limit WHERE company = {}", company_id)
    else:
        rows = await CreditLimit.raw("SELECT * FROM credit_limit WHERE company = {} FOR UPDATE", company_id)
    return rows[0] if rows else None


async def check_overdue(company_id: int, today: date | None = None) -> None:
    """Refuse orders on account while an invoice is overdue by more than the setting's number of days."""
    today = today or utcnow().date()
    block_days = get_settings().overdue_block_days
    cutoff = date.fromordinal(today.toordinal() - block_days)
    rows = await CreditLimit.raw(_OLDEST_OVERDUE, company_id, cutoff.isoformat() if db.is_sqlite() else cutoff)
    if rows:
        raise CreditRefused(overdue_message(rows[0]["number"], days_overdue(as_date(rows[0]["due_on"]), today)))


def as_date(value: date | str) -> date:
    """A date read by raw SQL: SQLite answers its ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def check_credit(company_id: int, amount: Decimal, currency: str, *, locale: str = DEFAULT_LOCALE,
                       actor_id: int | None = None, counted: bool = False) -> CreditPosition | None:
    """Refuse (`CreditRefused`, 409) an order of `amount` in `currency` on account for `company_id`, or let it
    through and answer the company's position (None when it has no credit limit).

    Call it inside the unit of work that writes the order (`db.transaction()`): the credit row stays locked until it
    commits. `counted` says the order is already written in this unit of work (the exposure includes it, as for a
    checkout or a pending order being approved); otherwise `amount` is added to the exposure. An order past the
    limit of a company the operator lets exceed it passes, and is logged in the billing audit.
    """
    if db.get_engine().current_transaction.get() is None:
        raise RuntimeError("check_credit runs inside the unit of work that writes the order")
    await check_overdue(company_id)
    limit = await _locked_limit(company_id)
    if limit is None:
        return None
    if currency != limit["currency"]:
        # Not converted: the exposure adds up orders and invoices over months, each in its own currency, and a rate
        # of today would re-value what was owed at another; the limit is the operator's figure in its currency.
        raise CreditRefused(f"Your company's credit limit is in {limit['currency']}: an order on account in "
                            f"{currency} cannot count against it (what your company owes is kept per currency, "
                            f"unconverted). Order from vendors that sell in {limit['currency']}, or ask the "
                            f"marketplace to set your terms with this vendor to prepaid or your limit in {currency}.")
    exposure = (await exposure_of(company_id, currency)).total
    position = CreditPosition(currency=currency, limit=from_minor(limit["amount"]),  # type: ignore[arg-type]
                              exposure=exposure - amount if counted else exposure,
                              may_exceed=bool(limit["may_exceed"]))
    if is_refused(position, amount):
        # No `extra`: a checkout's extras are the cart's changes; the message says every figure.
        raise CreditRefused(refusal_message(position, amount, locale))
    if amount_over(position, amount) > 0:
        await audit.record(company_id, audit.CREDIT_EXCEEDED, actor_id,
                           before={"exposure": format_money(position.exposure, currency)},
                           after={"exposure": format_money(position.exposure + amount, currency),
                                  "limit": format_money(position.limit, currency)})
    return position


async def on_checkout(company_id: int, group_id: int, *, locale: str, actor_id: int) -> None:
    """The checkout's billing step (inside its transaction, after its orders are written): record on each order the
    payment terms in force, then check the orders on account (terms other than prepaid) against the credit limit."""
    await CreditLimit.raw(_RECORD_TERMS, group_id)
    await _check_group(company_id, group_id, locale=locale, actor_id=actor_id)


async def on_approval(company_id: int, group_id: int, *, locale: str, actor_id: int) -> None:
    """The last approval's billing step (inside its transaction, before the orders are placed): the group's orders on
    account pass the credit check again, with the credit row locked. They were counted in the exposure since their
    checkout (a pending order holds credit), so what can refuse them now is what changed meanwhile: other orders and
    invoices that took the exposure past the limit, a lowered limit, a `may_exceed` taken back, or an invoice now too
    long overdue. The terms recorded at checkout stand."""
    await _check_group(company_id, group_id, locale=locale, actor_id=actor_id)


async def _check_group(company_id: int, group_id: int, *, locale: str, actor_id: int) -> None:
    for row in await CreditLimit.raw(_ON_ACCOUNT, group_id):
        await check_credit(company_id, from_minor(int(row["gross"])), row["currency"],  # type: ignore[arg-type]
                           locale=locale, actor_id=actor_id, counted=True)
