"""The link crawler of tests/integration/test_every_link_works.py finds what it must: a broken link with the page that
linked it, a download refused or of the wrong type, and it leaves alone what is not a page to read."""

from __future__ import annotations

import httpx

from tests.support.crawl import crawl, links_of, shape

DASHBOARD = """<a href="/rfqs/1">one</a> <a href="/orders/export.csv">Export</a> <a href="#main">skip</a>
<a href="https://elsewhere.example/">out</a> <a href="/admin/">Back office</a> <a href="mailto:a@b.example">mail</a>
<form method="post" action="/logout"><button>Log out</button></form>
<form action="/catalog"><input name="q" value="gloves"><select name="sort"><option value="name">Name</option>
<option value="price" selected>Price</option></select><input type="checkbox" name="stock"><button>Search</button></form>
""" + "".join(f'<a href="/rfqs/{n}">rfq {n}</a>' for n in range(2, 10))


def site(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/dashboard":
        return httpx.Response(200, html=DASHBOARD)
    if path.startswith("/rfqs/"):
        return httpx.Response(200, html='<a href="/rfqs/1/comparison.xlsx">Excel</a><a href="/gone">old</a>')
    if path == "/rfqs/1/comparison.xlsx":
        return httpx.Response(200, content=b"PK", headers={"content-type": "text/html"})
    if path == "/orders/export.csv":
        return httpx.Response(401, json={"detail": "No credentials"})
    if path == "/catalog" and request.url.query == b"q=gloves&sort=price":
        return httpx.Response(303, headers={"location": "/login?next=/catalog"})
    return httpx.Response(404, html="no such page")


async def test_it_reports_every_broken_link_with_the_page_that_linked_it():
    # given a site whose dashboard links an export that answers 401, a download of the wrong type and a missing page
    async with httpx.AsyncClient(transport=httpx.MockTransport(site), base_url="http://testserver") as client:
        # when it is crawled
        found = await crawl(client, "/dashboard")
    # then each problem is reported once, with where it was linked from
    assert sorted(found.broken) == [
        "/catalog?q=gloves&sort=price sent the signed-in user to the login page (linked from /dashboard)",
        "/gone answered 404 (linked from /rfqs/1)",
        "/orders/export.csv answered 401 (linked from /dashboard)",
        "/rfqs/1/comparison.xlsx is a download answered 200 as 'text/html', not "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (linked from /rfqs/1)",
    ]
    # and it fetched three RFQs of the nine (one shape), never the back office, logout or another site
    assert [url for url in found.fetched if url.startswith("/rfqs/") and "." not in url] == [
        "/rfqs/1", "/rfqs/2", "/rfqs/3"]
    assert not [url for url in found.fetched if "admin" in url or "logout" in url or "elsewhere" in url]


async def test_it_stops_at_its_bound():
    async with httpx.AsyncClient(transport=httpx.MockTransport(site), base_url="http://testserver") as client:
        found = await crawl(client, "/dashboard", limit=2)
    assert found.fetched == ["/dashboard", "/rfqs/1"]


def test_a_get_form_is_sent_as_it_stands_and_post_forms_are_not_links():
    assert "/catalog?q=gloves&sort=price" in links_of(DASHBOARD)
    assert "/logout" not in links_of(DASHBOARD)


def test_urls_differing_only_by_numbers_share_a_shape():
    assert shape("/rfqs/12?status=open") == shape("/rfqs/7?status=open") == "/rfqs/#?status=open"
    assert shape("/rfqs/12") != shape("/rfqs/12/comparison")
    assert shape("/rfqs?status=open") != shape("/rfqs?status=closed")


def test_combined_filters_share_a_shape_whatever_their_values():
    assert shape("/catalog?brand=Acme&category=gloves") == shape("/catalog?category=masks&brand=3M")
