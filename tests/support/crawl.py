"""A breadth-first walk over a signed-in user's pages: every same-origin link and GET form, each answer checked."""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import httpx

# What a download must be served as, by the ending of its path.
DOWNLOADS = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}
# Not pages to read: leaving (logout), the back office's single-page app (its own tests cover it).
SKIPPED = (re.compile(r"^/logout\b"), re.compile(r"^/admin(/|$)"))
SAME_PATTERN = 3  # URLs that differ only by numbers: this many of each shape are enough


class _Links(HTMLParser):
    """The targets a user can reach from a page: its links, and its GET forms sent as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None  # a GET form's action and fields so far
        self._select: str | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.targets.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), [])
        elif self._form is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input" and a.get("type", "text") not in {"submit", "button", "image", "reset", "file"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                self._form[1].append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._form[1].append((a["name"], ""))
        elif tag == "select":
            self._select, self._chosen = a["name"], False
        elif tag == "option" and self._select and ("selected" in a or not self._chosen):
            fields = [(key, value) for key, value in self._form[1] if key != self._select]
            self._form = (self._form[0], [*fields, (self._select, a.get("value", ""))])
            self._chosen = "selected" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            action, fields = self._form
            self.targets.append(f"{action}?{urlencode(fields)}" if fields else action)
            self._form = None


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.targets


def shape(url: str) -> str:
    """The URL with its numbers (ids, pages, dates) blanked and its parameters sorted, so /rfqs/12?page=2 and
    /rfqs/13?page=3 have one shape; with two parameters or more, their values are blanked too: a page's filters
    combine into more URLs than a walk needs (the catalog's facets), each value alone is still followed."""
    parts = urlsplit(url)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    if len(query) > 1:
        query = [(key, "") for key, _ in query]
    return re.sub(r"\d+", "#", f"{parts.path}?{urlencode(query)}")


@dataclass
class Crawl:
    """What a walk found: every URL fetched, and each broken one with the page that linked it."""

    fetched: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)


async def crawl(client: httpx.AsyncClient, start: str = "/dashboard", limit: int = 400) -> Crawl:
    """Follow every same-origin link from `start`, breadth first, up to `limit` pages."""
    origin = urlsplit(str(client.base_url))
    found = Crawl()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    shapes: Counter[str] = Counter()
    while queue and len(found.fetched) < limit:
        url, referrer = queue.popleft()
        found.fetched.append(url)
        response = await client.get(url)
        problem = _problem(url, response)
        if problem:
            found.broken.append(f"{url} {problem} (linked from {referrer})")
            continue
        if _download_type(url):
            found.downloads.append(url)
            continue
        if response.is_redirect:
            targets = [response.headers["location"]]
        elif response.headers.get("content-type", "").startswith("text/html"):
            targets = links_of(response.text)
        else:
            continue
        for target in targets:
            absolute, _ = urldefrag(urljoin(str(response.url), target))
            parts = urlsplit(absolute)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local in seen or any(pattern.match(parts.path) for pattern in SKIPPED):
                continue
            seen.add(local)
            shapes[shape(local)] += 1
            if shapes[shape(local)] <= SAME_PATTERN:
                queue.append((local, url))
    return found


def _problem(url: str, response: httpx.Response) -> str | None:
    """Why this answer is wrong for a signed-in user following a link on one of its own pages, if it is."""
    if response.status_code >= 400:
        return f"answered {response.status_code}"
    if response.is_redirect and urlsplit(response.headers["location"]).path == "/login":
        return "sent the signed-in user to the login page"
    expected = _download_type(url)
    if expected is not None:
        media_type = response.headers.get("content-type", "").split(";")[0]
        if response.status_code != 200 or media_type != expected:
            return f"is a download answered {response.status_code} as {media_type!r}, not {expected}"
    return None


def _download_type(url: str) -> str | None:
    return next((media_type for end, media_type in DOWNLOADS.items() if urlsplit(url).path.endswith(end)), None)
