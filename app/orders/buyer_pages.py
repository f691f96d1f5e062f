"""The buyer's ordering pages: the cart, checkout, the order history and an order with the buyer's moves.

Session auth and CSRF like every page; each form works without JavaScript (a 303 with a flash, or the page again with
the reason), and the cart's forms update the cart in place when htmx is there. Handlers parse (`orders/forms.py`),
call one service and render; whose order is whose is the services' business (`orders/access.py`), so another
company's order or a colleague purchaser's is the 404 of a missing one.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids, line_entry
from app.accounts.addresses import list_addresses
from app.accounts.addresses_rules import AddressKind
from app.auth import Principal, PrincipalRequest, buyers_only, principal_of
from app.errors import DomainError
from app.forms import back_to, errors_by_field, max_lengths
from app.orders import cart, checkout, fulfilment, line_grid, reorder, views
from app.orders.access import order_for
from app.orders.forms import (
    CheckoutForm,
    cancel_from_form,
    cart_line_from_form,
    checkout_from_form,
    quantity_from_form,
    receipt_from_form,
    typed_checkout,
    withdrawal_from_form,
)
from app.orders.order_schemas import CheckoutIn, OrderGroupOut, OrderOut, ReorderOut
from app.orders.requisition_schemas import MAX_NAME as MAX_LIST_NAME
from app.orders.states import MOVES, Actor, OrderStatus
from app.spending import store as spending_store

PER_PAGE = 20
Form = URLEncodedBody[dict[str, str]]


def _page(name: str, context: dict[str, Any], status_code: int = 200) -> Template:
    return Template(template_name=name, context=context, status_code=status_code)


def _htmx(request: PrincipalRequest) -> bool:
    return request.headers.get("hx-request") == "true"


# --- the cart -------------------------------------------------------------------------------------


class CartPages(Controller):
    path = "/cart"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest) -> Template:
        return await _cart_page(request)

    @post("/lines", status_code=303)
    async def add(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        """From the product page: a listing and a quantity; back there (or to the cart) with what happened."""
        try:
            wanted = cart_line_from_form(data)
            added = await cart.add_line(principal_of(request), wanted)
        except DomainError as exc:
            flash(request, exc.message, "error")
        else:
            line = next(line for line in added.lines if line.listing_id == wanted.listing_id)
            flash(request, f"{line.name} ({line.sku}): {line.quantity} now in your cart.", "success")
        return Redirect(path=back_to(data, "/cart"), status_code=303)

    @post("/lines/{line_id:int}/quantity", status_code=303)
    async def change_quantity(self, request: PrincipalRequest, line_id: FromPath[int], data: Form) -> Response[Any]:
        principal = principal_of(request)
        field = f"cart-quantity-{line_id}"  # the line's quantity field: a refusal is said beside it, as typed
        return await _cart_act(request, "The quantity is changed.",
                               lambda: cart.change_quantity(principal, line_id, quantity_from_form(data, field)),
                               field, {field: data.get("quantity", "")})

    @post("/lines/{line_id:int}/remove", status_code=303)
    async def remove(self, request: PrincipalRequest, line_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        return await _cart_act(request, "The line is removed from your cart.",
                               lambda: cart.remove_line(principal, line_id))


async def _cart_act(request: PrincipalRequest, message: str, action: Callable[[], Awaitable[object]],
                    field: str = "form", typed: dict[str, str] | None = None) -> Response[Any]:
    """Run a cart change: htmx gets the cart again in place; a plain form a flash and a 303, or the page with why
    (beside `field`) and what was `typed`."""
    try:
        await action()
    except DomainError as exc:
        return await _cart_page(request, errors=errors_by_field(exc, field), typed=typed, status_code=exc.status_code)
    if _htmx(request):
        return await _cart_page(request, notice=message)
    flash(request, message, "success")
    return Redirect(path="/cart", status_code=303)


async def _cart_page(request: PrincipalRequest, *, errors: dict[str, str] | None = None, notice: str | None = None,
                     typed: dict[str, str] | None = None, status_code: int = 200) -> Template:
    context = {"cart": await cart.get_cart(principal_of(request)), "errors": errors or {}, "notice": notice,
               "typed": typed or {}, "name_limit": MAX_LIST_NAME}
    if _htmx(request):  # htmx swaps only a 2xx answer: the reason travels inside the fragment
        return _page("orders/_cart.html", context)
    return _page("orders/cart.html", context, status_code)


# --- checkout -------------------------------------------------------------------------------------


class CheckoutPages(Controller):
    path = "/checkout"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest) -> Template:
        return await _checkout_page(principal_of(request), CheckoutForm())

    @post("/", status_code=303)
    async def place(self, request: PrincipalRequest, data: Form) -> Response[Any]:
        """The form's one-time token is the idempotency key: a double-clicked submit makes one order group."""
        principal = principal_of(request)
        typed = typed_checkout(data)
        try:
            group = await checkout.checkout(principal, checkout_from_form(data), typed.token or None)
        except DomainError as exc:
            return await _checkout_page(principal, typed, exc)
        flash(request, _placed(group), "success")
        return Redirect(path="/orders?" + urlencode({"po_number": group.po_number}), status_code=303)


async def _checkout_page(principal: Principal, typed: CheckoutForm, error: DomainError | None = None) -> Template:
    """The cart as it stands now (after a refusal: the new figures), the addresses, and what the buyer typed."""
    delivery = await list_addresses(principal, AddressKind.DELIVERY, principal.company_id)
    billing = await list_addresses(principal, AddressKind.BILLING, principal.company_id)
    return _page("orders/checkout.html", {
        "cart": await cart.get_cart(principal), "delivery_addresses": delivery, "billing_addresses": billing,
        "cost_centers": await spending_store.user_cost_centers(principal.user_id, principal.company_id),
        # A fresh token for every form shown: what is submitted from it is one checkout, however often.
        "form": replace(typed, token=str(uuid.uuid4())),
        "errors": _checkout_errors(error), "limits": max_lengths(CheckoutIn),
        "changes": (error.extra or []) if error else [],
        "changed_lines": {change.get("line_id") for change in (error.extra or [])} if error else set(),
    }, error.status_code if error else 200)


def _checkout_errors(error: DomainError | None) -> dict[str, str]:
    """A taken PO number beside the PO number; what changed since the buyer looked, for the whole form."""
    if isinstance(error, checkout.PoNumberTaken):
        return {"po_number": error.message}
    return errors_by_field(error)


def _placed(group: OrderGroupOut) -> str:
    orders = ", ".join(f"{order.number} to {order.vendor}" for order in group.orders)
    if group.status == "pending_approval":
        return (f"Order {group.number} (your PO number {group.po_number}) waits for approval: {orders}. Its vendors "
                "hear of it once every approval is given.")
    return f"Order {group.number} is placed with your PO number {group.po_number}: {orders}."


# --- orders ---------------------------------------------------------------------------------------


class OrderPages(Controller):
    path = "/orders"
    guards = [buyers_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        state = (await views.order_spec_for(principal, "/orders")).read(request.query_params)
        return grids.page_template("orders/list.html", await views.order_grid(principal, state))

    @get("/{order_id:int}")
    async def show(self, request: PrincipalRequest, order_id: FromPath[int]) -> Template:
        return await _order_page(principal_of(request), order_id, query=request.query_params)

    @get(["/{order_id:int}/export.csv", "/{order_id:int}/export.xlsx"])
    async def export_lines(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[bytes]:
        await views.get_order(principal_of(request), order_id)  # another's order: its 404
        return await line_grid.export(order_id, f"/orders/{order_id}", request.query_params, request.url.path)

    @post("/{order_id:int}/cancel", status_code=303)
    async def cancel(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        """Cancel a placed order (its box ticked: it cannot be undone), or ask the vendor to cancel a confirmed one."""
        principal = principal_of(request)

        async def cancel() -> OrderOut:
            head = await order_for(principal, order_id)
            asked = cancel_from_form(data, confirmed_needed=head.status is OrderStatus.PLACED)
            return await fulfilment.cancel(principal, order_id, asked)

        return await _order_act(request, order_id, data, cancel, "reason")

    @post("/{order_id:int}/cancellation/withdraw", status_code=303)
    async def withdraw(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        principal = principal_of(request)
        return await _order_act(request, order_id, data, lambda: fulfilment.answer_cancellation(
            principal, order_id, withdrawal_from_form(data)), "note")

    @post("/{order_id:int}/receipts", status_code=303)
    async def receive(self, request: PrincipalRequest, order_id: FromPath[int], data: Form) -> Response[Any]:
        principal = principal_of(request)
        if line_entry.navigating(data):  # the form's pager or filter: the same form again, nothing recorded
            return await _order_page(principal, order_id, typed=data)
        order = await views.get_order(principal, order_id)
        typed = line_entry.submitted(receivable_lines(order), data, RECEIVED)
        return await _order_act(request, order_id, typed, lambda: fulfilment.receive(
            principal, order_id, receipt_from_form(typed, order)))

    @post("/{order_id:int}/reorder", status_code=303)
    async def reorder(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[Any]:
        """The order's lines into the cart at today's prices; the flashes say what was skipped or priced anew."""
        principal = principal_of(request)
        try:
            done = await reorder.reorder(principal, order_id)
        except DomainError as exc:
            return await _order_page(principal, order_id, exc)
        for message, category in _reordered(done):
            flash(request, message, category)
        return Redirect(path="/cart", status_code=303)


_MOVED = {
    OrderStatus.CANCELLED: "The order is cancelled; the vendor is told.",
    OrderStatus.CANCELLATION_REQUESTED: "The vendor is asked to cancel the order.",
    OrderStatus.CONFIRMED: "Your cancellation request is withdrawn.",
    OrderStatus.DELIVERED: "Everything is received: the order is delivered.",
}


async def _order_act(request: PrincipalRequest, order_id: int, form: dict[str, str],
                     action: Callable[[], Awaitable[OrderOut]], field: str = "form") -> Response[Any]:
    """Run one of the buyer's moves; a refusal shows the order again with why (beside `field`, a receipt's line
    beside its quantity) and what was typed."""
    principal = principal_of(request)
    try:
        order = await action()
    except DomainError as exc:
        if isinstance(exc, fulfilment.LineRefused) and exc.line_id is not None:
            field = f"received_{exc.line_id}"
        return await _order_page(principal, order_id, exc, form, field)
    flash(request, _MOVED.get(order.status, "The receipt is recorded."), "success")
    return Redirect(path=f"/orders/{order_id}", status_code=303)


def _reordered(done: ReorderOut) -> list[tuple[str, str]]:
    added = f"{done.added} line{'' if done.added == 1 else 's'} of the order added to your cart at today's prices."
    return [(added, "success" if done.added else "error"),
            *((change.message, "error") for change in done.skipped),
            *((change.message, "info") for change in done.changed)]


async def _order_page(principal: Principal, order_id: int, error: DomainError | None = None,
                      typed: dict[str, str] | None = None, field: str = "form", query: Any = None) -> Template:
    order = await views.get_order(principal, order_id)
    lines = await line_grid.page_of_lines(order_id, f"/orders/{order_id}", query)

    def buyer_may(target: OrderStatus) -> bool:  # the one table of moves says what the buyer may do now
        move = MOVES.get((order.status, target))
        return move is not None and Actor.BUYER in move.actors

    errors = errors_by_field(error, field)
    return _page("orders/detail.html", {
        "order": order, "page": lines, "errors": errors, "typed": typed or {},
        "can": {"cancel": buyer_may(OrderStatus.CANCELLED),
                "request_cancellation": buyer_may(OrderStatus.CANCELLATION_REQUESTED),
                "withdraw": buyer_may(OrderStatus.CONFIRMED)},
        "receivable": [(line, line.shipped - line.received) for line in order.lines if line.shipped > line.received],
        "by_id": {line.id: line for line in order.lines},
        "entry": line_entry.entry_page(receivable_lines(order), typed or {}, RECEIVED, errors=errors),
    }, error.status_code if error else 200)


RECEIVED = "received_"  # the receipt form's field of a line: received_<line id>


def receivable_lines(order: OrderOut) -> list[line_entry.EntryLine]:
    """The lines the receipt form takes a quantity for: those shipped and not yet received, all of it to start."""
    return [line_entry.EntryLine(line.id, line.position, line.sku, line.name, str(line.shipped - line.received))
            for line in order.lines if line.shipped > line.received]


ROUTES: list[ControllerRouterHandler] = [CartPages, CheckoutPages, OrderPages]
