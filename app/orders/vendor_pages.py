"""The vendor portal's order pages (the inbox, one order and the vendor's moves on it) and the operators' read-only
order pages. Thin: each handler reads its form, calls one service and renders; a refusal re-renders the order with
the reason and what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids, line_entry
from app.auth import Principal, PrincipalRequest, operators_only, principal_of, sellers_only
from app.errors import Conflict, DomainError, FieldErrors, InvalidInput
from app.forms import beside, errors_by_field
from app.forms import read as read_form
from app.orders import fulfilment, line_grid, views
from app.orders.forms import day
from app.orders.order_schemas import (
    CancellationIn,
    ConfirmIn,
    OrderOut,
    OrderRejectIn,
    ShipmentIn,
)
from app.orders.states import (
    MOVES,
    Actor,
    OrderStatus,
    TransitionError,
    check_rejection,
    check_transition,
    over_shipped,
)

PER_PAGE = 25


async def _list_page(principal: Principal, query: Mapping[str, str], *, template: str, path: str,
                     extra: dict[str, Any] | None = None) -> Template:
    """A list of orders as the caller may see them, as the page's grid selects and orders them."""
    state = (await views.order_spec_for(principal, path)).read(query)
    return grids.page_template(template, await views.order_grid(principal, state), **(extra or {}))


# --- what the vendor may do with an order -------------------------------------------------------


def _vendor_may(status: OrderStatus, target: OrderStatus) -> bool:
    move = MOVES.get((status, target))
    return move is not None and Actor.VENDOR in move.actors


def vendor_abilities(status: OrderStatus) -> dict[str, bool]:
    """The vendor's moves an order in `status` allows, read from the one table of moves."""
    answer = _vendor_may(status, OrderStatus.CANCELLED)  # only a cancellation request lets the vendor cancel
    return {
        # Back to confirmed from a cancellation request is the request's refusal, not a confirmation.
        "confirm": _vendor_may(status, OrderStatus.CONFIRMED) and not answer,
        "reject": _vendor_may(status, OrderStatus.REJECTED),
        "ship": _vendor_may(status, OrderStatus.SHIPPED),
        "answer_cancellation": answer,
    }


SHIP = "ship_"  # the shipment form's field of a line: ship_<line id>


def _left_to_ship(order: OrderOut) -> dict[int, int]:
    return {line.id: line.quantity - line.shipped for line in order.lines}


def ship_lines(order: OrderOut) -> list[line_entry.EntryLine]:
    """The lines the shipment form takes a quantity for: those with something left, everything left to start with."""
    return [line_entry.EntryLine(line.id, line.position, line.sku, line.name, str(line.quantity - line.shipped))
            for line in order.lines if line.quantity > line.shipped]


async def _vendor_page(principal: Principal, order_id: int, errors: Mapping[str, str] | None = None,
                       form: Mapping[str, str] | None = None, status_code: int = 200, query: Any = None) -> Template:
    order = await views.get_order(principal, order_id)
    lines = await line_grid.page_of_lines(order_id, f"/vendor/orders/{order_id}", query)
    return Template(
        template_name="orders/vendor_detail.html",
        context={"order": order, "page": lines, "can": vendor_abilities(order.status), "form": dict(form or {}),
                 "left": _left_to_ship(order), "errors": dict(errors or {}),
                 "by_id": {line.id: line for line in order.lines},
                 "entry": line_entry.entry_page(ship_lines(order), form or {}, SHIP, errors=errors)},
        status_code=status_code,
    )


async def _refused(principal: Principal, order_id: int, exc: DomainError, form: Mapping[str, str],
                   field: str) -> Template:
    """The order again with what was typed, the refusal beside `field` (a shipment's line beside its quantity)."""
    if isinstance(exc, fulfilment.LineRefused) and exc.line_id is not None:
        field = f"ship_{exc.line_id}"
    return await _vendor_page(principal, order_id, errors_by_field(exc, field), form, exc.status_code)


async def _act(request: PrincipalRequest, order_id: int, form: Mapping[str, str], message: str,
               move: Callable[[], Awaitable[object]], field: str = "form") -> Response[Any]:
    """Run a vendor's move (its form read inside); a refusal re-renders the order with the reason beside `field`
    (or the field it names) and every value typed."""
    try:
        await move()
    except DomainError as exc:
        return await _refused(principal_of(request), order_id, exc, form, field)
    flash(request, message, "success")
    return Redirect(path=f"/vendor/orders/{order_id}", status_code=303)


# --- the vendor's forms, read into the API's schemas --------------------------------------------

_NOTE = ("note", "Note to the buyer")


def confirmation_of(form: Mapping[str, str]) -> ConfirmIn:
    """expected_ship_date, confirm_note."""
    try:
        ship_date = day(form.get("expected_ship_date"), "The expected ship date")
    except InvalidInput as exc:
        raise beside("expected_ship_date", exc.message) from None
    if ship_date is None:
        raise beside("expected_ship_date", "An expected ship date is needed to confirm this order.")
    return read_form({"expected_ship_date": ship_date.isoformat(), "note": form.get("confirm_note", "")}, ConfirmIn,
                     fields={"note": ("confirm_note", _NOTE[1])})


def rejection_of(form: Mapping[str, str]) -> OrderRejectIn:
    """reason: refused when blank, as the move itself would."""
    try:
        check_rejection(form.get("reason"))
    except TransitionError as exc:
        raise beside("reason", str(exc)) from None
    return read_form({"reason": form.get("reason", "")}, OrderRejectIn, fields={"reason": ("reason", "Reason")})


def shipment_of(form: Mapping[str, str], order: OrderOut | None = None) -> ShipmentIn:
    """ship_<line id> (what ships now; empty or 0 leaves the line out), carrier, tracking_number, ship_note. With
    the `order`, every line asked to ship more than is left is said at once, beside it (the service checks again)."""
    lines, errors = [], {}
    by_id = {line.id: line for line in order.lines} if order else {}
    for key, value in form.items():
        line_id = key.removeprefix("ship_")
        if not key.startswith("ship_") or not line_id.isdigit() or value.strip() in ("", "0"):
            continue
        line = by_id.get(int(line_id))
        named = f"Line {line.position}: " if line else "This line: "
        if not value.strip().isdigit():
            errors[key] = f"{named}a quantity to ship is a whole number of units, such as 3."
            continue
        if line and (over := over_shipped({line.position: line.quantity},
                                          {line.position: line.shipped + int(value.strip())})):
            errors[key] = over[line.position]
            continue
        lines.append({"line_id": int(line_id), "quantity": int(value.strip())})
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    if not lines:
        raise InvalidInput("Enter the quantity to ship now for at least one line.")
    return read_form({"lines": lines, "carrier": form.get("carrier", "").strip(),
                      "tracking_number": form.get("tracking_number", "").strip(), "note": form.get("ship_note", "")},
                     ShipmentIn, fields={"carrier": ("carrier", "Carrier"),
                                         "tracking_number": ("tracking_number", "Tracking number"),
                                         "note": ("ship_note", _NOTE[1])})


def cancellation_answer_of(form: Mapping[str, str]) -> CancellationIn:
    """answer (accept or refuse), cancellation_note."""
    return read_form({"answer": form.get("answer", ""), "note": form.get("cancellation_note", "")}, CancellationIn,
                     fields={"note": ("cancellation_note", _NOTE[1])})


async def _confirm_step(principal: Principal, order_id: int, to: OrderStatus, template: str,
                        said: dict[str, str]) -> Template:
    """A move that cannot be undone (rejecting; accepting a cancellation): check it may happen now, then show what
    follows with what will be sent (`said`), and ask once more."""
    order = await views.get_order(principal, order_id)
    try:
        check_transition(order.status, to, Actor.VENDOR)
    except TransitionError as exc:
        raise Conflict(str(exc)) from None
    return Template(template_name=template, context={"order": order, **said})


async def _rejection_step(principal: Principal, order_id: int, form: Mapping[str, str]) -> Template:
    return await _confirm_step(principal, order_id, OrderStatus.REJECTED, "orders/vendor_reject.html",
                               {"reason": rejection_of(form).reason})


async def _cancellation_step(principal: Principal, order_id: int, form: Mapping[str, str]) -> Template:
    return await _confirm_step(principal, order_id, OrderStatus.CANCELLED, "orders/vendor_cancel_confirm.html",
                               {"note": cancellation_answer_of(form).note})


# --- pages --------------------------------------------------------------------------------------


class VendorOrderPages(Controller):
    path = "/vendor/orders"
    guards = [sellers_only]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        waiting = await views.list_orders(principal, status=OrderStatus.PLACED, per_page=1)
        return await _list_page(principal, request.query_params, template="orders/vendor_inbox.html",
                                path="/vendor/orders", extra={"waiting": waiting.total})

    @get("/{order_id:int}")
    async def show(self, request: PrincipalRequest, order_id: FromPath[int]) -> Template:
        return await _vendor_page(principal_of(request), order_id, query=request.query_params)

    @get(["/{order_id:int}/export.csv", "/{order_id:int}/export.xlsx"])
    async def export_lines(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[bytes]:
        await views.get_order(principal_of(request), order_id)  # another's order: its 404
        return await line_grid.export(order_id, f"/vendor/orders/{order_id}", request.query_params,
                                      request.url.path)

    @post("/{order_id:int}/confirm", status_code=303)
    async def confirm(
        self, request: PrincipalRequest, order_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        return await _act(request, order_id, data, "The order is confirmed; the buyer is told when you expect to ship.",
                          lambda: fulfilment.confirm(principal_of(request), order_id, confirmation_of(data)),
                          "expected_ship_date")

    @post("/{order_id:int}/reject", status_code=303)
    async def reject(
        self, request: PrincipalRequest, order_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        if data.get("confirmed") != "yes":
            try:
                return await _rejection_step(principal, order_id, data)
            except DomainError as exc:
                return await _refused(principal, order_id, exc, data, "reason")
        return await _act(request, order_id, data, "The order is rejected; the buyer is told your reason.",
                          lambda: fulfilment.reject(principal, order_id, rejection_of(data)), "reason")

    @post("/{order_id:int}/shipments", status_code=303)
    async def ship(
        self, request: PrincipalRequest, order_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        if line_entry.navigating(data):  # the form's pager or filter: the same form again, nothing recorded
            return await _vendor_page(principal, order_id, form=data)
        order = await views.get_order(principal, order_id)
        typed = line_entry.submitted(ship_lines(order), data, SHIP)
        return await _act(request, order_id, typed, "The shipment is recorded; the buyer is told.",
                          lambda: fulfilment.ship(principal, order_id, shipment_of(typed, order)))

    @post("/{order_id:int}/cancellation", status_code=303)
    async def answer_cancellation(
        self, request: PrincipalRequest, order_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        if data.get("answer") == "accept" and data.get("confirmed") != "yes":  # cancelling is for good: ask once more
            try:
                return await _cancellation_step(principal, order_id, data)
            except DomainError as exc:
                return await _refused(principal, order_id, exc, data, "cancellation_note")
        message = ("The cancellation is accepted: the order is cancelled." if data.get("answer") == "accept"
                   else "The cancellation is refused: the order stands.")
        return await _act(request, order_id, data, message,
                          lambda: fulfilment.answer_cancellation(principal, order_id, cancellation_answer_of(data)),
                          "cancellation_note")


class OperatorOrderPages(Controller):
    path = "/operator/orders"
    guards = [operators_only]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        return await _list_page(principal_of(request), request.query_params, template="orders/operator_list.html",
                                path="/operator/orders")

    @get("/{order_id:int}")
    async def show(self, request: PrincipalRequest, order_id: FromPath[int]) -> Template:
        order = await views.get_order(principal_of(request), order_id)
        lines = await line_grid.page_of_lines(order_id, f"/operator/orders/{order_id}", request.query_params)
        return Template(template_name="orders/operator_detail.html", context={"order": order, "page": lines})

    @get(["/{order_id:int}/export.csv", "/{order_id:int}/export.xlsx"])
    async def export_lines(self, request: PrincipalRequest, order_id: FromPath[int]) -> Response[bytes]:
        await views.get_order(principal_of(request), order_id)
        return await line_grid.export(order_id, f"/operator/orders/{order_id}", request.query_params,
                                      request.url.path)


ROUTES: list[ControllerRouterHandler] = [VendorOrderPages, OperatorOrderPages]
