"""Hostile feed files meet the reader's limits: refused from the zip directory, read without sizing, stopped in time."""

import time
import tracemalloc
from dataclasses import replace
from itertools import repeat

import pytest

from app.settings import SettingsError, get_settings, load_settings
from app.vendors.feed import (
    Deadline,
    FeedError,
    FeedLimitReached,
    FeedLimits,
    FileFormat,
    check_header,
    check_workbook,
    iter_rows,
    read_header,
)
from tests.support.hostile_files import (
    HEADER,
    MB,
    csv_one_line,
    many_parts,
    many_sheets,
    numbered_rows,
    row,
    sheet_xml,
    workbook_with_sheet,
    zip_bomb,
)

LIMITS = FeedLimits.of(get_settings())
# The defaults, bar the ratio: a sheet of 300,000 copies of one row packs 150 to 1.
LOOSE = replace(LIMITS, max_ratio=100_000)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", unpacked_mb=300)


@pytest.fixture(scope="module")
def undimensioned(tmp_path_factory):
    """100,000 rows (10 MB of XML) without <dimension>: openpyxl would read them all to size the sheet."""
    path = tmp_path_factory.mktemp("sheet") / "feed.xlsx"
    return workbook_with_sheet(path, sheet_xml(numbered_rows(100_000)), compresslevel=1)


def _timed(call):
    """What `call` raised (or returned), its seconds of this process's CPU and its peak of traced memory in MB.

    CPU time, not the wall clock: the bounds say the reader stops early, and a test process sharing two cores with
    others (CI runs one per core, beside PostgreSQL) waits for the CPU without reading any more of the file."""
    tracemalloc.start()
    started = time.process_time()
    try:
        outcome = call()
    except FeedError as exc:
        outcome = exc
    seconds = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return outcome, seconds, peak


def test_the_defaults_are_those_of_the_readme():
    settings = load_settings({"MARKET_SECRET_KEY": "k" * 40})
    expected = FeedLimits(max_unpacked_bytes=256 * MB, max_entry_bytes=128 * MB, max_ratio=100, max_entries=500,
                          max_rows=200_000, max_row_chars=1024 * 1024)
    assert (FeedLimits.of(settings), settings.feed_time_limit_seconds) == (expected, 600)


@pytest.mark.parametrize(("value", "message"), [("0", "at least 1"), ("lots", "a whole number")])
def test_a_limit_must_be_a_positive_whole_number(value, message):
    with pytest.raises(SettingsError, match=f"MARKET_FEED_MAX_ROWS must be {message}"):
        load_settings({"MARKET_SECRET_KEY": "k" * 40, "MARKET_FEED_MAX_ROWS": value})


def test_a_zip_bomb_is_refused_from_the_zip_directory_without_unpacking_it(bomb):
    # given a 2 MB workbook whose sheet, without <dimension>, unpacks to 300 MB
    assert bomb.stat().st_size < 3 * MB
    # when its header is read
    refused, seconds, peak = _timed(lambda: read_header(bomb, FileFormat.XLSX, LIMITS))
    # then it is refused at once, naming the limit
    assert isinstance(refused, FeedError)
    assert "the workbook unpacks to more than 256 MB (300 MB)" in str(refused)
    assert seconds < 0.5 and peak < 5


@pytest.mark.parametrize(("limits", "message"), [
    (replace(LOOSE, max_unpacked_bytes=1024 * MB), "the part xl/worksheets/sheet1.xml of the workbook unpacks to "
                                                   "more than 128 MB (300 MB)"),
    (replace(LIMITS, max_unpacked_bytes=1024 * MB, max_entry_bytes=1024 * MB), "more than the 100 times a "
                                                                                "spreadsheet does (a zip bomb?)"),
])  # fmt: skip
def test_each_size_limit_is_named_in_its_refusal(bomb, limits, message):
    with pytest.raises(FeedError, match="workbook") as refused:
        check_workbook(bomb, limits)
    assert message in str(refused.value)


def test_a_workbook_of_1000_sheets_is_refused_for_its_parts(tmp_path):
    path = many_sheets(tmp_path / "sheets.xlsx", 1_000)
    refused, seconds, _ = _timed(lambda: read_header(path, FileFormat.XLSX, LIMITS))
    assert "the workbook has 1,004 parts (sheets, pictures, …), more than the 500 a feed may have" in str(refused)
    assert seconds < 0.5


def test_with_a_higher_limit_only_the_first_of_1000_sheets_is_opened(tmp_path):
    path = many_sheets(tmp_path / "sheets.xlsx", 1_000)
    names, seconds, _ = _timed(lambda: read_header(path, FileFormat.XLSX, replace(LIMITS, max_entries=2_000)))
    assert names == HEADER
    assert seconds < 1


def test_an_entry_count_bomb_is_refused_from_the_zip_end_record(tmp_path):
    path = many_parts(tmp_path / "parts.xlsx", 40_000)
    refused, seconds, peak = _timed(lambda: read_header(path, FileFormat.XLSX, LIMITS))
    assert "the workbook has 40,009 parts" in str(refused)
    assert seconds < 0.1 and peak < 1  # the directory itself was never parsed


def test_a_sheet_without_dimension_is_read_without_sizing_it(undimensioned):
    # when the header of a big sheet without <dimension> is read, then only the start of the sheet is
    names, seconds, peak = _timed(lambda: read_header(undimensioned, FileFormat.XLSX, LIMITS))
    assert names == HEADER
    assert seconds < 0.2 and peak < 2
    # and its rows stream with the spreadsheet's row numbers
    first = next(iter_rows(undimensioned, FileFormat.XLSX, LIMITS))
    assert (first.number, first.cells["sku"], first.cells["base_price"]) == (2, "N-0000000", "0.25")


def test_a_declared_dimension_is_not_trusted_to_pad_rows(tmp_path):
    # given a sheet that claims every cell of a spreadsheet but holds two rows
    rows = [row(*HEADER), row("A-1", "Gloves", 1.5, "EUR")]
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml(rows, dimension="A1:XFD1048576"))
    # when it is read, then the rows are as long as their cells and the sheet ends where they do
    (only,), seconds, _ = _timed(lambda: list(iter_rows(path, FileFormat.XLSX, LIMITS)))
    assert "__extra__" not in only.cells and only.cells["title"] == "Gloves"
    assert seconds < 0.5


def test_an_xlsx_row_has_the_length_limit_of_a_csv_row(tmp_path):
    # given a header of 60,000 columns, and a good header followed by a row of 60,000 cells (1.6 MB of XML each)
    wide = row(*HEADER, *(["x" * 20] * 60_000))
    wide_header = workbook_with_sheet(tmp_path / "header.xlsx", sheet_xml([wide]))
    wide_row = workbook_with_sheet(tmp_path / "row.xlsx", sheet_xml([row(*HEADER), row("A", "B", 1, "EUR"), wide]))
    # when they are read, then each is refused at that row, having read little more than the limit
    with pytest.raises(FeedError, match="row 1 of the sheet is longer than 1,024 KB"):
        read_header(wide_header, FileFormat.XLSX, LOOSE)
    refused, seconds, peak = _timed(lambda: list(iter_rows(wide_row, FileFormat.XLSX, LOOSE)))
    assert str(refused).startswith("row 3 of the sheet is longer than 1,024 KB")
    assert seconds < 3 and peak < 50  # 0.2 s without tracemalloc


def test_what_follows_the_rows_is_not_a_row(tmp_path):
    # given 2 MB of hyperlinks after the rows, as a sheet with a link on every row has
    link = b'<hyperlink ref="A2" display="a link of the vendor"/>'
    links = [b"<hyperlinks>", *repeat(link, 40_000), b"</hyperlinks>"]
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml([row(*HEADER), row("A", "B", 1, "EUR")], after=links))
    assert [feed_row.cells["sku"] for feed_row in iter_rows(path, FileFormat.XLSX, LOOSE)] == ["A"]


def test_a_sheet_jumping_to_its_last_row_stops_at_the_row_limit(tmp_path):
    rows = [row(*HEADER), row("A-1", "Gloves", 1.5, "EUR"), b'<row r="1048576"><c><v>1</v></c></row>']
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml(rows))
    refused, seconds, _ = _timed(lambda: list(iter_rows(path, FileFormat.XLSX, replace(LIMITS, max_rows=1_000))))
    assert isinstance(refused, FeedLimitReached)
    assert str(refused) == ("the file has more than 1,000 rows, the limit of one import: "
                            "split it into files of at most 1,000 rows")
    assert seconds < 0.5


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_the_row_limit_counts_rows_after_the_header(tmp_path, file_format):
    rows = [[f"A-{n}", "Gloves", "1.50", "EUR"] for n in range(10)]
    path = tmp_path / f"feed.{file_format}"
    if file_format is FileFormat.CSV:
        path.write_text("\n".join(",".join(cells) for cells in [HEADER, *rows]) + "\n")
    else:
        workbook_with_sheet(path, sheet_xml([row(*cells) for cells in [HEADER, *rows]]))
    assert len(list(iter_rows(path, file_format, replace(LIMITS, max_rows=10)))) == 10
    with pytest.raises(FeedLimitReached, match="more than 9 rows"):
        list(iter_rows(path, file_format, replace(LIMITS, max_rows=9)))


def test_reading_stops_at_the_deadline(undimensioned):
    refused, seconds, _ = _timed(lambda: list(iter_rows(undimensioned, FileFormat.XLSX, LIMITS, Deadline(0.3))))
    assert isinstance(refused, FeedLimitReached)
    assert "took longer than 0.3 seconds, the time limit of one import" in str(refused)
    assert seconds < 0.6
    with pytest.raises(FeedLimitReached, match="took longer than 10 minutes"):
        Deadline(600, started=time.monotonic() - 601).check()


def test_a_csv_of_one_50_mb_line_is_refused_after_reading_one_mb(tmp_path):
    path = csv_one_line(tmp_path / "line.csv", megabytes=50)
    refused, seconds, peak = _timed(lambda: read_header(path, FileFormat.CSV, LIMITS))
    assert str(refused) == ("row 1 is longer than 1,024 KB, the limit of one row: "
                            "is the file a CSV with one listing a line?")
    assert seconds < 0.2 and peak < 10


def test_a_50_mb_row_after_a_good_header_is_refused_where_it_is(tmp_path):
    path = csv_one_line(tmp_path / "line.csv", megabytes=50, header=True)
    assert read_header(path, FileFormat.CSV, LIMITS)[:2] == ["sku", "title"]
    refused, seconds, peak = _timed(lambda: list(iter_rows(path, FileFormat.CSV, LIMITS)))
    assert str(refused).startswith("row 2 is longer than 1,024 KB")
    assert seconds < 0.2 and peak < 10


def test_a_row_of_many_short_lines_inside_quotes_is_one_row_and_bounded(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("sku,title,base_price,currency\nA,Ok,1,EUR\nB,\"" + "x\n" * 10_000 + '",1,EUR\n')
    with pytest.raises(FeedError, match="row 3 is longer than 10 KB"):
        list(iter_rows(path, FileFormat.CSV, replace(LIMITS, max_row_chars=10 * 1024)))


def test_a_header_of_16384_columns_is_answered_at_once_and_briefly():
    started = time.perf_counter()
    with pytest.raises(FeedError) as refused:
        check_header(["sku", "title", "base_price", "currency", *(f"c{n}" for n in range(16_380))])
    assert time.perf_counter() - started < 0.5
    assert "unknown columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 16,370 more" in str(refused.value)
    assert len(str(refused.value)) < 500


def test_a_shared_string_the_workbook_lacks_is_a_feed_error(tmp_path):
    rows = [row(*HEADER), b'<row><c t="s"><v>7</v></c></row>']
    path = workbook_with_sheet(tmp_path / "feed.xlsx", sheet_xml(rows))
    with pytest.raises(FeedError, match="the first sheet of the workbook cannot be read"):
        list(iter_rows(path, FileFormat.XLSX, LIMITS))
