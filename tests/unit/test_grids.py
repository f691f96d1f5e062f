"""The grid's state: read from a URL, written back into links, never a 500 on a hostile query."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InvalidInput
from app.grids import GridColumn, GridFilter, GridSpec, export_file

SPEC = GridSpec(
    path="/things",
    columns=(GridColumn("title", "Title"), GridColumn("status", "Status"), GridColumn("notes", "Notes", False)),
    default_sort="title", search_label="Title", per_page=10, export_name="things",
    filters=(GridFilter("status", "Status", (("open", "Open"), ("closed", "Closed"))),),
)


def query_of(href: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(href).query))


states = st.builds(
    lambda sort, descending, q, status, page: SPEC.read(
        {"sort": ("-" if descending else "") + sort, "q": q, "status": status, "page": str(page)}),
    st.sampled_from(["title", "status"]), st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30).map(str.strip),
    st.sampled_from(["", "open", "closed"]), st.integers(1, 500),
)


@given(states)
def test_a_link_reads_back_as_the_state_it_was_made_from(state):
    assert SPEC.read(query_of(state.href())) == state


@given(states, st.sampled_from(["title", "status"]))
def test_a_sort_link_keeps_search_and_filters_and_goes_back_to_the_first_page(state, key):
    sorted_state = SPEC.read(query_of(state.sort_href(key)))
    assert (sorted_state.q, sorted_state.filters, sorted_state.page) == (state.q, state.filters, 1)
    assert sorted_state.sort == key
    # the same header twice turns the order round
    assert sorted_state.descending == (not state.descending if key == state.sort else False)


@given(states)
def test_the_export_is_of_the_whole_selection(state):
    href = state.export_href("csv")
    assert href.startswith("/things/export.csv")
    assert SPEC.read(query_of(href)) == state.__class__(SPEC, state.sort, state.descending, state.q, state.filters)


def test_an_empty_page_or_sort_is_the_default():
    state = SPEC.read({"page": "", "sort": ""})
    assert (state.sort, state.page) == ("title", 1)


def test_the_default_state_has_a_bare_link():
    state = SPEC.read({})
    assert (state.sort, state.descending, state.page, state.href()) == ("title", False, 1, "/things")
    assert state.aria_sort("title") == "ascending" and state.aria_sort("status") == "none"


@pytest.mark.parametrize(("query", "says"), [
    ({"sort": "notes"}, "sort must be one of title, status"),
    ({"sort": "-password"}, "sort must be one of"),
    ({"status": "deleted"}, "Status must be one of open, closed"),
    ({"page": "0"}, "page must be a whole number"),
    ({"page": "1e9"}, "page must be a whole number"),
    ({"page": "-1"}, "page must be a whole number"),
    ({"page": "   "}, "page must be a whole number"),  # blanks are not "no page": a link never sends them
    ({"page": " 2"}, "page must be a whole number"),
    ({"page": "²"}, "page must be a whole number"),  # str.isdigit() says yes to it; int() would not
    ({"sort": "  "}, "sort must be one of"),
    ({"q": "x" * 101}, "at most 100 characters"),
])
def test_what_cannot_be_read_says_what_to_send(query, says):
    with pytest.raises(InvalidInput, match=says):
        SPEC.read(query)


@given(st.dictionaries(st.sampled_from(["sort", "q", "status", "page", "other"]), st.text(max_size=40)))
def test_any_query_is_a_state_or_a_400(query):
    try:
        state = SPEC.read(query)
    except InvalidInput:
        return
    assert state.page >= 1 and state.limit == 10 and state.offset == (state.page - 1) * 10


def test_an_export_beyond_its_rows_says_how_many_more_matched():
    made = export_file(SPEC.read({}), "csv", ["Title"], [["=1+1"], ["b"]], total=5)
    text = made.content.decode("utf-8-sig").splitlines()
    assert text == ["Title", "'=1+1", "b", "… and 3 more not exported: narrow the search or the filters"]
    assert (made.media_type, made.filename) == ("text/csv", "things.csv")
    with pytest.raises(InvalidInput, match="csv, xlsx"):
        export_file(SPEC.read({}), "pdf", ["Title"], [], total=0)


def test_an_export_writes_moments_in_the_readers_zone_and_names_it_in_the_header():
    # given a moment at 12:00 UTC in July (14:00 in Berlin) and a plain day
    noon = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    rows = [["A", noon, date(2027, 7, 1)]]
    header = ["Title", "Deadline (UTC)", "Due on"]
    # when it is exported for a reader in Berlin, as CSV and as a workbook
    made = export_file(SPEC.read({}), "csv", header, rows, total=1, zone="Europe/Berlin")
    book = openpyxl.load_workbook(io.BytesIO(export_file(SPEC.read({}), "xlsx", header, rows, total=1,
                                                         zone="Europe/Berlin").content))
    # then the header names the zone and the time is Berlin's wall-clock time (a typed cell in the workbook)
    assert made.content.decode("utf-8-sig").splitlines() == [
        "Title,Deadline (Europe/Berlin),Due on", "A,2027-07-01 14:00:00,2027-07-01"]
    assert list(book.active.iter_rows(values_only=True)) == [
        ("Title", "Deadline (Europe/Berlin)", "Due on"), ("A", datetime(2027, 7, 1, 14, 0), datetime(2027, 7, 1))]
    # and a reader in UTC (the default) gets UTC, named so
    utc = export_file(SPEC.read({}), "csv", header, rows, total=1).content.decode("utf-8-sig").splitlines()
    assert utc[:2] == ["Title,Deadline (UTC),Due on", "A,2027-07-01 12:00:00,2027-07-01"]
