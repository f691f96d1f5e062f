"""The pages of an acting user (operator, assigned vendor sales user) working on a buyer user's cart: its lines,
add a listing, change or remove a line, and place the order for the buyer user. Each form works without JavaScript;
every change is logged by the services (app/orders/on_behalf.py), and a buyer user the caller may not act for is
the 404 of a missing one."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.auth import PrincipalRequest, acting_users, principal_of
from app.errors import DomainError
from app.forms import errors_by_field
from app.onbehalf.acting import acting_for
from app.orders import checkout, on_behalf
from app.orders.forms import cart_line_from_form, checkout_from_form, quantity_from_form, typed_checkout

Form = URLEncodedBody[dict[str, str]]


class OnBehalfCartPages(Controller):
    path = "/on-behalf/{user_id:int}/cart"
    guards = [acting_users]
    include_in_schema = False

    @get("/")
    async def show(self, request: PrincipalRequest, user_id: FromPath[int]) -> Template:
        return await _page(request, user_id)

    @post("/lines", status_code=303)
    async def add(self, request: PrincipalRequest, user_id: FromPath[int], data: Form) -> Response[Any]:
        return await _act(request, user_id, "The line is in the cart.",
                          lambda actor: on_behalf.add_line(actor, user_id, cart_line_from_form(data)), "listing_id")

    @post("/lines/{line_id:int}/quantity", status_code=303)
    async def change_quantity(self, request: PrincipalRequest, user_id: FromPath[int], line_id: FromPath[int],
                              data: Form) -> Response[Any]:
        return await _act(request, user_id, "The quantity is changed.", lambda actor: on_behalf.change_quantity(
            actor, user_id, line_id, quantity_from_form(data)))

    @post("/lines/{line_id:int}/remove", status_code=303)
    async def remove(self, request: PrincipalRequest, user_id: FromPath[int], line_id: FromPath[int]) -> Response[Any]:
        return await _act(request, user_id, "The line is removed.",
                          lambda actor: on_behalf.remove_line(actor, user_id, line_id))

    @post("/checkout", status_code=303)
    async def place(self, request: PrincipalRequest, user_id: FromPath[int], data: Form) -> Response[Any]:
        """The form's one-time token is the idempotency key: a double-clicked submit makes one order group."""
        typed = typed_checkout(data)
        try:
            wanted = msgspec.structs.replace(checkout_from_form(data), on_behalf_of=user_id)
            group = await checkout.checkout(principal_of(request), wanted, typed.token or None)
        except DomainError as exc:
            return await _page(request, user_id, errors_by_field(exc, "po_number"), exc.status_code,
                               exc.extra or [])
        orders = ", ".join(f"{order.number} to {order.vendor}" for order in group.orders)
        flash(request, f"Order {group.number} is placed on the buyer's behalf (PO number {group.po_number}): "
                       f"{orders}.", "success")
        return Redirect(path="/on-behalf?" + urlencode({"placed": group.number}), status_code=303)


async def _act(request: PrincipalRequest, user_id: int, message: str, action: Any,
               field: str = "form") -> Response[Any]:
    try:
        await action(principal_of(request))
    except DomainError as exc:
        return await _page(request, user_id, errors_by_field(exc, field), exc.status_code)
    flash(request, message, "success")
    return Redirect(path=f"/on-behalf/{user_id}/cart", status_code=303)


async def _page(request: PrincipalRequest, user_id: int, errors: dict[str, str] | None = None,
                status_code: int = 200, changes: list[Any] | None = None) -> Template:
    actor = principal_of(request)
    buyer = await acting_for(actor, user_id)
    return Template(template_name="onbehalf/cart.html", status_code=status_code, context={
        "buyer": buyer, "cart": await on_behalf.get_cart(actor, user_id), "errors": errors or {},
        "changes": changes or [], "token": str(uuid.uuid4()), "base": f"/on-behalf/{user_id}/cart",
    })


ROUTES = [OnBehalfCartPages]
