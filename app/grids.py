"""Every list page's grid: the column it is sorted by, the text it is searched for, its filters and its page, read
from the URL (so a link, a bookmark or the back button keeps the state), applied in SQL, written back into links;
and one export of the current selection (every page of it) to CSV or XLSX through the one neutralizing writer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Response
from litestar.response import Template
from piccolo.columns import Column
from piccolo.columns.combination import Where

from app import db, locales
from app.errors import InvalidInput
from app.files import bytes_response
from app.locales import DEFAULT_TIME_ZONE
from app.spreadsheets import Cell, Workbook, csv_file, zoned_header

MAX_SEARCH = 100
MAX_PAGE = 100_000
# An export is of the selection, not of the page: at most this many rows, with a last row that says so when more
# matched (a larger selection is narrowed with the filters).
MAX_EXPORT_ROWS = 10_000
EXPORT_FORMATS = ("csv", "xlsx")
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Q = TypeVar("Q")
C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class GridColumn:
    """A column the grid shows; `sortable` ones have a sort link in their header."""

    key: str
    label: str
    sortable: bool = True


@dataclass(frozen=True, slots=True)
class GridFilter:
    """A choice among `choices` (value, label), or a day (`kind="date"`, an ISO date such as 2027-01-31). The
    `default` holds when the URL says nothing (the empty default means "all"); it is never written into links."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""
    kind: str = "choice"  # or "date", or "text" (matched exactly, as typed)

    def read(self, raw: str) -> str:
        value = raw.strip()
        if not value or value == self.default:
            return self.default
        if self.kind == "date":
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise InvalidInput(f"{self.label} must be a date such as 2027-01-31.") from None
        if self.kind == "text":
            if len(value) > MAX_SEARCH:
                raise InvalidInput(f"{self.label} must be at most {MAX_SEARCH} characters.")
            return value
        if value not in {choice for choice, _ in self.choices}:
            if len(self.choices) > 12:
                raise InvalidInput(f"{self.label}: choose one of those the list offers (or none for all).")
            names = ", ".join(choice for choice, _ in self.choices)
            raise InvalidInput(f"{self.label} must be one of {names}{'' if self.default else ' (or empty for all)'}")
        return value


@dataclass(frozen=True, slots=True)
class GridSpec:
    """What one list page offers: its columns, default order, search, filters, page size and export name."""

    path: str
    columns: tuple[GridColumn, ...]
    default_sort: str
    default_descending: bool = False
    search_label: str = ""  # what the search box looks in, in the user's words; empty: no search box
    filters: tuple[GridFilter, ...] = ()
    per_page: int = 25
    export_name: str = ""  # the download's file name without extension; empty: no export
    sheet_title: str = ""  # the Excel sheet's name; by default the export name, capitalized ("Orders")

    def sortable(self, key: str) -> bool:
        return any(column.key == key and column.sortable for column in self.columns)

    def read(self, params: Mapping[str, str]) -> GridState:
        """The state a URL's query asks for; what cannot be read is a 400 that says what to send instead."""
        sort, descending = self.default_sort, self.default_descending
        raw_sort = params.get("sort") or ""  # a link's own parameter: empty is the default, blanks are not
        if raw_sort:
            key = raw_sort.removeprefix("-")
            if not self.sortable(key):
                names = ", ".join(c.key for c in self.columns if c.sortable)
                raise InvalidInput(f"sort must be one of {names} (with a leading - for descending)")
            sort, descending = key, raw_sort.startswith("-")
        q = (params.get("q") or "").strip()
        if len(q) > MAX_SEARCH:
            raise InvalidInput(f"The search text must be at most {MAX_SEARCH} characters.")
        chosen: list[tuple[str, str]] = []
        for grid_filter in self.filters:
            value = grid_filter.read(params.get(grid_filter.key) or "")
            if value != grid_filter.default:
                chosen.append((grid_filter.key, value))
        return GridState(self, sort, descending, q, tuple(chosen), page_number(params.get("page") or ""))


def page_number(raw: str, name: str = "page", largest: int = MAX_PAGE) -> int:
    """A page number from a link: none (empty) is the first page; anything else must be a whole number from 1 (no
    blanks, no 0: a 400 that says what to send, the same as the API answers)."""
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= largest:
        raise InvalidInput(f"{name} must be a whole number from 1 to {largest}")
    return int(raw)


@dataclass(frozen=True, slots=True)
class GridState:
    """One view of a grid: its sort, search, filters and page; every link of the page is made from it."""

    spec: GridSpec
    sort: str
    descending: bool
    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    page: int = 1

    def filter(self, key: str) -> str:
        """The chosen value of a filter: its default when none was chosen ("" for all)."""
        chosen = dict(self.filters)
        if key in chosen:
            return chosen[key]
        return next((f.default for f in self.spec.filters if f.key == key), "")

    @property
    def active(self) -> bool:
        return bool(self.q or self.filters)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.spec.per_page

    @property
    def limit(self) -> int:
        return self.spec.per_page

    def params(self) -> list[tuple[str, str]]:
        """The query that asks for this state, leaving out what is the default."""
        pairs: list[tuple[str, str]] = []
        if (self.sort, self.descending) != (self.spec.default_sort, self.spec.default_descending):
            pairs.append(("sort", f"-{self.sort}" if self.descending else self.sort))
        if self.q:
            pairs.append(("q", self.q))
        pairs.extend(self.filters)
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def href(self, path: str | None = None) -> str:
        query = urlencode(self.params())
        return f"{path or self.spec.path}{'?' + query if query else ''}"

    def sort_href(self, key: str) -> str:
        """The header's link: sorts by `key`, the other way round when it already is; back to the first page."""
        descending = not self.descending if key == self.sort else False
        return replace(self, sort=key, descending=descending, page=1).href()

    def filter_href(self, key: str, value: str) -> str:
        """This view with one filter set to `value` ("" for all), from the first page."""
        chosen = tuple((k, v) for k, v in self.filters if k != key)
        default = next((f.default for f in self.spec.filters if f.key == key), "")
        if value != default:
            chosen += ((key, value),)
        return replace(self, filters=chosen, page=1).href()

    def page_href(self, page: int) -> str:
        return replace(self, page=page).href()

    def export_href(self, fmt: str) -> str:
        """The current selection, every page of it, as a file."""
        return replace(self, page=1).href(f"{self.spec.path}/export.{fmt}")

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def page_of(self, items: Sequence[Any], total: int) -> GridPage:
        return GridPage(self, list(items), total)


@dataclass(frozen=True, slots=True)
class GridPage:
    """One page of rows and how many the selection holds."""

    state: GridState
    items: list[Any]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.state.spec.per_page))

    @property
    def first_row(self) -> int:
        return self.state.offset + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return self.state.offset + len(self.items)

    @property
    def has_next(self) -> bool:
        return self.state.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.state.page > 1


def page_template(template_name: str, page: GridPage, **context: Any) -> Template:
    """A list page with its grid as `page`. When htmx swaps the grid in, the address bar gets the view's own link
    (`HX-Push-Url`), not the form's every empty field."""
    return Template(template_name=template_name, context={"page": page, **context},
                    headers={"HX-Push-Url": page.state.href()})


# --- Bulk actions ------------------------------------------------------------------------------------

MAX_BULK = 100


def ticked(raw_ids: Sequence[str], what: str) -> list[int]:
    """The rows ticked on a page (`what`: "listings"): at least one, at most `MAX_BULK`, each an id."""
    if not raw_ids:
        raise InvalidInput(f"Tick at least one of the {what} first.")
    if len(raw_ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} {what} at once: tick fewer.")
    if not all(raw.strip().isdigit() and len(raw.strip()) < 19 for raw in raw_ids):
        raise InvalidInput(f"The ticked {what} could not be read: reload the page and tick them again.")
    return sorted({int(raw) for raw in raw_ids})


# --- SQL -------------------------------------------------------------------------------------------


def contains(column: Column, text: str) -> Where:
    """`column` contains `text`, whatever the letter case (SQLite's LIKE already ignores it for ASCII)."""
    pattern = f"%{text.replace('%', '')}%"
    return column.like(pattern) if db.is_sqlite() else column.ilike(pattern)  # type: ignore[attr-defined]


def search(columns: Iterable[Column], text: str) -> Where | None:
    """Any of `columns` contains every word of `text`; None when there is nothing to search for."""
    condition: Where | None = None
    for word in text.split():
        matches_word: Where | None = None
        for column in columns:
            match = contains(column, word)
            matches_word = match if matches_word is None else matches_word | match  # type: ignore[assignment]
        condition = matches_word if condition is None else condition & matches_word  # type: ignore[assignment]
    return condition


def narrowed(query: Q, count: C, conditions: Iterable[Where | None]) -> tuple[Q, C]:
    """A list's query and its count, both narrowed by every condition given (None: the search box was empty)."""
    for condition in conditions:
        if condition is not None:
            query, count = query.where(condition), count.where(condition)  # type: ignore[attr-defined]
    return query, count


def ordered(query: Q, state: GridState, columns: Mapping[str, Sequence[Column]], tiebreak: Column) -> Q:
    """`query` in the grid's order, then by `tiebreak` (the id) the same way, so pages never overlap."""
    ascending = not state.descending
    for column in columns[state.sort]:
        query = query.order_by(column, ascending=ascending)  # type: ignore[attr-defined]
    return query.order_by(tiebreak, ascending=ascending)  # type: ignore[attr-defined]


def paged(query: Q, state: GridState) -> Q:
    return query.limit(state.limit).offset(state.offset)  # type: ignore[attr-defined]


# --- Export ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridExport:
    """The selection as a file: its bytes, media type and file name."""

    content: bytes
    media_type: str
    filename: str


def export_file(
    state: GridState, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], total: int,
    zone: str = DEFAULT_TIME_ZONE,
) -> GridExport:
    """The rows of the selection (at most `MAX_EXPORT_ROWS`) under `header`; a last row says when more matched.
    Moments are written as the reader's wall-clock time in `zone` (their time zone), and a header that names UTC
    ("Deadline (UTC)") names that zone instead.

    CPU-bound for an XLSX of thousands of rows: call it in a worker thread."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"The export format must be one of {', '.join(EXPORT_FORMATS)}.")
    where = locales.zone(zone)
    table: list[Sequence[Cell]] = [[zoned_header(text, where.key) for text in header], *rows]
    if total > len(table) - 1:
        table.append([f"… and {total - (len(table) - 1)} more not exported: narrow the search or the filters"])
    name = state.spec.export_name or "export"
    if fmt == "csv":
        return GridExport(csv_file(table, where), CSV, f"{name}.csv")
    book = Workbook(where)
    sheet = book.sheet((state.spec.sheet_title or name.replace("-", " ").capitalize())[:31])
    for number, row in enumerate(table):
        sheet.append(row, bold=number == 0)
    return GridExport(book.to_bytes(), XLSX, f"{name}.xlsx")


async def every_page(fetch: Callable[[GridState], Any], state: GridState) -> tuple[list[Any], int]:
    """The whole selection, up to `MAX_EXPORT_ROWS`, fetched a page at a time in the grid's order (each a bounded
    query), and the number that matched."""
    wide = replace(state, spec=replace(state.spec, per_page=1_000), page=1)
    items: list[Any] = []
    total = 0
    while len(items) < MAX_EXPORT_ROWS:
        page: GridPage = await fetch(wide)
        total = page.total
        items.extend(page.items)
        if not page.has_next:
            break
        wide = replace(wide, page=wide.page + 1)
    return items[:MAX_EXPORT_ROWS], total


async def export_response(
    fetch: Callable[[GridState], Any], state: GridState, path: str, header: Sequence[str],
    row: Callable[[Any], Sequence[Cell]], zone: str = DEFAULT_TIME_ZONE,
) -> Response[bytes]:
    """The answer to `<list>/export.csv` or `.xlsx` (the format is the path's extension): the grid's selection,
    its moments in the reader's time zone `zone`, named in the headers."""
    fmt = path.rsplit(".", 1)[-1]
    items, total = await every_page(fetch, state)
    made = await to_thread.run_sync(export_file, state, fmt, header, [row(item) for item in items], total, zone)
    return bytes_response(made.content, made.media_type, made.filename)
