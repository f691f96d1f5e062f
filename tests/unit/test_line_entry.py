"""The form of one value per line (app/line_entry.py): paged and filtered, it carries every line's value, shown or
hidden, so paging, filtering and refusals lose nothing; a refusal opens the page of the first refused line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.line_entry import PER_PAGE, EntryLine, entry_page, navigating, submitted


def lines(count: int) -> list[EntryLine]:
    return [EntryLine(id=100 + n, position=n, sku=f"SKU-{n:03}", name=f"Item {n:03}", default="4")
            for n in range(1, count + 1)]


def every_value(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f"{page.prefix}{line.id}": value for line, value in page.shown} | dict(page.carried)


def test_a_first_view_starts_every_line_at_its_default_and_shows_the_first_page():
    page = entry_page(lines(60), {}, "ship_")
    assert page.paged and page.pages == 3 and page.page == 1
    assert [line.position for line, _ in page.shown] == list(range(1, 26))
    assert set(every_value(page).values()) == {"4"} and len(every_value(page)) == 60


def test_a_short_form_is_not_paged():
    assert not entry_page(lines(PER_PAGE), {}, "ship_").paged


def test_a_post_that_leaves_a_line_out_leaves_it_empty_not_at_its_default():
    # the form always posts every line; a client that posts one line means only that one
    typed = submitted(lines(3), {"ship_101": "2", "carrier": "DHL", "ship_note": "n"}, "ship_")
    assert typed == {"carrier": "DHL", "ship_note": "n", "ship_101": "2", "ship_102": "", "ship_103": ""}


def test_the_pagers_own_fields_are_not_submitted_and_unknown_lines_are_dropped():
    typed = submitted(lines(2), {"ship_101": "1", "ship_102": "1", "ship_999": "5", "lines_q": "x",
                                 "lines_at": "2", "lines_action": ""}, "ship_")
    assert typed == {"ship_101": "1", "ship_102": "1"}


def test_a_filter_shows_the_matching_lines_from_its_first_page_and_fill_sets_only_them():
    form = {f"ship_{100 + n}": "" for n in range(1, 61)} | {"lines_q": "item 00", "lines_action": "fill",
                                                            "lines_at": "3"}
    page = entry_page(lines(60), form, "ship_")
    assert [line.position for line, _ in page.shown] == list(range(1, 10)) and page.page == 1
    values = every_value(page)
    assert [n for n in range(1, 61) if values[f"ship_{100 + n}"] == "4"] == list(range(1, 10))
    assert navigating(form) and not navigating({"ship_101": "1"})


def test_a_refusal_opens_the_page_of_the_first_refused_line_and_names_the_others_with_their_page():
    form = {f"ship_{100 + n}": "4" for n in range(1, 61)} | {"lines_q": "item 05"}
    errors = {"ship_130": "Line 30: no.", "ship_155": "Line 55: no."}
    page = entry_page(lines(60), form, "ship_", errors=errors)
    # line 55 matches the filter: the filter stays, the page is the filtered one; line 30 is named without a page
    assert [line.position for line, _ in page.shown] == [5, *range(50, 60)]  # "05" is in SKU-005 too
    assert [(line.position, at) for line, at, _ in page.other_errors] == [(30, 0)]
    unfiltered = entry_page(lines(60), {k: v for k, v in form.items() if k != "lines_q"}, "ship_", errors=errors)
    assert unfiltered.page == 2 and [(line.position, at) for line, at, _ in unfiltered.other_errors] == [(55, 3)]


def test_asking_for_one_line_opens_its_page_and_drops_a_filter_that_hides_it():
    # the refusal above named line 30 without a page (the filter hid it): its button asks for line 30 itself
    form = {f"ship_{100 + n}": "4" for n in range(1, 61)} | {"lines_q": "item 05", "ship_130": "x",
                                                            "lines_line": "130"}
    page = entry_page(lines(60), form, "ship_")
    assert navigating(form) and page.query == "" and page.page == 2
    assert ("ship_130", "x") not in page.carried and dict((f"ship_{li.id}", v) for li, v in page.shown)[
        "ship_130"] == "x"
    # a line the filter shows keeps the filter; an unknown line asks for nothing; the control is never submitted
    kept = entry_page(lines(60), form | {"lines_line": "155"}, "ship_")
    assert kept.query == "item 05" and 55 in [line.position for line, _ in kept.shown]
    assert entry_page(lines(60), form | {"lines_line": "999"}, "ship_").query == "item 05"
    assert "lines_line" not in submitted(lines(60), form, "ship_")


@given(count=st.integers(0, 130), asked=st.text(max_size=8), query=st.text(max_size=12),
       typed=st.dictionaries(st.integers(1, 130), st.text(max_size=4)))
def test_every_line_is_either_shown_or_carried_exactly_once_with_what_was_typed(count, asked, query, typed):
    form = {f"ship_{100 + n}": "" for n in range(1, count + 1)}
    form |= {f"ship_{100 + n}": value for n, value in typed.items() if n <= count}
    form |= {"lines_page": asked, "lines_q": query}
    page = entry_page(lines(count), form, "ship_")
    names = [f"ship_{line.id}" for line, _ in page.shown] + [name for name, _ in page.carried]
    assert sorted(names) == sorted(f"ship_{100 + n}" for n in range(1, count + 1))
    assert every_value(page) == {key: value.strip() for key, value in form.items() if key.startswith("ship_")}
    assert 1 <= page.page <= page.pages and len(page.shown) <= PER_PAGE
