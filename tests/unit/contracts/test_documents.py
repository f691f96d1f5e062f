"""The contract documents from plain values: a parseable PDF and a workbook."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
from pypdf import PdfReader

from app.contracts.documents import contract_pdf, contract_xlsx
from app.contracts.schemas import ContractLineOut, ContractOut, ContractTierOut, PartyOut, VersionLineOut, VersionOut
from app.locales import Place

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)


def line(position: int, description: str, sku: str | None, price: str, tiers=()) -> ContractLineOut:
    return ContractLineOut(
        id=position, position=position, rfq_line_id=position, product_id=None, description=description, unit="pcs",
        listing_id=position if sku else None, listing_sku=sku, listing_title=sku, waiting_for_listing=sku is None,
        unit_price=Decimal(price), tiers=list(tiers), committed_qty=100, min_order_qty=1, max_order_qty=None,
        linked_at=None,
    )


def a_contract(lines: list[ContractLineOut]) -> ContractOut:
    version = VersionOut(number=1, status="current", proposed_side="buyer", valid_from=START, valid_to=END, note="",
                         proposed_at=START, decided_at=START,
                         lines=[VersionLineOut(line_id=x.id, position=x.position, description=x.description,
                                               unit_price=x.unit_price, tiers=x.tiers, committed_qty=x.committed_qty,
                                               min_order_qty=1, max_order_qty=None) for x in lines])
    return ContractOut(
        id=1, number="C-2026-000042", buyer=PartyOut(1, "Acme Hospital GmbH", "DE1", "DE"),
        vendor=PartyOut(2, "Globex Médical", "DE2", "DE"), currency="EUR", payment_terms="net_30",
        valid_from=START, valid_to=END, status="active", in_effect=True, version=1, rfq_id=7, rfq_title="Gloves",
        offer_revision_id=3, offer_revision_number=2, awarded_by="admin@acme.example", created_at=START,
        terminated_at=None, termination_reason="", renewal_rfq_id=None, lines=lines, versions=[version],
        proposal=None,
    )


def test_the_pdf_holds_the_number_the_parties_and_every_line_even_on_several_pages():
    lines = [line(n, f"Item number {n} \u2013 spec \u2713", f"SKU-{n}" if n % 2 else None, f"{n}.25",
                  tiers=[ContractTierOut(50, Decimal("1.00"))] if n == 1 else []) for n in range(1, 61)]
    reader = PdfReader(io.BytesIO(contract_pdf(a_contract(lines))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 1
    assert "C-2026-000042" in text and "Acme Hospital GmbH" in text and "Globex Médical" in text
    assert all(f"Item number {n} " in text for n in range(1, 61))
    assert "from 50: 1.00" in text and "waiting for the vendor" in text and "Net 30 days" in text


def test_the_workbook_has_a_row_per_line_and_the_versions():
    book = openpyxl.load_workbook(io.BytesIO(contract_xlsx(a_contract([line(1, "Gloves", "G-1", "0.0035")]))))
    rows = list(book["Contract"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Contract", "C-2026-000042")
    assert rows[-1][:5] == (1, "Gloves", "pcs", "G-1", 0.0035)
    assert list(book["Versions"].iter_rows(values_only=True))[1][:5] == (1, "current", "Jan 1, 2026, 00:00 UTC",
                                                                         "Dec 31, 2026, 00:00 UTC", 1)


def test_the_workbook_writes_validity_in_its_readers_zone_and_names_it():
    # given a reader in Berlin who reads German
    book = openpyxl.load_workbook(io.BytesIO(contract_xlsx(a_contract([line(1, "Gloves", "G-1", "0.0035")]),
                                                           Place("de_DE", "Europe/Berlin"))))
    terms = {row[0]: row[1] for row in book["Contract"].iter_rows(values_only=True) if row and row[0]}
    # then the validity is Berlin's wall clock with its zone, in the terms and in every version
    assert terms["Valid from"] == "01.01.2026, 01:00 CET"
    assert list(book["Versions"].iter_rows(values_only=True))[1][2:4] == ("01.01.2026, 01:00 CET",
                                                                          "31.12.2026, 01:00 CET")
    assert terms["RFQ"] == "Gloves"  # a contract whose RFQ has no number: its title, never its id
