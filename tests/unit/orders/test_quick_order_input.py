"""Quick order's input: pasted text, CSV and XLSX read into numbered (article, quantity) lines, each bad line with
its fault, the input as a whole refused when it is empty, too long or unreadable; and the refused lines written
back as a CSV that reads in again."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from app.orders.quick_order import refused_csv, refused_rows
from app.orders.quick_order_input import (
    MAX_FILE_BYTES,
    MAX_LINES,
    InputError,
    LineFault,
    csv_lines,
    file_lines,
    parse_quantity,
    text_lines,
    xlsx_lines,
)
from app.orders.quick_order_schemas import (
    LineStatus,
    QuickOrderCountsOut,
    QuickOrderLineOut,
    QuickOrderOut,
    RefusalCode,
)
from app.orders.schemas import MAX_QUANTITY
from tests.support.hostile_files import many_parts, zip_bomb

# Articles as buyers have them: SKUs with dashes, dots and slashes, GTINs, MPNs; never a separator.
articles = st.text(alphabet="ABCDEFGHXYZabcxyz0123456789-./_", min_size=1, max_size=30)
quantities = st.integers(min_value=1, max_value=MAX_QUANTITY)
orders = st.lists(st.tuples(articles, quantities), min_size=1, max_size=40)


def pairs(read) -> list[tuple[str, int | None]]:
    return [(line.article, line.quantity) for line in read.lines]


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- pasted text -------------------------------------------------------------------------------


@given(orders, st.sampled_from(["\t", ";", ",", " ", "  ", " ; ", "\t\t"]), st.sampled_from(["\n", "\r\n"]))
def test_pasted_lines_come_back_as_typed_whatever_the_separator(order, separator, newline):
    # given lines of an article and a quantity, separated as a spreadsheet or a person would
    text = newline.join(f"{article}{separator}{quantity}" for article, quantity in order)
    # when they are read
    read = text_lines(text)
    # then each line is its article and quantity, numbered from 1, none at fault
    if separator == "\t\t":  # an empty cell between the two: not an article and a quantity
        assert {line.fault for line in read.lines} == {LineFault.MALFORMED}
        return
    assert pairs(read) == order
    assert [line.number for line in read.lines] == list(range(1, len(order) + 1))
    assert all(line.fault is None and line.quantity_text == str(line.quantity) for line in read.lines)


@given(orders, st.sampled_from(["sku;qty", "SKU\tQuantity", "Article number,Qty", "Art.-Nr.;Menge", "gtin quantity"]))
def test_a_header_line_and_blank_lines_are_skipped(order, header):
    # given a header, then the lines with blank lines between them
    separator = "\t" if "\t" in header else ";"
    text = "\n".join([header, "", *(f"{a}{separator}{q}\n  " for a, q in order)])
    # when they are read
    read = text_lines(text)
    # then the header is said to be skipped and the lines keep their numbers in the text
    assert read.header_line == 1
    assert pairs(read) == order
    assert read.lines[0].number == 3


def test_an_article_with_spaces_takes_the_last_word_as_the_quantity():
    read = text_lines("Schraube M8 x 40   25\nAB-1001 10")
    assert pairs(read) == [("Schraube M8 x 40", 25), ("AB-1001", 10)]


@pytest.mark.parametrize(
    ("line", "fault", "message"),
    [
        ("AB-1001", LineFault.MALFORMED, "The line has no quantity: give the article, then the quantity."),
        (";10", LineFault.MALFORMED, "The line has no article: give the article, then the quantity."),
        ("AB-1001;10;5", LineFault.MALFORMED, "The line has 3 values: give only the article and the quantity."),
        ("AB\x01;10", LineFault.MALFORMED, "The article holds control characters: type it again as text."),
        ("AB-1001;ten", LineFault.BAD_QUANTITY,
         f'The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not "ten".'),
        ("AB-1001;2,5", LineFault.BAD_QUANTITY,
         f'The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not "2,5".'),
        ("AB-1001 0", LineFault.BAD_QUANTITY,
         f'The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not "0".'),
        ("AB-1001 -4", LineFault.BAD_QUANTITY,
         f'The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not "-4".'),
        (f"AB-1001 {MAX_QUANTITY + 1}", LineFault.BAD_QUANTITY,
         f'The quantity must be a whole number from 1 to {MAX_QUANTITY:,}, not "{MAX_QUANTITY + 1}".'),
    ],
)
def test_a_line_that_is_not_an_article_and_a_quantity_says_why(line, fault, message):
    # given a good line, then the bad one
    read = text_lines(f"OK-1 1\n{line}")
    # then the bad one comes back with its fault and the text as typed; the good one is not affected
    good, bad = read.lines
    assert good.fault is None
    assert (bad.number, bad.fault, bad.message, bad.quantity) == (2, fault, message, None)


@pytest.mark.parametrize(
    ("text", "quantity"),
    [("10", 10), ("+10", 10), ("0010", 10), ("10.0", 10), ("10,00", 10), (str(MAX_QUANTITY), MAX_QUANTITY),
     ("10.5", None), ("1e3", None), ("1 000", None), ("٣", None), ("9" * 5000, None), ("", None)],
)
def test_a_quantity_is_a_whole_number_from_one_to_the_most_a_line_holds(text, quantity):
    assert parse_quantity(text) == quantity


@given(st.text(max_size=2000))
def test_any_text_is_read_or_refused_as_a_whole_never_anything_else(text):
    # when any text at all is read
    try:
        read = text_lines(text)
    except InputError as exc:
        assert str(exc).startswith(("Nothing to order", "More than"))
        return
    # then every line has a quantity or a fault with its message, never both
    for line in read.lines:
        assert (line.quantity is None) == (line.fault is not None)
        assert (line.message != "") == (line.fault is not None)
        assert line.article or line.fault is LineFault.MALFORMED


@pytest.mark.parametrize("text", ["", "   \n\t\n", "sku;qty\n\n"])
def test_nothing_to_order_is_refused(text):
    with pytest.raises(InputError, match="Nothing to order"):
        text_lines(text)


def test_more_than_the_limit_of_lines_is_refused_and_the_limit_itself_is_read():
    lines = "\n".join(f"A-{n} 1" for n in range(MAX_LINES))
    assert len(text_lines(f"sku qty\n{lines}\n\n").lines) == MAX_LINES
    with pytest.raises(InputError, match=f"More than {MAX_LINES:,} lines"):
        text_lines(f"{lines}\nA-LAST 1")


# --- CSV ---------------------------------------------------------------------------------------


@given(orders, st.sampled_from([",", ";", "\t"]), st.booleans(), st.booleans())
def test_a_csv_reads_with_or_without_bom_and_header_whatever_its_delimiter(order, delimiter, bom, header):
    # given a CSV as Excel saves it (UTF-8, maybe with the BOM, a value holding the delimiter quoted), with a third
    # column the reader ignores
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(["Artikel", "Menge", "Bemerkung"])
    for article, quantity in order:
        writer.writerow([article, quantity, f"a note{delimiter} quoted"])
    content = ("\ufeff" if bom else "").encode() + out.getvalue().encode()
    # when it is read
    read = file_lines("order.csv", content)
    # then its first two columns are the lines, rows numbered as the spreadsheet shows them
    assert pairs(read) == order
    assert read.header_line == (1 if header else None)
    assert read.lines[0].number == (2 if header else 1)


def test_a_csv_that_is_not_utf8_is_refused_with_how_to_fix_it():
    with pytest.raises(InputError, match=r"not UTF-8.*CSV UTF-8"):
        csv_lines("Straße;10\n".encode("latin-1"))
    with pytest.raises(InputError, match="NUL bytes"):
        csv_lines("AB;10\n".encode("utf-16"))


# --- XLSX --------------------------------------------------------------------------------------


def test_a_workbook_reads_its_first_two_columns_numbers_as_typed():
    # given a sheet with a header, a GTIN typed as a number, a quantity as a float, a note column and a blank row
    content = workbook([
        ("SKU", "Qty", "Note"),
        ("AB-1001", 10, "first"),
        (4006381333931, 5.0, None),
        (None, None, "a remark alone"),
        ("CD-7", Decimal("2.5"), None),
        ("EF-8", "12", None),
    ])
    # when it is read
    read = xlsx_lines(content)
    # then the header is skipped, numbers keep their digits, rows keep their numbers
    assert read.header_line == 1
    assert [(line.number, line.article, line.quantity_text, line.quantity) for line in read.lines] == [
        (2, "AB-1001", "10", 10), (3, "4006381333931", "5", 5), (5, "CD-7", "2.5", None), (6, "EF-8", "12", 12),
    ]
    assert read.lines[2].fault is LineFault.BAD_QUANTITY


def test_a_zip_bomb_or_a_workbook_of_many_parts_is_refused_before_it_is_unpacked(tmp_path: Path):
    # given a workbook that unpacks to 60 MB, and one of 2,000 parts
    bomb = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=60).read_bytes()
    parts = many_parts(tmp_path / "parts.xlsx", parts=2_000).read_bytes()
    assert len(bomb) < MAX_FILE_BYTES
    # when they are read, then each is refused with the reason
    with pytest.raises(InputError, match="unpacks to more than 16 MB"):
        file_lines("bomb.xlsx", bomb)
    with pytest.raises(InputError, match="parts"):
        file_lines("parts.xlsx", parts)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("order.xlsx", b"AB;10\n", "^order.xlsx is named .xlsx but is not an Excel workbook"),
        ("order.xls", b"\xd0\xcf\x11\xe0", "Old Excel .xls files are not supported"),
        ("order.pdf", b"%PDF-1.4", "neither a CSV"),
        ("order.csv", b"", "The file is empty"),
        ("order.csv", b"A;1\n" * (MAX_FILE_BYTES // 4 + 1), "larger than 4 MB"),
        ("order.xlsx", b"PK\x03\x04 not really a zip", "not a readable Excel .xlsx workbook"),
    ],
)
def test_a_file_that_is_not_a_csv_or_xlsx_is_refused_with_the_reason(name, content, message):
    with pytest.raises(InputError, match=message):
        file_lines(name, content)


# --- the refused lines, to correct and upload again --------------------------------------------


def refused(line: int, article: str, quantity_text: str, code: RefusalCode, message: str,
            allowed=()) -> QuickOrderLineOut:
    return QuickOrderLineOut(line=line, article=article, quantity_text=quantity_text, status=LineStatus.REFUSED,
                             code=code, message=message, allowed=list(allowed))


def test_the_refused_lines_csv_reads_back_as_a_quick_order_and_neutralizes_formulas():
    # given a result with an added line and refused ones, one of them typed as a formula
    added = QuickOrderLineOut(line=1, article="OK-1", quantity_text="3", status=LineStatus.ADDED, quantity=3)
    result = QuickOrderOut(
        lines=[
            added,
            refused(2, "AB-1001", "7", RefusalCode.BELOW_MINIMUM, "Globex: The minimum order quantity is 10.", [10]),
            refused(3, "=HYPERLINK(\"x\")", "1", RefusalCode.UNKNOWN_ARTICLE, "No offer …"),
            refused(4, "CD-2", "-4", RefusalCode.BAD_QUANTITY, "The quantity must be …"),
        ],
        counts=QuickOrderCountsOut(lines=4, added=1, ambiguous=0, refused=3),
    )
    # when the refused lines are written
    content = refused_csv(refused_rows(result))
    # then only they are in it, formula-like cells kept as text
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["article", "quantity", "line", "problem", "reason", "you could order"]
    assert rows[1] == ["AB-1001", "7", "2", "below_minimum", "Globex: The minimum order quantity is 10.", "10"]
    assert rows[2][0] == "'=HYPERLINK(\"x\")" and rows[3][1] == "'-4"
    assert len(rows) == 4
    # and uploaded again, the header is skipped and the articles come back with the quantities as typed
    read = file_lines("refused.csv", content)
    assert read.header_line == 1
    assert [(line.number, line.article, line.quantity_text) for line in read.lines] == [
        (2, "AB-1001", "7"), (3, "'=HYPERLINK(\"x\")", "1"), (4, "CD-2", "'-4"),
    ]
