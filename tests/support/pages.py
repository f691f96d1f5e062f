"""Reading pages as a browser would: the fields a form would submit, the page's own content."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """What a browser would submit from the form posting to `action`: its inputs, chosen options and text areas."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and (a.get("type") != "checkbox" or "checked" in a):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to {action}"
    return parser.fields


def main_of(html: str) -> str:
    """The page's own content, without the header that names who is signed in."""
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


class _Described(HTMLParser):
    """The ids a form field (by name, or by id where several forms share a name) points at with aria-describedby,
    and the text of every element by id."""

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field, self.described, self.invalid = field, [], False
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of the elements being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag in ("input", "textarea", "select") and self.field in (a.get("name"), a.get("id")) \
                and not self.described:
            self.described = a.get("aria-describedby", "").split()
            self.invalid = a.get("aria-invalid") == "true"
        if tag in ("input", "br", "img", "hr", "meta", "link"):
            return
        self._open.append((tag, a.get("id")))
        if a.get("id"):
            self.texts.setdefault(a["id"], "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def error_beside(html: str, field: str) -> str:
    """The error text the form field named `field` (or with that id) points at (aria-describedby, marked
    aria-invalid), as a screen reader would read it beside the field; "" if the field is not marked invalid."""
    parser = _Described(field)
    parser.feed(html)
    if not parser.invalid:
        return ""
    return " ".join(" ".join(parser.texts.get(each, "").split()) for each in parser.described
                    if each.endswith("-error")).strip()
