"""The one CSV/XLSX writer: user text never becomes a live formula, numbers, dates and booleans stay typed."""

import csv
import io
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.spreadsheets import FORMULA_STARTS, Workbook, csv_file, csv_text, neutralized

dangerous = st.builds(lambda first, rest: first + rest, st.sampled_from(FORMULA_STARTS), st.text())
harmless = st.text().filter(lambda text: not text.startswith(FORMULA_STARTS))
numbers = st.one_of(
    st.integers(min_value=-(2**53), max_value=2**53),
    st.decimals(min_value=-10**9, max_value=10**9, places=4),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
)


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_cells(build) -> list[openpyxl.cell.cell.Cell]:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    build(workbook.sheet("Data"))
    loaded = openpyxl.load_workbook(io.BytesIO(workbook.to_bytes()))
    return [cell for sheet in loaded for row in sheet.iter_rows() for cell in row if cell.value is not None]


def one_xlsx_cell(value):  # type: ignore[no-untyped-def]
    [cell] = xlsx_cells(lambda sheet: sheet.append([value]))
    return cell


# --- the rule -----------------------------------------------------------------------------------


@given(dangerous)
def test_a_text_a_spreadsheet_would_evaluate_gets_a_quote(text):
    assert neutralized(text) == "'" + text


@given(harmless)
def test_any_other_text_is_unchanged(text):
    assert neutralized(text) == text


# --- CSV ----------------------------------------------------------------------------------------


@given(st.lists(dangerous, min_size=1, max_size=5))
def test_no_csv_cell_starts_with_a_formula_character(texts):
    [row] = csv_cells(csv_text([texts]))
    assert row == ["'" + text for text in texts]
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row)


@given(st.lists(harmless, min_size=1, max_size=5))
def test_harmless_csv_text_comes_back_as_it_was(texts):
    assert csv_cells(csv_text([texts])) == [texts]


def test_csv_numbers_dates_and_booleans_are_written_as_themselves_not_as_text():
    # given a negative amount (a "-" that is a number, not a formula), an exact Decimal, a date, a moment in CET
    moment = datetime(2027, 1, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    row = [-2, Decimal("-17.2500"), Decimal("1E+2"), 0.5, date(2027, 1, 2), moment, True, None, "-2"]
    # then only the text "-2" is quoted; the moment is written in UTC
    assert csv_cells(csv_text([row])) == [
        ["-2", "-17.2500", "100", "0.5", "2027-01-02", "2027-01-02 09:30:00", "TRUE", "", "'-2"]
    ]


def test_a_csv_file_starts_with_the_byte_order_mark_and_uses_excels_line_ends():
    assert csv_file([["a", 1], ["b", 2]]) == b"\xef\xbb\xbfa,1\r\nb,2\r\n"


# --- XLSX ---------------------------------------------------------------------------------------


@given(st.lists(dangerous, min_size=1, max_size=4))
def test_no_xlsx_cell_is_a_formula_or_starts_with_a_formula_character(texts):
    cells = xlsx_cells(lambda sheet: sheet.append(texts))
    assert len(cells) == len(texts)
    for cell in cells:
        assert cell.data_type == "s"
        assert not cell.value.startswith(FORMULA_STARTS)
        assert cell.value.startswith("'")


@given(harmless.filter(lambda text: text and not ILLEGAL_CHARACTERS_RE.search(text)))
def test_harmless_xlsx_text_is_a_text_cell_as_it_was(text):
    cell = one_xlsx_cell(text)
    # XML reads every line end as "\n": a carriage return inside a text comes back as a line feed
    assert (cell.data_type, cell.value) == ("s", text.replace("\r\n", "\n").replace("\r", "\n"))


def test_an_error_value_lookalike_stays_text():
    cell = one_xlsx_cell("#N/A")
    assert (cell.data_type, cell.value) == ("s", "#N/A")


def test_a_control_character_that_xml_cannot_hold_is_replaced_before_the_formula_check():
    # given a text that would start with "=" once its control character is dropped
    cell = one_xlsx_cell("\x01=HYPERLINK(\"http://x\")")
    assert cell.value == "\ufffd=HYPERLINK(\"http://x\")" and cell.data_type == "s"


@given(numbers)
def test_numbers_stay_numbers(number):
    cell = one_xlsx_cell(number)
    assert cell.data_type == "n"
    assert isinstance(cell.value, int | float)
    if isinstance(number, float):  # a spreadsheet keeps 15 significant digits
        assert math.isclose(cell.value, number, rel_tol=1e-14)
    else:
        assert Decimal(str(cell.value)) == number


def test_dates_moments_and_booleans_stay_typed():
    moment = datetime(2027, 1, 2, 10, 30, tzinfo=UTC)
    date_cell, moment_cell, flag = xlsx_cells(lambda sheet: sheet.append([date(2027, 1, 2), moment, False]))
    assert date_cell.is_date and date_cell.value == datetime(2027, 1, 2)
    assert moment_cell.is_date and moment_cell.value == datetime(2027, 1, 2, 10, 30)
    assert (flag.data_type, flag.value) == ("b", False)


def test_rows_sheets_and_emphasis():
    workbook = Workbook()
    first = workbook.sheet("First")
    assert first.append(["=head"], bold=True) == 1
    assert first.append([]) == 2
    row = first.append([None, "@x", Decimal("1.5")])
    first.emphasize(row, 3, fill="C6EFCE")
    workbook.sheet("Second").append(["+second"])
    loaded = openpyxl.load_workbook(io.BytesIO(workbook.to_bytes()))
    assert loaded.sheetnames == ["First", "Second"]
    sheet = loaded["First"]
    assert sheet["A1"].value == "'=head" and sheet["A1"].font.b
    assert [sheet["B3"].value, sheet["C3"].value] == ["'@x", 1.5]
    assert sheet["C3"].fill.fgColor.rgb.endswith("C6EFCE")
    assert loaded["Second"]["A1"].value == "'+second"
    assert all(cell.data_type != "f" for ws in loaded for r in ws.iter_rows() for cell in r)
