"""An invoice as a document: the PDF (fpdf2, as the purchase order's in `orders/documents.py`) and the invoice list
as rows of the one neutralizing writer (app/spreadsheets.py). Pure: structs in, bytes out; money through
`format_money`."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from app.billing.terms import terms_label
from app.clock import format_day
from app.invoicing.schemas import InvoiceOut, InvoiceSummaryOut
from app.locales import ANYWHERE, Place
from app.money import format_money
from app.spreadsheets import Cell

EXPORT_HEADINGS = ("Invoice", "Status", "Vendor", "Buyer", "Currency", "Net", "Tax", "Gross", "Paid", "Open",
                   "Terms", "Issued on", "Due on", "Days overdue", "Ageing")


def _latin(text: object) -> str:
    # The core fonts cover Latin-1: anything else prints as "?" instead of failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice: InvoiceOut, place: Place = ANYWHERE) -> bytes:
    """The invoice as the buyer receives it: parties, number, dates and terms, every line with its order, the tax and
    totals, and the payments recorded; money and days written for `place`."""
    head = invoice.invoice

    def money(amount: object, unit_price: bool = False) -> str:
        return format_money(amount, head.currency, place.locale, unit_price=unit_price)  # type: ignore[arg-type]

    def day(value: object) -> str:
        return format_day(value, place.time_zone, place.locale)  # type: ignore[arg-type]

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"Invoice {head.number}")
    pdf.set_creator("Marketplace")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    title = "Credit note for invoice" if head.status.value == "cancelled" else "Invoice"
    pdf.cell(0, 10, _latin(f"{title} {head.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    details = [("From", head.vendor), ("To", head.buyer), ("Status", head.status.value),
               ("Issued on", day(head.issued_on)), ("Terms", terms_label(int(head.terms.removeprefix("net_"))
                                                                          if head.terms != "prepaid" else 0)),
               ("Due on", day(head.due_on)), ("Currency", head.currency)]
    if invoice.note:
        details.append(("Note", invoice.note))
    if invoice.cancellation_reason:
        details.append(("Cancelled", invoice.cancellation_reason))
    with pdf.table(col_widths=(40, 150), text_align="LEFT", first_row_as_headings=False, borders_layout="NONE",
                   line_height=6) as table:
        for label, value in details:
            row = table.row()
            row.cell(_latin(label), style=FontFace(emphasis="BOLD"))
            row.cell(_latin(value))
    pdf.ln(4)
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=(8, 24, 64, 14, 28, 14, 32),
                   text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)), line_height=4.5) as table:
        heading = table.row()
        for text in ("#", "Order", "Item", "Qty", "Unit price", "Tax", "Net"):
            heading.cell(text)
        for line in invoice.lines:
            row = table.row()
            for text in (str(line.position), line.order_number, line.description, str(line.quantity),
                         money(line.unit_price, unit_price=True), f"{line.tax_rate} %", money(line.net)):
                row.cell(_latin(text))
    pdf.ln(4)
    width = 60
    rows = [("Net total", head.net, False), ("Tax", head.tax, False), ("Gross total", head.gross, True)]
    rows += [(f"Paid on {day(p.paid_on)}", p.amount, False) for p in invoice.payments]
    rows.append(("Open", head.open_amount, True))
    for label, amount, bold in rows:
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.set_x(pdf.w - pdf.r_margin - 2 * width)
        pdf.cell(width, 6, _latin(label), align="R")
        pdf.cell(width, 6, _latin(money(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def export_row(invoice: InvoiceSummaryOut) -> list[Cell]:
    return [invoice.number, invoice.status.value, invoice.vendor, invoice.buyer, invoice.currency, invoice.net,
            invoice.tax, invoice.gross, invoice.paid, invoice.open_amount, invoice.terms, invoice.issued_on,
            invoice.due_on, invoice.days_overdue, invoice.ageing.value]
