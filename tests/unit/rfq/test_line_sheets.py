"""An RFQ's lines from a spreadsheet, without a database: pasted rows and CSV/XLSX files read into checked lines, every
bad cell told by row and column in the buyer's words, the whole input refused only when it cannot be lines at all;
and which catalog product an article names."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rfq.line_sheets import (
    COLUMNS,
    MAX_FILE_BYTES,
    RowProblem,
    SheetError,
    SheetLine,
    file_lines,
    match_articles,
    read_rows,
    template_csv,
    template_xlsx,
    text_lines,
)
from app.table_input import TableError
from tests.support.hostile_files import many_parts, zip_bomb


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows(*values) -> list[tuple[int, list[str]]]:
    return [(number, list(row)) for number, row in enumerate(values, start=1)]


def test_pasted_rows_become_lines_with_their_row_numbers():
    # given a block copied from a spreadsheet: its header, a blank row, a line without unit and price
    read = text_lines("Article\tQuantity\tUnit\tTarget price\nGLV-M\t100\tbox\t4.25\n\nHand gel 1 l\t40\n")
    # then
    assert read.problems == ()
    assert read.lines == (SheetLine(2, "GLV-M", 100, "box", "4.25"), SheetLine(4, "Hand gel 1 l", 40, "pcs", ""))


def test_every_bad_cell_is_told_by_row_and_column_in_the_buyers_words():
    read = read_rows(iter(rows(("", "x", "box", "-3.5"), ("Gel", "0", "u" * 21, "1.00001"), ("Ok", "10.0"))))
    assert [str(problem) for problem in read.problems] == [
        "Row 1 — article: give a SKU, GTIN or product name, or describe the item",
        "Row 1 — quantity: must be a whole number from 1 to 1,000,000,000, not “x”",
        "Row 1 — target price: must not be negative",
        "Row 2 — quantity: must be a whole number from 1 to 1,000,000,000, not “0”",
        "Row 2 — unit: must be at most 20 characters",
        "Row 2 — target price: has more than 4 decimal places",
    ]
    assert read.lines == (SheetLine(3, "Ok", 10, "pcs", ""),)


def test_a_first_row_is_a_header_only_when_each_value_names_a_column():
    assert text_lines("SKU;Qty\nGLV-M;3").lines == (SheetLine(2, "GLV-M", 3, "pcs", ""),)
    read = text_lines("Cleaning product;lots\nGLV-M;3")
    assert [str(problem) for problem in read.problems] == [
        "Row 1 — quantity: must be a whole number from 1 to 1,000,000,000, not “lots”"]


def test_pasted_text_with_a_fifth_value_is_told_rather_than_dropped():
    read = text_lines("GLV-M\t10\tbox\t4.00\tforgotten note\n")
    assert read.problems == (RowProblem(1, "columns", "has 5 values: give only article, quantity, unit, "
                                                      "target price"),)


def test_nothing_to_read_or_too_many_lines_is_refused_as_a_whole():
    with pytest.raises(SheetError, match="No lines found"):
        text_lines("article;quantity\n\n")
    with pytest.raises(SheetError, match="at most 200"):
        text_lines("Gloves\t1\n" * 201)


def test_a_workbook_reads_its_first_four_columns_numbers_as_typed():
    content = workbook([COLUMNS, (4006381333931, 5.0, None, 4.25, "ignored"), ("Paper", 3, "ream", None)])
    read = file_lines("lines.xlsx", content)
    assert read.lines == (SheetLine(2, "4006381333931", 5, "pcs", "4.25"), SheetLine(3, "Paper", 3, "ream", ""))


def test_a_zip_bomb_a_workbook_of_many_parts_and_an_oversized_file_are_refused(tmp_path: Path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60).read_bytes()
    parts = many_parts(tmp_path / "parts.xlsx", parts=2_000).read_bytes()
    with pytest.raises(TableError, match="unpacks to more than 16 MB"):
        file_lines("bomb.xlsx", bomb)
    with pytest.raises(TableError, match="parts"):
        file_lines("parts.xlsx", parts)
    with pytest.raises(SheetError, match="larger than 2 MB"):
        file_lines("lines.csv", b"a,1\n" * (MAX_FILE_BYTES // 4 + 1))
    with pytest.raises(TableError, match="neither a CSV"):
        file_lines("lines.pdf", b"%PDF-1.4")


def test_the_templates_hold_the_columns_and_read_back_as_no_line():
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    for name, content in (("t.xlsx", template_xlsx()), ("t.csv", template_csv())):
        with pytest.raises(SheetError, match="No lines found"):
            file_lines(name, content)  # the header alone is skipped


def test_an_article_names_a_product_by_sku_then_gtin_then_name():
    offers = [("GLV-M", "4006381333931", 1, "Nitrile gloves M"), ("GLV-M2", "", 1, "Nitrile gloves M"),
              ("SHARED", "", 2, "Masks"), ("SHARED", "", 3, "Gel")]
    matches = match_articles(["GLV-M", "4006381333931", "nitrile GLOVES m", "SHARED", "Hand gel"], offers)
    assert matches == {"GLV-M": (1, "Nitrile gloves M"), "4006381333931": (1, "Nitrile gloves M"),
                       "nitrile GLOVES m": (1, "Nitrile gloves M"),
                       "SHARED": "names 2 different catalog products: give the GTIN, or describe the item"}


_good = st.tuples(st.text(alphabet="ABCDEFGH-0123456789 ", min_size=1, max_size=12).filter(str.strip),
                  st.integers(1, 10**6), st.sampled_from(["", "pcs", "box"]),
                  st.sampled_from(["", "0", "4.25", "0.0035", "100"]))


@given(st.lists(_good, min_size=1, max_size=30), st.randoms())
def test_good_rows_in_any_order_are_read_as_lines_in_that_order(good, random):
    random.shuffle(good)
    text = "\n".join("\t".join([article, str(quantity), unit, price]) for article, quantity, unit, price in good)
    read = text_lines(text)
    assert read.problems == ()
    assert [(line.article, line.quantity, line.unit, line.target_price) for line in read.lines] == [
        (article.strip(), quantity, unit or "pcs", price) for article, quantity, unit, price in good]


_junk = st.one_of(st.text(max_size=40), st.integers(-10**30, 10**30).map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr),
                  st.sampled_from(["1E+999999999", "NaN", "-0", "1e-99999", "١٢", "10.0", "\x00", "=HYPERLINK()"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_junk, max_size=6), max_size=12))
def test_any_junk_cells_are_lines_or_problems_never_a_crash(cells):
    try:
        read = read_rows(iter(rows(*cells)))
    except SheetError:
        return
    told = {problem.row for problem in read.problems}
    assert all(line.row not in told and line.quantity >= 1 for line in read.lines)
    assert all(problem.column in (*COLUMNS, "columns") and problem.problem for problem in read.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_pasted_text_is_lines_problems_or_a_table_error(text):
    try:
        text_lines(text)
    except TableError as refused:
        assert str(refused)


def test_text_prices_in_a_file_are_read_as_the_buyer_writes_amounts_and_number_cells_stay_numbers():
    # given a German buyer's workbook: one price typed as text, one a number cell, one as English text
    content = workbook([COLUMNS, ("Gloves", 10, "box", "1.234,50"), ("Paper", 3, "ream", 1234.5),
                        ("Masks", 2, "pcs", "1,234.50")])
    read = file_lines("lines.xlsx", content, "de_DE")
    # then the German text and the number are 1234.50; the English text is told by row and column, in German form
    assert [(line.row, line.target_price) for line in read.lines] == [(2, "1234.50"), (3, "1234.5")]
    assert [(p.row, p.column) for p in read.problems] == [(4, "target price")]
    assert "1.234,50" in read.problems[0].problem and str(read.problems[0]).startswith("Row 4 — target price: ")
    # an English buyer's CSV (all text) reads "1,234.50" and refuses "1.234,50" at its row
    csv_content = "\ufeffarticle;quantity;unit;target price\nGloves;10;box;1,234.50\nPaper;3;ream;1.234,50\n"
    english = file_lines("lines.csv", csv_content.encode(), "en_US")
    assert [line.target_price for line in english.lines] == ["1234.50"]
    assert [(p.row, p.column) for p in english.problems] == [(3, "target price")]
    assert "1,234.50" in english.problems[0].problem
    # the German buyer's CSV of the same text reads the German price and refuses the English one
    german = file_lines("lines.csv", csv_content.encode(), "de_DE")
    assert [line.target_price for line in german.lines] == ["1234.50"] and german.problems[0].row == 2


def test_a_dot_decimal_price_that_is_no_german_amount_is_still_read_as_written():
    read = read_rows(iter(rows(("Gloves", "10", "box", "12.50"))), locale="de_DE")
    assert read.lines[0].target_price == "12.50"
