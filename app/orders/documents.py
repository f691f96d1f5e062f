"""A purchase order as a document: the vendor's PDF (fpdf2) and the order list as an XLSX workbook
(app/spreadsheets.py). Pure: structs in, bytes out; money printed through `format_money`, the one formatter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from app import locales
from app.clock import format_day, format_moment
from app.locales import ANYWHERE, DEFAULT_TIME_ZONE, Place
from app.money import format_money
from app.orders.order_schemas import OrderLineOut, OrderOut, OrderSummaryOut
from app.spreadsheets import Cell, Workbook, zoned_header

MAX_EXPORT_ROWS = 10_000
"""The most orders one XLSX export holds; the first row says so when the filters matched more."""

EXPORT_HEADINGS = ("Order", "PO number", "Status", "Buyer", "Vendor", "Placed at (UTC)", "Placed by",
                   "Placed on behalf by", "Currency", "Net", "Tax", "Gross", "Lines", "Expected ship date")
"""The order list's columns; "Placed on behalf by" names who placed it for the buyer user (#14), empty otherwise."""


def _latin(text: object) -> str:
    # The PDF's core fonts cover Latin-1 (as the contract's): anything else prints as "?" instead of failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _day(value: date | None, place: Place) -> str:
    return "-" if value is None else format_day(value, place.time_zone, place.locale)


class _OrderPdf(FPDF):
    def __init__(self, number: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.number = number
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(f"Purchase order {number}")
        self.set_creator("Marketplace")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110)
        self.cell(0, 6, _latin(f"Purchase order {self.number} - page {self.page_no()}/{{nb}}"), align="C")


def _block(pdf: FPDF, title: str, lines: Sequence[str], x: float, y: float, width: float) -> float:
    """A titled block of text at (x, y); returns where it ends."""
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width, 6, _latin(title), new_x="LEFT", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for text in lines:
        pdf.multi_cell(width, 5, _latin(text or "-"), new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _item(line: OrderLineOut) -> str:
    return f"{line.name}\n{line.price_reason}" if line.price_reason else line.name


def order_pdf(order: OrderOut, place: Place = ANYWHERE) -> bytes:
    """The purchase order as its vendor receives it: numbers, parties, addresses, dates, note, every line with its
    price and the reason for it, and the totals in the order's currency; money and moments written for `place`,
    the reader's locale and time zone."""

    def money(amount: Decimal, unit_price: bool = False) -> str:
        return format_money(amount, order.currency, place.locale, unit_price=unit_price)

    pdf = _OrderPdf(order.number)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin(f"Purchase order {order.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(90)
    pdf.cell(0, 6, _latin(f"Buyer's PO number {order.po_number} - checkout {order.group_number} - status "
                          f"{order.status.value.replace('_', ' ')}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(4)

    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    left = _block(pdf, "Buyer", [order.buyer, "Billing address:", order.billing_address], pdf.l_margin, top, half - 4)
    right = _block(pdf, "Vendor", [order.vendor], pdf.l_margin + half, top, half)
    right = _block(pdf, "Deliver to", [order.delivery_address], pdf.l_margin + half, right + 2, half)
    pdf.set_xy(pdf.l_margin, max(left, right) + 4)

    details = [
        ("Order number", order.number),
        ("Buyer's PO number", order.po_number),
        ("Placed", f"{format_moment(order.placed_at, place.time_zone, place.locale)} by {order.placed_by or '-'}"
                   + (f", placed by {order.placed_on_behalf_by} on the buyer's behalf" if order.placed_on_behalf_by
                      else "")),
        ("Requested delivery", _day(order.requested_delivery_date, place)),
        ("Expected shipping", _day(order.expected_ship_date, place)),
        ("Currency", order.currency),
        ("Note", order.note or "-"),
    ]
    if order.rejection_reason:
        details.append(("Rejected", order.rejection_reason))
    if order.cancellation_reason:
        details.append(("Cancellation", order.cancellation_reason))
    pdf.set_font("Helvetica", size=10)
    with pdf.table(col_widths=(40, 150), text_align="LEFT", first_row_as_headings=False, borders_layout="NONE",
                   line_height=6) as table:
        for label, value in details:
            row = table.row()
            row.cell(_latin(label), style=FontFace(emphasis="BOLD"))
            row.cell(_latin(value))
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, _latin(f"Lines (prices in {order.currency}, excluding tax)"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=(8, 26, 56, 14, 12, 28, 14, 32),
                   text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)), line_height=4.5) as table:
        heading = table.row()
        for text in ("#", "SKU", "Item and price basis", "Qty", "Unit", "Unit price", "Tax", "Net"):
            heading.cell(text)
        for line in order.lines:
            row = table.row()
            row.cell(str(line.position))
            row.cell(_latin(line.sku))
            row.cell(_latin(_item(line)))
            row.cell(str(line.quantity))
            row.cell(_latin(line.unit))
            row.cell(_latin(money(line.unit_price, unit_price=True)))
            row.cell(f"{line.tax_rate} %")
            row.cell(_latin(money(line.net)))
    pdf.ln(4)

    pdf.set_font("Helvetica", size=10)
    width = 60
    for label, amount, bold in (("Net", order.net, False), ("Tax", order.tax, False), ("Gross", order.gross, True)):
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.set_x(pdf.w - pdf.r_margin - 2 * width)
        pdf.cell(width, 6, f"{label} total", align="R")
        pdf.cell(width, 6, _latin(money(amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def orders_xlsx(orders: Sequence[OrderSummaryOut], total: int, zone: str = DEFAULT_TIME_ZONE) -> bytes:
    """One "Orders" sheet: a first row saying how many of the `total` matching orders it holds, the headings, then
    one row per order; amounts and counts are number cells, every text a text cell; times in the reader's `zone`,
    named in the heading."""
    where = locales.zone(zone)
    workbook = Workbook(where)
    sheet = workbook.sheet("Orders")
    if len(orders) < total:
        summary = (f"The first {len(orders):,} of {total:,} matching orders: narrow the filters (dates, status, "
                   "vendor) to export the rest.")
    else:
        summary = f"Matching orders: {total:,}."
    sheet.append([summary], bold=True)
    sheet.append([zoned_header(heading, where.key) for heading in EXPORT_HEADINGS], bold=True)
    for order in orders:
        sheet.append(export_row(order))
    return workbook.to_bytes()


def export_row(order: OrderSummaryOut) -> list[Cell]:
    """An order as a row under `EXPORT_HEADINGS`: the API's workbook and the order lists' CSV and Excel."""
    return [order.number, order.po_number, order.status.value, order.buyer, order.vendor, order.placed_at,
            order.placed_by, order.placed_on_behalf_by, order.currency, order.net, order.tax, order.gross,
            order.line_count, order.expected_ship_date]
