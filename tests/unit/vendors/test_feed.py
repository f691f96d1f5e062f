"""Reading feed files: format detection, encoding, header, streaming rows, cells of XLSX."""

import pytest
from openpyxl import Workbook

from app.settings import get_settings
from app.vendors.feed import (
    FeedError,
    FeedLimits,
    FileFormat,
    check_header,
    check_row,
    detect_format,
    iter_rows,
    read_header,
)
from app.vendors.listing_rules import ListingInvalid

LIMITS = FeedLimits.of(get_settings())


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("feed.CSV", b"sku,title", FileFormat.CSV),
    ("feed.xlsx", b"PK\x03\x04rest", FileFormat.XLSX),
])
def test_formats(name, head, expected):
    assert detect_format(name, head) is expected


@pytest.mark.parametrize(("name", "head", "fragment"), [
    ("feed.pdf", b"%PDF", "neither a CSV"),
    ("feed.csv", b"PK\x03\x04", "not a CSV"),
    ("feed.csv", "Bügel".encode("latin-1"), "not UTF-8"),
    ("feed.csv", "sku".encode("utf-16"), "not UTF-8"),
    ("feed.xls", b"\xd0\xcf", ".xls"),
])
def test_refused_files_say_why(name, head, fragment):
    with pytest.raises(FeedError, match=fragment):
        detect_format(name, head)


def test_a_multibyte_character_cut_at_the_end_of_the_head_is_fine():
    assert detect_format("feed.csv", "sku,Bü".encode()[:-1]) is FileFormat.CSV


def test_the_header_names_missing_unknown_and_repeated_columns():
    with pytest.raises(FeedError) as caught:
        check_header(["SKU", "Title", "prize", "title"])
    message = str(caught.value)
    assert "required columns missing: base_price, currency" in message
    assert "unknown columns: prize" in message
    assert "columns given twice: title" in message


def test_csv_rows_stream_with_spreadsheet_row_numbers(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("\ufeffsku;title;base_price;currency\nA;Gloves;1.50;EUR\n;;;\nB;Tape;2;EUR;extra\n", "utf-8")
    rows = list(iter_rows(path, FileFormat.CSV, LIMITS))
    assert [row.number for row in rows] == [2, 4]
    assert check_row(rows[0]).title == "Gloves"
    with pytest.raises(ListingInvalid, match="5 cells"):
        check_row(rows[1])


def test_a_csv_that_turns_out_not_utf8_midway_is_a_feed_error(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_bytes(b"sku,title,base_price,currency\n" + b"A,Ok,1,EUR\n" * 10_000 + "B,Bügel,1,EUR\n".encode("cp1252"))
    with pytest.raises(FeedError, match="not UTF-8 near row"):
        list(iter_rows(path, FileFormat.CSV, LIMITS))


def test_xlsx_cells_become_text_exactly(tmp_path):
    workbook = Workbook()
    workbook.active.append(["sku", "title", "base_price", "currency", "gtin", "stock"])
    workbook.active.append([1001, "Gloves", 9.95, "EUR", 4006381333931, 12.0])
    path = tmp_path / "feed.xlsx"
    workbook.save(path)
    assert read_header(path, FileFormat.XLSX, LIMITS)[:2] == ["sku", "title"]
    (row,) = iter_rows(path, FileFormat.XLSX, LIMITS)
    assert row.cells == {"sku": "1001", "title": "Gloves", "base_price": "9.95", "currency": "EUR",
                         "gtin": "4006381333931", "stock": "12"}
