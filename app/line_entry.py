"""A form that takes one value per line of a long order or contract (what ships now, what arrived, a new price),
shown a page of lines at a time and filtered by what the user types, with every value entered on the other pages
carried along in hidden fields: moving between pages, filtering or a refusal loses nothing typed. Pure: the page
hands in the lines and the posted form and gets back what to show.

The form's own controls are buttons of the one form (so the values typed go with them): `lines_page` (go to a
page), `lines_line` (go to the page of one line, dropping a filter that hides it: how a refusal on another page is
reached), `lines_q` with `lines_action=filter` (show the lines matching a text), `lines_action=fill` / `clear`
(every line the filter shows set to its default, or emptied). A post with none of them is the form's real submit.

After a refusal, each refused line on another page is listed inside the form with the id its field's error would
have (`<field>-error`), so the page's error summary links to it, and with the button that opens its page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PER_PAGE = 25
PAGE = "lines_page"
LINE = "lines_line"  # a line's id: show the page it is on
AT = "lines_at"  # the page shown when fill or clear was pressed: the form stays there
QUERY = "lines_q"
ACTION = "lines_action"
_ACTIONS = ("filter", "fill", "clear")


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One line the form takes a value for: its id (the field is `<prefix><id>`), what the user knows it by, and
    the value the field starts with (`default`: what is left to ship, or nothing)."""

    id: int
    position: int
    sku: str
    name: str
    default: str = ""

    def matches(self, query: str) -> bool:
        """The line's number, SKU or name contains `query` (any case); a blank query matches every line."""
        words = query.casefold().split()
        text = f"{self.position} {self.sku} {self.name}".casefold()
        return all(word in text for word in words)


@dataclass(frozen=True, slots=True)
class EntryPage:
    """What the form shows: the lines of this page with their values, the hidden values of every other line, and
    where it stands ("lines 26 to 50 of 180 matching 'glove'")."""

    shown: tuple[tuple[EntryLine, str], ...]
    carried: tuple[tuple[str, str], ...]
    page: int
    pages: int
    matching: int
    total: int
    query: str
    prefix: str
    other_errors: tuple[tuple[EntryLine, int, str], ...] = ()  # a refused line on another page, that page, why

    @property
    def paged(self) -> bool:
        """Whether the form needs its pager and filter at all (a short order shows every line, as a table)."""
        return self.total > PER_PAGE

    @property
    def first_row(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.matching else 0

    @property
    def last_row(self) -> int:
        return min(self.page * PER_PAGE, self.matching)


def navigating(form: Mapping[str, str]) -> bool:
    """The post is one of the form's own controls (a page, the filter, fill or clear), not its submit."""
    return PAGE in form or LINE in form or form.get(ACTION, "") in _ACTIONS


def values(lines: Sequence[EntryLine], form: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Each line's field as the form holds it: what was posted (a line the post leaves out is empty: the form
    always posts every line, shown or carried); on a first view, whose form has no line's field, the line's
    default; `fill` and `clear` set every line the filter shows."""
    action = form.get(ACTION, "")
    query = _query(form)
    first = not any(_is_line_field(key, prefix) for key in form)
    found = {}
    for line in lines:
        key = f"{prefix}{line.id}"
        value = line.default if first else form.get(key, "")
        if action in ("fill", "clear") and line.matches(query):
            value = line.default if action == "fill" else ""
        found[key] = value.strip() if isinstance(value, str) else ""
    return found


def entry_page(lines: Sequence[EntryLine], form: Mapping[str, str], prefix: str, *,
               errors: Mapping[str, str] | None = None) -> EntryPage:
    """The page of lines to show for `form` (a first view: `{}`): the page asked for among the lines matching the
    filter; after a refusal (`errors` by field), the page of the first refused line, whatever the filter, so the
    user lands on it; the refusals on other pages named with their page."""
    typed = values(lines, form, prefix)
    query = _query(form)
    # a new filter starts at its first page
    asked = 1 if form.get(ACTION) == "filter" else _page_number(form.get(PAGE) or form.get(AT, "1"))
    refused = [line for line in lines if (errors or {}).get(f"{prefix}{line.id}")]
    if refused and not any(line.matches(query) for line in refused):
        query = ""  # the refused line must be reachable: drop a filter that hides every one of them
    wanted = next((line for line in lines if str(line.id) == form.get(LINE, "").strip()), None)
    if wanted is not None and not wanted.matches(query):
        query = ""  # the line asked for is shown, whatever the filter
    matching = [line for line in lines if line.matches(query)]
    if wanted is not None:
        asked = matching.index(wanted) // PER_PAGE + 1
    pages = max(1, -(-len(matching) // PER_PAGE))
    if refused and not navigating(form):
        first = next(line for line in matching if line in refused)
        asked = matching.index(first) // PER_PAGE + 1
    page = min(max(asked, 1), pages)
    shown_lines = matching[(page - 1) * PER_PAGE: page * PER_PAGE]
    shown_ids = {line.id for line in shown_lines}
    others = tuple(
        (line, matching.index(line) // PER_PAGE + 1 if line in matching else 0, (errors or {})[f"{prefix}{line.id}"])
        for line in refused if line.id not in shown_ids
    )
    return EntryPage(
        shown=tuple((line, typed[f"{prefix}{line.id}"]) for line in shown_lines),
        carried=tuple((f"{prefix}{line.id}", typed[f"{prefix}{line.id}"]) for line in lines
                      if line.id not in shown_ids),
        page=page, pages=pages, matching=len(matching), total=len(lines), query=query, prefix=prefix,
        other_errors=others,
    )


def submitted(lines: Sequence[EntryLine], form: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The form as its reader takes it on the real submit: every line's value (shown or carried) and the other
    fields, without the pager's own."""
    rest = {key: value for key, value in form.items()
            if key not in (PAGE, LINE, AT, QUERY, ACTION) and not _is_line_field(key, prefix)}
    return rest | values(lines, form, prefix)


def _is_line_field(key: str, prefix: str) -> bool:
    return key.startswith(prefix) and key.removeprefix(prefix).isdigit()


def _query(form: Mapping[str, str]) -> str:
    return " ".join(form.get(QUERY, "").split())[:100]


def _page_number(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 7 else 1
