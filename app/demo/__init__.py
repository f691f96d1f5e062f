"""Demo data: one operator, two buyer companies (a delivery and a billing address each) and four vendors, with a
login for each role, a small catalog (app/demo_catalog.py), and RFQs made through the real services (app/demo/rfqs.py):
one awarded, whose contracts price the catalog for Acme (with three saved award scenarios, app/demo/scenarios.py),
and one live reverse auction; and orders in every state,
one of them at Acme's contract price, with a shared requisition list (app/demo/orders.py), and one placed for
Acme's buyer by Globex's assigned sales user (app/demo/on_behalf.py); payment terms, invoices in every state and a
credit limit close to its exposure (app/demo/billing.py); and a third buyer, Contoso, with more awarded RFQs, ratings
and answer times for the vendor scorecards (app/demo/scorecards.py)."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.apps.user.tables import BaseUser

from app.accounts import services as accounts
from app.accounts.schemas import CompanyIn, UserIn
from app.clock import utcnow
from app.demo.addresses import load_demo_addresses
from app.demo.billing import load_demo_billing
from app.demo.catalog import load_demo_catalog
from app.demo.history import load_demo_history
from app.demo.on_behalf import load_demo_on_behalf
from app.demo.orders import load_demo_orders
from app.demo.rfqs import load_demo_rfqs
from app.demo.scenarios import load_demo_scenarios
from app.demo.scorecards import load_demo_scorecards
from app.demo.scoring import load_demo_scoring
from app.demo.spending import load_demo_spending
from app.locales import ANYWHERE, Place

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for people trying the app locally
OPERATOR_COMPANY = "Marketplace Operations"


@dataclass(frozen=True)
class DemoCompany:
    name: str
    kind: str
    country: str
    currency: str
    tax_id: str
    users: tuple[tuple[str, str, str], ...]  # (e-mail, name, role)


DEMO_COMPANIES = (
    DemoCompany(OPERATOR_COMPANY, "operator", "DE", "EUR", "DE000000001",
                (("operator@market.example", "Olga Operator", "operator"),)),
    DemoCompany("Acme Hospital Group", "buyer", "DE", "EUR", "DE811111111", (
        ("admin@acme.example", "Anna Admin", "buyer_admin"),
        ("buyer@acme.example", "Bernd Buyer", "purchaser"),
        ("approver@acme.example", "Clara Approver", "approver"),
    )),
    DemoCompany("Northwind Schools", "buyer", "FR", "EUR", "FR22222222222", (
        ("admin@northwind.example", "Nadia Admin", "buyer_admin"),
        ("buyer@northwind.example", "Noah Buyer", "purchaser"),
        ("approver@northwind.example", "Nina Approver", "approver"),
    )),
    DemoCompany("Contoso Clinics", "buyer", "DE", "EUR", "DE877777777", (
        ("buyer@contoso.example", "Carl Contoso", "purchaser"),
        ("approver@contoso.example", "Cora Approver", "approver"),
    )),
    DemoCompany("Globex Medical Supplies", "vendor", "DE", "EUR", "DE833333333",
                (("sales@globex.example", "Gustav Globex", "vendor_admin"),
                 ("rep@globex.example", "Greta Globex", "vendor_sales"))),
    DemoCompany("Initech Office", "vendor", "NL", "EUR", "NL444444444B01",
                (("sales@initech.example", "Ines Initech", "vendor_admin"),)),
    DemoCompany("Umbrella Lab Equipment", "vendor", "GB", "GBP", "GB555555555",
                (("sales@umbrella.example", "Uma Umbrella", "vendor_admin"),)),
    DemoCompany("Stark Industrial", "vendor", "US", "USD", "US66-6666666",
                (("sales@stark.example", "Sam Stark", "vendor_admin"),)),
)  # fmt: skip


async def ensure_company(data: CompanyIn) -> int:
    existing = await accounts.find_company_id(data.kind, data.name)
    if existing is not None:
        return existing
    return (await accounts.create_company(data)).id


# The demo reads English in UTC, whatever each company's country, except one buyer who shows how a German reader
# in Berlin sees the same RFQs, prices and orders (log in as her to compare).
DEMO_PLACES = {"approver@acme.example": Place("de_DE", "Europe/Berlin")}


async def ensure_user(company_id: int, email: str, name: str, roles: list[str], password: str) -> bool:
    """Create the user unless the e-mail exists; True when created."""
    if await BaseUser.exists().where(BaseUser.username == email.lower()):
        return False
    place = DEMO_PLACES.get(email, ANYWHERE)
    await accounts.create_user(None, company_id, UserIn(email=email, name=name, roles=roles, password=password,
                                                        locale=place.locale, time_zone=place.time_zone))
    return True


async def load_demo_data() -> list[tuple[str, str, str]]:
    """Idempotent: what exists is left alone. Returns (company, e-mail, role) for every login."""
    logins = []
    for company in DEMO_COMPANIES:
        company_id = await ensure_company(
            CompanyIn(name=company.name, kind=company.kind, country=company.country,
                      currency=company.currency, tax_id=company.tax_id)
        )
        for email, name, role in company.users:
            await ensure_user(company_id, email, name, [role], DEMO_PASSWORD)
            logins.append((company.name, email, role))
    await load_demo_addresses()
    await load_demo_catalog()
    await load_demo_rfqs()
    await load_demo_scoring()
    await load_demo_scenarios()
    await load_demo_orders()
    await load_demo_spending()
    await load_demo_billing()
    await load_demo_on_behalf()
    await load_demo_scorecards()
    await load_demo_history(utcnow())
    return logins


async def create_operator(email: str, password: str, name: str = "") -> bool:
    company_id = await ensure_company(
        CompanyIn(name=OPERATOR_COMPANY, kind="operator", country="DE", currency="EUR")
    )
    return await ensure_user(company_id, email, name or email.split("@")[0], ["operator"], password)
