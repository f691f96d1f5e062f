"""A buyer company's payment terms and credit limit as the operator sets them, and its credit position as the
operator and its admins read it. Each change is audited (who, when, before, after) in the same unit of work."""

from __future__ import annotations

from decimal import Decimal

from app import db
from app.accounts.roles import CompanyKind
from app.accounts.tables import Company
from app.auth import Principal, require_visible_company
from app.billing import audit
from app.billing.credit import OPEN_INVOICE_STATUSES, as_date, exposure_of
from app.billing.credit_rules import CreditPosition
from app.billing.schemas import (
    CreditIn,
    CreditOut,
    OverdueInvoiceOut,
    PaymentTermsIn,
    PaymentTermsOut,
    VendorTermsOut,
)
from app.billing.tables import CreditLimit, Invoice, PaymentTerm
from app.billing.terms import DEFAULT_DAYS, TermsError, days_overdue, parse_terms, terms_code, terms_label
from app.clock import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.money import MoneyError, format_money, from_minor, parse_currency, to_minor

NO_SUCH_COMPANY = "No such company."


async def _buyer(company_id: int) -> dict:
    row = await Company.select(Company.id, Company.name, Company.kind, Company.currency).where(
        Company.id == company_id).first()
    if row is None:
        raise NotFound(NO_SUCH_COMPANY)
    if row["kind"] != CompanyKind.BUYER.value:
        raise InvalidInput(f"{row['name']} is not a buyer company: payment terms and credit are a buyer's.")
    return row


async def payment_terms(company_id: int) -> PaymentTermsOut:
    rows = await PaymentTerm.select(PaymentTerm.vendor, PaymentTerm.vendor.name, PaymentTerm.days).where(
        PaymentTerm.company == company_id).order_by(PaymentTerm.vendor.name)
    own = next((row["days"] for row in rows if row["vendor"] is None), DEFAULT_DAYS)
    return PaymentTermsOut(
        company_id=company_id, terms=terms_code(own), days=own, label=terms_label(own),
        vendors=[VendorTermsOut(vendor_id=row["vendor"], vendor_name=row["vendor.name"], terms=terms_code(row["days"]),
                                days=row["days"]) for row in rows if row["vendor"] is not None])


async def set_payment_terms(principal: Principal, company_id: int, data: PaymentTermsIn) -> PaymentTermsOut:
    """The operator sets a buyer's terms, or those of one of its vendor relationships (null removes these)."""
    try:
        days = None if data.terms is None else parse_terms(data.terms)
    except TermsError as exc:
        raise InvalidInput(str(exc)) from None
    if days is None and data.vendor_id is None:
        raise InvalidInput("terms: give the company's payment terms (prepaid, net_30 …); only a vendor "
                           "relationship's terms can be removed.")
    async with db.transaction():
        await _buyer(company_id)
        if data.vendor_id is not None and not await Company.exists().where(
                (Company.id == data.vendor_id) & (Company.kind == CompanyKind.VENDOR.value)):
            raise InvalidInput(f"vendor_id: {data.vendor_id} is not a vendor company.")
        vendor_clause = (PaymentTerm.vendor == data.vendor_id) if data.vendor_id is not None else (
            PaymentTerm.vendor.is_null())
        where = (PaymentTerm.company == company_id) & vendor_clause
        before = await PaymentTerm.select(PaymentTerm.days).where(where).first()
        now = utcnow()
        if days is None:
            await PaymentTerm.delete().where(where)
        elif before is None:
            await PaymentTerm.insert(PaymentTerm(company=company_id, vendor=data.vendor_id, days=days,
                                                 updated_at=now, updated_by=principal.user_id))
        else:
            await PaymentTerm.update({PaymentTerm.days: days, PaymentTerm.updated_at: now,
                                      PaymentTerm.updated_by: principal.user_id}).where(where)
        await audit.record(company_id, audit.PAYMENT_TERMS, principal.user_id,
                           before=_terms_entry(data.vendor_id, before["days"] if before else None),
                           after=_terms_entry(data.vendor_id, days))
    return await payment_terms(company_id)


def _terms_entry(vendor_id: int | None, days: int | None) -> dict[str, object] | None:
    if days is None:
        return None
    return {"vendor_id": vendor_id, "terms": terms_code(days)}


def require_credit_reader(principal: Principal, company_id: int) -> None:
    """Operators and the company's own admins read its credit; others of the company 403, anyone else 404."""
    require_visible_company(principal, company_id)
    if principal.is_operator:
        return
    if company_id != principal.company_id or not principal.is_company_admin:
        raise Forbidden("Only an admin of this company can read its credit.")


async def set_credit(principal: Principal, company_id: int, data: CreditIn) -> CreditOut:
    """The operator sets a buyer's credit limit (0: prepaid only) and whether it may exceed it."""
    if not data.limit.is_finite():
        raise InvalidInput("limit: give a decimal amount such as 25000.00 (0: prepaid only).")
    try:
        currency = parse_currency(data.currency)
        amount = to_minor(data.limit)
    except MoneyError as exc:
        raise InvalidInput(f"limit: {exc}") from None
    if amount < 0:
        raise InvalidInput("limit: a credit limit is 0 (prepaid only) or more.")
    async with db.transaction():
        await _buyer(company_id)
        before = await CreditLimit.select(CreditLimit.currency, CreditLimit.amount, CreditLimit.may_exceed).where(
            CreditLimit.company == company_id).first()
        now = utcnow()
        if before is None:
            await CreditLimit.insert(CreditLimit(company=company_id, currency=currency, amount=amount,
                                                 may_exceed=data.may_exceed, updated_at=now,
                                                 updated_by=principal.user_id))
        else:
            await CreditLimit.update({CreditLimit.currency: currency, CreditLimit.amount: amount,
                                      CreditLimit.may_exceed: data.may_exceed, CreditLimit.updated_at: now,
                                      CreditLimit.updated_by: principal.user_id}).where(
                CreditLimit.company == company_id)
        await audit.record(company_id, audit.CREDIT_LIMIT, principal.user_id,
                           before=_limit_entry(before), after=_limit_entry(
                               {"currency": currency, "amount": amount, "may_exceed": data.may_exceed}))
    return await credit_of(principal, company_id)


def _limit_entry(row: dict | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {"limit": format_money(from_minor(row["amount"]), row["currency"]),  # type: ignore[arg-type]
            "may_exceed": bool(row["may_exceed"])}


_OVERDUE = f"""
SELECT i.id AS id, i.number AS number, c.name AS vendor_name, i.due_on AS due_on, i.gross - i.paid AS open,
       i.currency AS currency
FROM invoice i JOIN company c ON c.id = i.vendor
WHERE i.buyer = {{}} AND i.status IN ({", ".join(f"'{s}'" for s in OPEN_INVOICE_STATUSES)}) AND i.due_on < {{}}
ORDER BY i.due_on, i.id
"""  # noqa: S608 (constants only)


async def credit_of(principal: Principal, company_id: int, *, overdue: bool = True) -> CreditOut:
    """The company's limit, exposure, available credit and overdue invoices (operators and its admins); the credit
    page reads its overdue invoices a page at a time (billing/overdue_grid.py) and asks for none here."""
    require_credit_reader(principal, company_id)
    company = await _buyer(company_id)
    limit = await CreditLimit.select().where(CreditLimit.company == company_id).first()
    currency = limit["currency"] if limit else company["currency"]
    exposure = await exposure_of(company_id, currency)
    today = utcnow().date()
    overdue = await Invoice.raw(_OVERDUE, company_id, today.isoformat() if db.is_sqlite() else today) if overdue else []
    position = None if limit is None else CreditPosition(
        currency, from_minor(limit["amount"]), exposure.total, bool(limit["may_exceed"]))  # type: ignore[arg-type]
    return CreditOut(
        company_id=company_id, company_name=company["name"], has_limit=limit is not None, currency=currency,
        limit=position.limit if position else None, may_exceed=bool(limit and limit["may_exceed"]),
        exposure=exposure.total, orders_not_invoiced=exposure.orders, invoices_open=exposure.invoices,
        available=position.available if position else None,
        overdue_invoices=[OverdueInvoiceOut(
            id=row["id"], number=row["number"], vendor_name=row["vendor_name"], due_on=as_date(row["due_on"]),
            days_overdue=days_overdue(as_date(row["due_on"]), today), open_amount=from_minor(row["open"]) or Decimal(0),
            currency=row["currency"]) for row in overdue],
    )
