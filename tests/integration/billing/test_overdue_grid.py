"""A company's overdue invoices on its credit page (/companies/{id}/credit) are the one grid (#16): sorted, searched,
filtered by how long overdue and by vendor, paged in SQL, the view in the URL, the selection exported with its
times in the reader's zone; another company's credit page is the 404 of a missing one."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl

from app.accounts.tables import Membership
from app.billing.tables import Invoice
from app.clock import utcnow
from tests.support.fixtures import make_company
from tests.support.pages import main_of
from tests.support.parties import user_id

INVOICES = 30


def table_of(html: str) -> str:
    return main_of(html).split('id="overdue"', 1)[1].split("</table>", 1)[0]


async def test_the_overdue_invoices_of_the_credit_page_sort_filter_search_page_and_export(world, browser):
    # given thirty overdue invoices of the buyer (due 1 to 30 x 4 days ago, 10.00 to 300.00 open) from two vendors,
    # one paid, one not yet due, and one of another buyer
    other_vendor = await make_company("vendor")
    now = utcnow()
    today = now.date()

    def invoice(number: str, vendor: int, buyer: int, days_ago: int, gross: int, paid: int = 0) -> Invoice:
        return Invoice(number=number, vendor=vendor, buyer=buyer, status="paid" if paid == gross else "issued",
                       currency="EUR", net=gross,
                       tax=0, gross=gross, paid=paid, terms_days=30, issued_on=today - timedelta(days=days_ago + 30),
                       due_on=today - timedelta(days=days_ago), created_at=now, updated_at=now)

    await Invoice.insert(*[invoice(f"INV-{n}", world.vendor.id if n % 3 else other_vendor.id, world.buyer.id, 4 * n,
                                   n * 10_0000) for n in range(1, INVOICES + 1)],
                         invoice("INV-PAID", world.vendor.id, world.buyer.id, 50, 10_0000, paid=10_0000),
                         invoice("INV-LATER", world.vendor.id, world.buyer.id, -5, 10_0000),
                         invoice("INV-SECRET", world.vendor.id, world.other_buyer.id, 10, 10_0000))
    admin = await browser(world.buyer_admin)
    path = f"/companies/{world.buyer.id}/credit"
    # then the page shows 25 of the 30 overdue (oldest due first), the second page the other five
    first = await admin.get(path)
    assert first.status_code == 200 and "1\u201325 of 30" in main_of(first.text)
    assert table_of(first.text).index("INV-30<") < table_of(first.text).index("INV-29<")
    assert all(number not in first.text for number in ("INV-PAID", "INV-LATER", "INV-SECRET"))
    assert "26\u201330 of 30" in main_of((await admin.get(f"{path}?page=2")).text)
    # sorted by what is open, largest first; searched by number; filtered by how long overdue and by vendor
    largest = table_of((await admin.get(f"{path}?sort=-open")).text)
    assert largest.index("INV-30<") < largest.index("INV-29<") and "INV-1<" not in largest
    assert "1\u20131 of 1" in main_of((await admin.get(f"{path}?q=inv-7")).text)
    assert "1\u201323 of 23" in main_of((await admin.get(f"{path}?overdue=30")).text)  # due 32 days ago or more
    assert "1\u201310 of 10" in main_of((await admin.get(f"{path}?vendor={other_vendor.id}")).text)
    # the export is the selection, every page of it, its times in the reader's zone (named in the header)
    await Membership.update({Membership.time_zone: "Europe/Berlin"}).where(
        Membership.user == await user_id(world.buyer_admin))
    rows = list(csv.reader(io.StringIO((await admin.get(f"{path}/export.csv?overdue=90")).content.decode(
        "utf-8-sig"))))
    assert rows[0] == ["Invoice", "Vendor", "Issued on", "Due on", "Days overdue", "Currency", "Open",
                       "Recorded (Europe/Berlin)"]
    assert sorted(row[0] for row in rows[1:]) == sorted(f"INV-{n}" for n in range(23, 31))
    book = openpyxl.load_workbook(io.BytesIO((await admin.get(f"{path}/export.xlsx?q=INV-2")).content))
    assert len(list(book.active.iter_rows(min_row=2, values_only=True))) == 11  # INV-2, INV-20 … INV-29
    # what the grid cannot read is a 400
    assert (await admin.get(f"{path}?sort=days")).status_code == 400
    assert (await admin.get(f"{path}?overdue=7")).status_code == 400
    # another company's credit page and export are the 404 of a missing company's; a purchaser's the 403 as before
    stranger = await browser(world.other_buyer_admin)
    for url in (path, f"{path}/export.csv", f"{path}/export.xlsx"):
        assert (await stranger.get(url)).status_code == 404, url
    assert (await stranger.get("/companies/999999/credit")).status_code == 404
    assert (await (await browser(world.purchaser)).get(f"{path}/export.csv")).status_code == 403
