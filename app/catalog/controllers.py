"""The buyer catalog over HTTP: the search and product API, and the pages (they work without JavaScript)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, catalog_readers, principal_of
from app.catalog import search_export
from app.catalog.product_page import product_detail
from app.catalog.schemas import ProductDetail, SearchResult
from app.catalog.search import Filters
from app.catalog.search_results import MAX_PAGE, MAX_PER_PAGE, parse_filters, search_products
from app.errors import DomainError, InvalidInput
from app.forms import amount
from app.grids import page_number

# Buyers browse their own catalog; operators may look at the unsegmented one; vendors get 403.


class CatalogApi(Controller):
    path = "/api/v1/catalog"
    tags = ["catalog"]
    guards = [catalog_readers]

    @get("/products", summary="Search the products you may see, with your prices and facets")
    async def search(
        self,
        request: PrincipalRequest,
        q: FromQuery[str] = "",
        category: FromQuery[int | None] = None,
        vendor: FromQuery[int | None] = None,
        brand: FromQuery[str] = "",
        min_price: FromQuery[str | None] = None,
        max_price: FromQuery[str | None] = None,
        in_stock: FromQuery[bool] = False,
        sort: FromQuery[str] = "relevance",
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 20,
    ) -> SearchResult:
        filters = parse_filters(
            category=category, vendor=vendor, brand=brand, min_price=min_price, max_price=max_price,
            in_stock=in_stock, sort=sort,
        )
        return await search_products(principal_of(request), q, filters, page, per_page)

    @get("/products/{product_id:int}", summary="A product with every offer you may see, cheapest first")
    async def product(
        self, request: PrincipalRequest, product_id: FromPath[int], quantity: FromQuery[int] = 1
    ) -> ProductDetail:
        return await product_detail(principal_of(request), product_id, quantity)


# --- pages --------------------------------------------------------------------------------------

_PAGE_PARAMS = ("q", "category", "vendor", "brand", "min_price", "max_price", "in_stock", "sort", "per_page")


def _page_filters(params: dict[str, str], locale: str) -> Filters:
    """The page's filters; prices as the buyer writes amounts ("1.234,50" in German: the API takes dot-decimal)."""
    return parse_filters(
        category=_whole("category", params["category"]), vendor=_whole("vendor", params["vendor"]),
        brand=params["brand"], min_price=amount(params["min_price"], locale, "min_price", "Lowest price"),
        max_price=amount(params["max_price"], locale, "max_price", "Highest price"),
        in_stock=params["in_stock"] in {"1", "true", "on"}, sort=params["sort"] or "relevance",
    )


def _whole(name: str, raw: str, default: int | None = None) -> int | None:
    # Forms send empty fields as "": they mean "no filter", not an error.
    if not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number") from None


class CatalogPages(Controller):
    path = "/catalog"
    guards = [catalog_readers]
    include_in_schema = False

    @get("/")
    async def search_page(self, request: PrincipalRequest) -> Template:
        params = {name: request.query_params.get(name, "") for name in (*_PAGE_PARAMS, "page")}
        context: dict[str, Any] = {"params": params, "result": None, "error": None}
        try:
            context["result"] = await search_products(
                principal_of(request), params["q"], _page_filters(params, principal_of(request).locale),
                page_number(params["page"], largest=MAX_PAGE),
                page_number(params["per_page"], "per_page", MAX_PER_PAGE) if params["per_page"] else 20,
            )
        except DomainError as exc:
            context["error"] = exc.message
        kept = {name: value for name, value in params.items() if value and name != "page"}
        context["url_with"] = lambda **changes: "/catalog?" + urlencode(
            {k: v for k, v in {**kept, **changes}.items() if v not in (None, "")}
        )
        exported = urlencode({k: v for k, v in kept.items() if k != "per_page"})
        context["export_href"] = lambda fmt: f"/catalog/export.{fmt}{'?' + exported if exported else ''}"
        status = 400 if context["error"] else 200
        return Template(template_name="catalog/search.html", context=context, status_code=status)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        """The search's whole selection (every page) as a file."""
        params = {name: request.query_params.get(name, "") for name in _PAGE_PARAMS}
        principal = principal_of(request)
        return await search_export.export_response(principal, params["q"], _page_filters(params, principal.locale),
                                                   request.url.path)

    @get("/products/{product_id:int}")
    async def product_page(
        self, request: PrincipalRequest, product_id: FromPath[int], quantity: FromQuery[str] = "1"
    ) -> Template:
        amount = _whole("quantity", quantity, 1) or 1
        product = await product_detail(principal_of(request), product_id, amount)
        return Template(template_name="catalog/product.html", context={"product": product})


ROUTES: list[ControllerRouterHandler] = [CatalogApi, CatalogPages]
