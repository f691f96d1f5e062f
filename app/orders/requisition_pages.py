"""The buyer's requisition-list pages: its lists, one list with its lines, and the ways in from a product's offer,
the cart and an order.

Session auth and CSRF like every page; each form works without JavaScript (a 303 with a flash, or the page again
with the reason, what was typed and the refusal's status). Handlers parse (`orders/forms.py`), call one service
(`requisition_lists.py`, `requisition_sheets.py`) and render; who may see or change a list is the services' business,
so another user's private list or another company's is the 404 of a missing one. The product page (the catalog's,
which may not import this area) sends an offer here to choose the list; an order's page does the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import Principal, PrincipalRequest, buyers_only, principal_of
from app.catalog.product_page import product_detail
from app.errors import DomainError, InvalidInput
from app.files import XLSX, MultipartBody, bytes_response, read_upload
from app.forms import back_to, errors_by_field
from app.orders import cart, views
from app.orders import requisition_grid as grid
from app.orders import requisition_line_grid as line_grid
from app.orders import requisition_lists as lists
from app.orders import requisition_sheets as sheets
from app.orders.forms import (
    OfferForList,
    from_cart_from_form,
    list_deletion_confirmed,
    list_line_from_form,
    list_patch_from_form,
    new_list_from_form,
    offer_for_list_from_form,
    order_for_list_from_form,
    to_cart_from_form,
    whole,
)
from app.orders.requisition_controllers import MAX_IMPORT_BODY
from app.orders.requisition_schemas import MAX_NAME as MAX_LIST_NAME
from app.orders.requisition_schemas import (
    RequisitionFromOrderOut,
    RequisitionListOut,
    RequisitionListSummaryOut,
    RequisitionToCartOut,
)

Form = URLEncodedBody[dict[str, str]]


def _page(name: str, context: dict[str, Any], error: DomainError | None = None, field: str = "form") -> Template:
    """A page again after a refusal: the reason beside `field` (or the fields it names), with the refusal's status."""
    context = {**context, "errors": errors_by_field(error, field), "name_limit": MAX_LIST_NAME}
    return Template(template_name=name, context=context, status_code=error.status_code if error else 200)


def _lines(count: int) -> str:
    return f"{count} line{'' if count == 1 else 's'}"


class RequisitionListPages(Controller):
    path = "/requisition-lists"
    guards = [buyers_only]
    include_in_schema = False

    # --- the lists, one list ----------------------------------------------------------------------

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        return await _lists_page(request)

    @get(["/export.csv", "/export.xlsx"])
    async def export_lists(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(partial(grid.requisition_grid, principal_of(request)),
                                           grid.REQUISITION_GRID.read(request.query_params), request.url.path,
                                           grid.EXPORT_HEADER, grid.export_row, zone=principal_of(request).time_zone)

    @post("/", status_code=303)
    async def create(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        principal = principal_of(request)
        try:
            made = await lists.create_list(principal, new_list_from_form(data))
        except DomainError as exc:
            return await _lists_page(request, exc, data, "name")
        flash(request, f"The list “{made.name}” is made: add products from their pages, your cart or an order.",
              "success")
        return Redirect(path=f"/requisition-lists/{made.id}", status_code=303)

    @get("/{list_id:int}")
    async def show(self, request: PrincipalRequest, list_id: FromPath[int]) -> Template:
        return await _list_page(principal_of(request), list_id, query=request.query_params)

    @post("/{list_id:int}", status_code=303)
    async def change(self, request: PrincipalRequest, list_id: FromPath[int], data: Form) -> Response[Any]:
        """Rename, share or unshare: the owner or a company admin."""
        principal = principal_of(request)
        try:
            saved = await lists.update_list(principal, list_id, list_patch_from_form(data))
        except DomainError as exc:
            return await _list_page(principal, list_id, exc, data, "name")
        if not saved.shared and saved.owner_id != principal.user_id:
            # An admin who unshared a colleague's list may no longer see it: back to the lists, saying so.
            flash(request, f"{saved.name} is saved and now private to its owner.", "success")
            return Redirect(path="/requisition-lists", status_code=303)
        flash(request, "The list is saved.", "success")
        return Redirect(path=f"/requisition-lists/{list_id}", status_code=303)

    @post("/{list_id:int}/lines/{line_id:int}/quantity", status_code=303)
    async def change_quantity(self, request: PrincipalRequest, list_id: FromPath[int], line_id: FromPath[int],
                              data: Form) -> Response[Any]:
        principal = principal_of(request)
        typed = {**data, "line_id": str(line_id)}  # a refused quantity shows again on its own line
        field = f"list-quantity-{line_id}"
        return await _list_act(request, list_id, typed, "The quantity is changed.",
                               lambda: lists.change_line(principal, list_id, line_id, list_line_from_form(data, field)),
                               field)

    @post("/{list_id:int}/lines/{line_id:int}/remove", status_code=303)
    async def remove(self, request: PrincipalRequest, list_id: FromPath[int], line_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        return await _list_act(request, list_id, {}, "The line is removed from the list.",
                               lambda: lists.remove_line(principal, list_id, line_id))

    @post("/{list_id:int}/to-cart", status_code=303)
    async def to_cart(self, request: PrincipalRequest, list_id: FromPath[int], data: Form) -> Response[Any]:
        """The whole list or the ticked lines into the cart; the flashes say how many went in and what did not."""
        principal = principal_of(request)
        try:
            done = await lists.to_cart(principal, list_id, to_cart_from_form(data))
        except DomainError as exc:
            return await _list_page(principal, list_id, exc, data)
        for message, category in _to_cart_said(done):
            flash(request, message, category)
        return Redirect(path="/cart", status_code=303)

    @get("/{list_id:int}/export.xlsx")
    async def export(self, request: PrincipalRequest, list_id: FromPath[int]) -> Response[bytes]:
        """The lines the page's grid selects (all of them by default) as the workbook that imports back."""
        principal = principal_of(request)
        state = line_grid.line_spec(list_id, False).read(request.query_params)
        lines = await line_grid.selected_lines(principal, list_id, state)
        content = await sheets.export_xlsx(principal, list_id, lines)
        return bytes_response(content, XLSX, f"requisition-list-{list_id}.xlsx")

    @get("/{list_id:int}/export.csv")
    async def export_csv(self, request: PrincipalRequest, list_id: FromPath[int]) -> Response[bytes]:
        """The grid's selection as CSV, with the workbook's columns."""
        principal = principal_of(request)
        return await grids.export_response(
            partial(line_grid.line_grid, principal, list_id), line_grid.line_spec(list_id, False).read(
                request.query_params), request.url.path, sheets.EXPORT_HEADER, sheets.sheet_row,
            zone=principal_of(request).time_zone)

    @post("/{list_id:int}/import", status_code=303, request_max_body_size=MAX_IMPORT_BODY)
    async def import_xlsx(self, request: PrincipalRequest, list_id: FromPath[int],
                          data: MultipartBody) -> Response[Any]:
        """A workbook's rows added to the list, all or nothing: the rows to fix are shown on the list's page."""
        principal = principal_of(request)

        async def imported() -> RequisitionListOut:
            content = await read_upload(data.file, sheets.MAX_IMPORT_BYTES)
            return await sheets.import_xlsx(principal, list_id, data.file.filename, content)

        return await _list_act(request, list_id, {}, "The file's rows are added to the list.", imported, "file")

    @post("/{list_id:int}/delete", status_code=303)
    async def delete(self, request: PrincipalRequest, list_id: FromPath[int], data: Form) -> Response[Any]:
        """Delete the list, its box ticked (it cannot be undone): the owner or a company admin."""
        principal = principal_of(request)
        try:
            list_deletion_confirmed(data)
            await lists.delete_list(principal, list_id)
        except DomainError as exc:
            return await _list_page(principal, list_id, exc, data, "confirm")
        flash(request, "The list is deleted.", "success")
        return Redirect(path="/requisition-lists", status_code=303)

    # --- the ways in: an offer, the cart, an order ------------------------------------------------

    @get("/add")
    async def choose_for_offer(self, request: PrincipalRequest) -> Template:
        """From the product page: an offer and a quantity; the buyer chooses the list here."""
        return await _offer_page(principal_of(request), dict(request.query_params))

    @post("/add", status_code=303)
    async def add_offer(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        principal = principal_of(request)
        try:
            wanted = offer_for_list_from_form(data)
            kept = await _keep_offer(principal, wanted)
        except DomainError as exc:
            return await _offer_page(principal, data, exc)
        line = next(line for line in kept.lines if line.listing_id == wanted.line.listing_id)
        flash(request, f"{line.name} ({line.sku}): {line.quantity} now in your list “{kept.name}”.", "success")
        return Redirect(path=back_to(data, f"/requisition-lists/{kept.id}"), status_code=303)

    @post("/from-cart", status_code=303)
    async def from_cart(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        """The cart page's "save cart as list": a new list of the cart's lines; the cart stays as it is."""
        principal = principal_of(request)
        try:
            made = await lists.from_cart(principal, from_cart_from_form(data))
        except DomainError as exc:
            return _page("orders/cart.html", {"cart": await cart.get_cart(principal), "notice": None,
                                              "list_form": data}, exc, "name")
        flash(request, f"Your cart is kept as the list “{made.name}” ({_lines(made.line_count)}); the cart is "
                       "unchanged.", "success")
        return Redirect(path=f"/requisition-lists/{made.id}", status_code=303)

    @get("/from-order/{order_id:int}")
    async def choose_for_order(self, request: PrincipalRequest, order_id: FromPath[int]) -> Template:
        return await _order_page(principal_of(request), order_id)

    @post("/from-order/{order_id:int}", status_code=303)
    async def from_order(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        """An order's lines into one of the buyer's lists or a new one; the flashes say what was left out."""
        principal = principal_of(request)
        try:
            done = await lists.from_order(principal, order_id, order_for_list_from_form(data))
        except DomainError as exc:
            return await _order_page(principal, order_id, exc, data)
        for message, category in _from_order_said(done):
            flash(request, message, category)
        return Redirect(path=f"/requisition-lists/{done.requisition_list.id}", status_code=303)


async def _list_act(request: PrincipalRequest, list_id: int, form: Mapping[str, str], message: str,
                    action: Callable[[], Awaitable[object]], field: str = "form") -> Response[Any]:
    """Run a change of the list: a flash and a 303 back to it, or the list's page with why (beside `field`) and
    what was typed."""
    principal = principal_of(request)
    try:
        await action()
    except DomainError as exc:
        return await _list_page(principal, list_id, exc, form, field)
    flash(request, message, "success")
    return Redirect(path=f"/requisition-lists/{list_id}", status_code=303)


async def _keep_offer(principal: Principal, wanted: OfferForList) -> RequisitionListOut:
    if wanted.list_id is not None:
        return await lists.add_line(principal, wanted.list_id, wanted.line)
    assert wanted.new_list is not None
    return await lists.create_list(principal, wanted.new_list)


def _to_cart_said(done: RequisitionToCartOut) -> list[tuple[str, str]]:
    added = f"{_lines(len(done.added))} of the list added to your cart"
    skipped = f"; {_lines(len(done.skipped))} skipped." if done.skipped else "."
    return [(added + skipped, "success" if done.added else "error"),
            *((skip.message, "error") for skip in done.skipped)]


def _from_order_said(done: RequisitionFromOrderOut) -> list[tuple[str, str]]:
    kept = done.requisition_list
    return [(f"{_lines(done.added)} of the order kept in your list “{kept.name}”.", "success"),
            *((message, "error") for message in done.skipped)]


async def _changeable_lists(principal: Principal) -> list[RequisitionListSummaryOut]:
    return [summary for summary in await lists.list_lists(principal) if summary.can_change]


async def _lists_page(request: PrincipalRequest, error: DomainError | None = None,
                      typed: Mapping[str, str] | None = None, field: str = "form") -> Template:
    state = grid.REQUISITION_GRID.read(request.query_params)
    page = grids.page_template("orders/requisition_lists.html",
                               await grid.requisition_grid(principal_of(request), state), typed=typed or {},
                               errors=errors_by_field(error, field), name_limit=MAX_LIST_NAME)
    page.status_code = error.status_code if error else 200
    return page


async def _list_page(principal: Principal, list_id: int, error: DomainError | None = None,
                     typed: Mapping[str, str] | None = None, field: str = "form",
                     query: Mapping[str, str] | None = None) -> Template:
    """The list with its lines as a grid (the view `query` asks for)."""
    found = await lists.get_list(principal, list_id)
    state = line_grid.line_spec(list_id, found.can_change).read(query or {})
    page = await line_grid.line_grid(principal, list_id, state)
    made = _page("orders/requisition_list.html",
                 {"list": found, "page": page, "typed": typed or {},
                  "max_megabytes": sheets.MAX_IMPORT_BYTES // sheets.MB}, error, field)
    made.headers["HX-Push-Url"] = state.href()
    return made


async def _offer_page(principal: Principal, typed: Mapping[str, str], error: DomainError | None = None) -> Template:
    """The offer the product page sent (its product shows what it is) and the buyer's lists to choose from."""
    product_id = whole(typed.get("product_id"), "product_id")
    if product_id is None:
        raise InvalidInput("Choose the offer on its product's page.")
    return _page("orders/requisition_add.html", {
        "product": await product_detail(principal, product_id), "listing_id": whole(typed.get("listing_id"), "offer"),
        "lists": await _changeable_lists(principal), "typed": typed,
    }, error)


async def _order_page(principal: Principal, order_id: int, error: DomainError | None = None,
                      typed: Mapping[str, str] | None = None) -> Template:
    return _page("orders/requisition_from_order.html", {
        "order": await views.get_order(principal, order_id), "lists": await _changeable_lists(principal),
        "typed": typed or {},
    }, error)


ROUTES: list[ControllerRouterHandler] = [RequisitionListPages]
