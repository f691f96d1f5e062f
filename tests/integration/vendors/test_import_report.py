"""The whole row report of a feed import, as CSV: every rejected row, not only the first ERRORS_SHOWN."""

import csv
import io

from app.vendors import import_reports
from app.vendors.schemas import ImportRowError
from tests.support.fixtures import make_company, make_user
from tests.support.vendors import csv_bytes, import_and_wait

BAD_ROWS = import_reports.ERRORS_SHOWN + 203


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_the_csv_holds_every_rejected_row_in_row_order(world, api, worker):
    # given an import with more rejected rows than its job shows
    client = await api(world.vendor_admin)
    rows = [[f"R-{n}", f"Row {n}", "not a price", "EUR", "", "1", ""] for n in range(BAD_ROWS)]
    job = await import_and_wait(client, csv_bytes(rows), all_or_nothing=False)
    assert (len(job["errors"]), job["errors_total"]) == (import_reports.ERRORS_SHOWN, BAD_ROWS)
    # when its vendor downloads the report
    response = await client.get(f"/api/v1/jobs/{job['id']}/errors.csv")
    # then every one is there, file row numbers in order (the header is row 1), with its column and reason
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f"import-{job['id']}-rejected-rows.csv" in response.headers["content-disposition"]
    header, *report = rows_of(response.content)
    assert header == ["row", "column", "reason"]
    assert [int(row[0]) for row in report] == list(range(2, BAD_ROWS + 2))
    assert {row[1] for row in report} == {"base_price"}
    assert all(row[2] for row in report)


async def test_the_page_links_the_report_and_serves_it(world, api, browser, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes([["P-1", "", "1.00", "EUR", "", "1", ""]]), all_or_nothing=False)
    session = await browser(world.vendor_admin)
    page = await session.get(f"/vendor/imports/{job['id']}")
    assert f"/vendor/imports/{job['id']}/errors.csv" in page.text
    download = await session.get(f"/vendor/imports/{job['id']}/errors.csv")
    assert download.status_code == 200
    assert rows_of(download.content)[1][:2] == ["2", "title"]


async def test_another_vendors_report_is_404_and_buyers_get_403(world, api, browser, worker):
    client = await api(world.vendor_admin)
    job = await import_and_wait(client, csv_bytes([["X-1", "", "1.00", "EUR", "", "1", ""]]))
    other = await make_user((await make_company("vendor")).id, "vendor_admin")
    assert (await (await api(other)).get(f"/api/v1/jobs/{job['id']}/errors.csv")).status_code == 404
    assert (await (await browser(other)).get(f"/vendor/imports/{job['id']}/errors.csv")).status_code == 404
    assert (await (await api(world.buyer_admin)).get(f"/api/v1/jobs/{job['id']}/errors.csv")).status_code == 403


def test_a_cell_a_spreadsheet_would_run_as_a_formula_stays_text():
    text = import_reports.report_csv(
        [ImportRowError(row=2, column="=HYPERLINK(\"x\")", reason="-1 is below zero"),
         ImportRowError(row=3, column="stock", reason="ok")],
        header=True,
    )
    assert rows_of(text.encode()) == [
        ["row", "column", "reason"], ["2", "'=HYPERLINK(\"x\")", "'-1 is below zero"], ["3", "stock", "ok"],
    ]
