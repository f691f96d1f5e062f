"""The cart over HTTP: read it priced live, add a listing or a product, change or remove a line, check out.
Buyers only; the checkout also for someone acting for a buyer user (`on_behalf_of`, app/orders/on_behalf.py)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyers_and_acting_users, buyers_only, principal_of
from app.openapi import STATUSES
from app.orders import cart, checkout
from app.orders.approval_pages import ROUTES as APPROVAL_PAGES
from app.orders.buyer_pages import ROUTES as BUYER_PAGES
from app.orders.document_controllers import ROUTES as DOCUMENT_ROUTES
from app.orders.on_behalf_controllers import OnBehalfCartApi
from app.orders.on_behalf_pages import ROUTES as ON_BEHALF_PAGES
from app.orders.order_controllers import ROUTES as ORDER_ROUTES
from app.orders.order_schemas import CheckoutIn, OrderGroupOut
from app.orders.quick_order_controllers import QuickOrderApi
from app.orders.quick_order_pages import ROUTES as QUICK_ORDER_PAGES
from app.orders.requisition_controllers import ROUTES as REQUISITION_ROUTES
from app.orders.requisition_pages import ROUTES as REQUISITION_PAGES
from app.orders.schemas import CartLineIn, CartLinePatch, CartOut
from app.orders.vendor_pages import ROUTES as VENDOR_PAGES


class CartApi(Controller):
    path = "/api/v1/cart"
    tags = ["cart"]

    @get("/", guards=[buyers_only],
         summary="Your cart, every line priced now for its quantity, with its problems and totals per currency")
    async def get_cart(self, request: PrincipalRequest) -> CartOut:
        return await cart.get_cart(principal_of(request))

    @post("/lines", guards=[buyers_only], status_code=201, opt={STATUSES: [404]},
          summary="Add a listing, or a product's best offer for you; a listing already there gets the quantity added")
    async def add_line(self, request: PrincipalRequest, data: JSONBody[CartLineIn]) -> CartOut:
        return await cart.add_line(principal_of(request), data)

    @patch("/lines/{line_id:int}", guards=[buyers_only], summary="Change a line's quantity")
    async def change_quantity(
        self, request: PrincipalRequest, line_id: FromPath[int], data: JSONBody[CartLinePatch]
    ) -> CartOut:
        return await cart.change_quantity(principal_of(request), line_id, data.quantity)

    @delete("/lines/{line_id:int}", guards=[buyers_only], status_code=204, summary="Remove a line from your cart")
    async def remove_line(self, request: PrincipalRequest, line_id: FromPath[int]) -> None:
        await cart.remove_line(principal_of(request), line_id)


    # Buyer users check out their own cart; operators and assigned vendor sales users a buyer user's (on_behalf_of).
    @post("/checkout", guards=[buyers_and_acting_users], status_code=201, opt={STATUSES: [404, 409]},
          summary="Check out the cart as you confirmed it: one purchase order per vendor; 409 lists what changed; "
                  "on_behalf_of: a buyer user's cart, for it")
    async def checkout(
        self, request: PrincipalRequest, data: JSONBody[CheckoutIn],
        idempotency_key: Annotated[str | None, HeaderParameter(
            name="Idempotency-Key", required=False,
            description="Any unique string (a UUID): a retry with the same key answers the same order group",
        )] = None,
    ) -> OrderGroupOut:
        return await checkout.checkout(principal_of(request), data, idempotency_key)


# Every route of the orders area: the app wires this one list.
ROUTES: list[ControllerRouterHandler] = [CartApi, *ORDER_ROUTES, *DOCUMENT_ROUTES, *BUYER_PAGES, *VENDOR_PAGES,
                                          *APPROVAL_PAGES, *REQUISITION_ROUTES, *REQUISITION_PAGES, QuickOrderApi,
                                          *QUICK_ORDER_PAGES, OnBehalfCartApi, *ON_BEHALF_PAGES]
