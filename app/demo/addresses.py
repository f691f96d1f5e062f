"""Demo addresses: a delivery and a billing address for each demo buyer company, each its kind's default. Idempotent."""

from __future__ import annotations

from app.accounts import services as accounts
from app.accounts.addresses import add_company_address
from app.accounts.addresses_rules import AddressKind
from app.accounts.schemas import AddressIn
from app.accounts.tables import CompanyAddress

# buyer company -> its addresses (kind, label, recipient, attention, street, postal code, city, country, phone)
ADDRESSES = {
    "Acme Hospital Group": [
        (AddressKind.DELIVERY, "Central warehouse", "Acme Hospital Group", "Goods receiving, dock 3",
         "Lagerstraße 12", "10557", "Berlin", "DE", "+49 30 5550100"),
        (AddressKind.BILLING, "Accounts payable", "Acme Hospital Group", "Accounts payable",
         "Invalidenstraße 50", "10115", "Berlin", "DE", "+49 30 5550200"),
    ],
    "Northwind Schools": [
        (AddressKind.DELIVERY, "Supplies depot", "Northwind Schools", "Service logistique",
         "12 rue des Écoles", "69003", "Lyon", "FR", "+33 4 78 00 00 01"),
        (AddressKind.BILLING, "Head office", "Northwind Schools", "Comptabilité fournisseurs",
         "5 place Bellecour", "69002", "Lyon", "FR", "+33 4 78 00 00 02"),
    ],
    "Contoso Clinics": [
        (AddressKind.DELIVERY, "Clinic stores", "Contoso Clinics", "Stores",
         "Klinikweg 4", "20095", "Hamburg", "DE", "+49 40 5550300"),
        (AddressKind.BILLING, "Finance", "Contoso Clinics", "Kreditorenbuchhaltung",
         "Klinikweg 4", "20095", "Hamburg", "DE", "+49 40 5550301"),
    ],
}  # fmt: skip


async def load_demo_addresses() -> None:
    for company_name, addresses in ADDRESSES.items():
        company_id = await accounts.find_company_id("buyer", company_name)
        if company_id is None:
            continue
        for kind, label, recipient, attention, street, postal_code, city, country, phone in addresses:
            # Archived ones count too: an operator who archived a demo address keeps it archived.
            if await CompanyAddress.exists().where(
                (CompanyAddress.company == company_id) & (CompanyAddress.label == label)
            ):
                continue
            await add_company_address(company_id, AddressIn(
                kind=kind, label=label, recipient=recipient, attention=attention, street=street,
                postal_code=postal_code, city=city, country=country, phone=phone, is_default=True,
            ))
