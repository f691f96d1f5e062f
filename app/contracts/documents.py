"""A contract as a document: a PDF with a real layout (fpdf2) and an XLSX workbook (app/spreadsheets.py). No I/O."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.clock import format_moment
from app.contracts.schemas import ContractLineOut, ContractOut, PartyOut
from app.locales import ANYWHERE, Place
from app.money import format_money
from app.spreadsheets import Workbook

PAYMENT_TERMS = {"prepaid": "Prepayment", "net_30": "Net 30 days", "net_60": "Net 60 days", "net_90": "Net 90 days"}


def _latin(text: object) -> str:
    # The PDF's core fonts cover Latin-1: anything else prints as "?" instead of failing the download.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _tiers(line: ContractLineOut) -> str:
    return "; ".join(f"from {t.min_qty}: {t.unit_price}" for t in line.tiers)


def _when(moment: datetime | None, place: Place) -> str:
    return "" if moment is None else format_moment(moment, place.time_zone, place.locale)


def _price(amount: Decimal, currency: str, place: Place) -> str:
    return format_money(amount, currency, place.locale, unit_price=True)


def _priced_tiers(line: ContractLineOut, currency: str, place: Place) -> str:
    return "; ".join(f"from {t.min_qty}: {_price(t.unit_price, currency, place)}" for t in line.tiers)


def _quantities(line: ContractLineOut) -> str:
    parts = [f"min {line.min_order_qty}"]
    if line.max_order_qty is not None:
        parts.append(f"max {line.max_order_qty}")
    if line.committed_qty is not None:
        parts.append(f"committed {line.committed_qty}")
    return ", ".join(parts)


def _listing(line: ContractLineOut) -> str:
    return line.listing_sku or "waiting for the vendor"


class _ContractPdf(FPDF):
    def __init__(self, number: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.number = number
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(f"Contract {number}")
        self.set_creator("Marketplace")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, _latin(f"Contract {self.number} - page {self.page_no()}/{{nb}}"), align="C")


def _party_block(pdf: FPDF, title: str, party: PartyOut, x: float, y: float, width: float) -> None:
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width, 6, _latin(title), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for text in (party.name, f"Tax ID: {party.tax_id or '-'}", f"Country: {party.country}"):
        pdf.cell(width, 5, _latin(text), new_x="LEFT", new_y="NEXT")


def contract_pdf(contract: ContractOut, place: Place = ANYWHERE) -> bytes:
    """Both parties, the terms and validity, every line with its prices, the version and the source RFQ."""
    pdf = _ContractPdf(contract.number)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin(f"Supply contract {contract.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(90)
    made_from = f"{contract.rfq_number} " if contract.rfq_number else ""  # users' numbers, never the RFQ's id
    pdf.cell(0, 6, _latin(f"Version {contract.version} - status {contract.status} - made from RFQ "
                          f"{made_from}\"{contract.rfq_title}\""), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(4)
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    _party_block(pdf, "Buyer", contract.buyer, pdf.l_margin, top, half)
    _party_block(pdf, "Vendor", contract.vendor, pdf.l_margin + half, top, half)
    pdf.set_xy(pdf.l_margin, top + 24)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Terms", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    terms = [
        ("Contract number", contract.number),
        ("Valid from", _when(contract.valid_from, place)),
        ("Valid to", _when(contract.valid_to, place)),
        ("Currency", contract.currency),
        ("Payment terms", PAYMENT_TERMS.get(contract.payment_terms, contract.payment_terms)),
        ("Awarded", f"{_when(contract.created_at, place)} by {contract.awarded_by or '-'} "
                    f"(offer revision {contract.offer_revision_number})"),
    ]
    if contract.terminated_at is not None:
        terms.append(("Terminated", f"{_when(contract.terminated_at, place)}: {contract.termination_reason}"))
    with pdf.table(col_widths=(40, 140), first_row_as_headings=False, borders_layout="NONE",
                   line_height=6) as table:
        for label, value in terms:
            row = table.row()
            row.cell(_latin(label), style=FontFace(emphasis="BOLD"))
            row.cell(_latin(value))
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"Lines (unit prices in {contract.currency}, excluding tax)"), new_x="LMARGIN",
             new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(10, 62, 30, 24, 30, 34), text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)), line_height=5) as table:
        heading = table.row()
        for text in ("#", "Item", "Listing", "Unit price", "Volume tiers", "Quantities"):
            heading.cell(text)
        for line in contract.lines:
            row = table.row()
            row.cell(str(line.position))
            row.cell(_latin(f"{line.description} ({line.unit})"))
            row.cell(_latin(_listing(line)))
            row.cell(_latin(_price(line.unit_price, contract.currency, place)))
            row.cell(_latin(_priced_tiers(line, contract.currency, place) or "-"))
            row.cell(_latin(_quantities(line)))
    pdf.ln(6)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, _latin(
        "The buyer's company buys the linked listings at these unit prices from the start to the end of the "
        "validity above; a volume tier applies from its quantity on. Changes are agreed by both parties as a new "
        "version of this contract. The buyer may terminate it with a reason, with effect from that moment."
    ))
    return bytes(pdf.output())


def contract_xlsx(contract: ContractOut, place: Place = ANYWHERE) -> bytes:
    """A "Contract" sheet (terms, then one row per line) and a "Versions" sheet (every agreed version's lines).
    Validity is written as its reader (`place`) reads times, the zone named: a shared file says whose zone it is."""
    workbook = Workbook()
    sheet = workbook.sheet("Contract")
    for label, value in [
        ("Contract", contract.number), ("Buyer", contract.buyer.name), ("Vendor", contract.vendor.name),
        ("Currency", contract.currency), ("Payment terms", contract.payment_terms),
        ("Valid from", _when(contract.valid_from, place)), ("Valid to", _when(contract.valid_to, place)),
        ("Status", contract.status), ("Version", contract.version),
        ("RFQ", f"{contract.rfq_number}: {contract.rfq_title}" if contract.rfq_number else contract.rfq_title),
    ]:
        sheet.emphasize(sheet.append([label, value]), 1, bold=True)
    sheet.append([])
    sheet.append(["Line", "Description", "Unit", "Listing SKU", "Unit price", "Volume tiers", "Min order",
                  "Max order", "Committed"], bold=True)
    for line in contract.lines:
        sheet.append([line.position, line.description, line.unit, _listing(line), line.unit_price,
                      _tiers(line), line.min_order_qty, line.max_order_qty, line.committed_qty])
    versions = workbook.sheet("Versions")
    versions.append(["Version", "Status", "Valid from", "Valid to", "Line", "Description", "Unit price",
                     "Volume tiers"], bold=True)
    for version in contract.versions:
        for vline in version.lines:
            versions.append([version.number, version.status, _when(version.valid_from, place),
                             _when(version.valid_to, place),
                             vline.position, vline.description, Decimal(vline.unit_price),
                             "; ".join(f"from {t.min_qty}: {t.unit_price}" for t in vline.tiers)])
    return workbook.to_bytes()
