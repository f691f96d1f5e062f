"""The cart of a buyer user, over HTTP, for someone acting on its behalf (operators, assigned vendor sales users).
Its checkout is `POST /api/v1/cart/checkout` with `on_behalf_of`."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from app.auth import PrincipalRequest, acting_users, principal_of
from app.openapi import STATUSES
from app.orders import on_behalf
from app.orders.schemas import CartLineIn, CartLinePatch, CartOut


class OnBehalfCartApi(Controller):
    path = "/api/v1/on-behalf/{user_id:int}/cart"
    tags = ["ordering on behalf"]
    guards = [acting_users]

    @get("/", summary="A buyer user's cart, priced for it (a vendor sales user sees its own company's lines only)")
    async def get_cart(self, request: PrincipalRequest, user_id: FromPath[int]) -> CartOut:
        return await on_behalf.get_cart(principal_of(request), user_id)

    @post("/lines", status_code=201, opt={STATUSES: [404]},
          summary="Add a listing, or a product's best offer, to a buyer user's cart (logged in the audit log)")
    async def add_line(self, request: PrincipalRequest, user_id: FromPath[int], data: JSONBody[CartLineIn]) -> CartOut:
        return await on_behalf.add_line(principal_of(request), user_id, data)

    @patch("/lines/{line_id:int}", summary="Change a line's quantity in a buyer user's cart (logged)")
    async def change_quantity(self, request: PrincipalRequest, user_id: FromPath[int], line_id: FromPath[int],
                              data: JSONBody[CartLinePatch]) -> CartOut:
        return await on_behalf.change_quantity(principal_of(request), user_id, line_id, data.quantity)

    @delete("/lines/{line_id:int}", status_code=204, summary="Remove a line from a buyer user's cart (logged)")
    async def remove_line(self, request: PrincipalRequest, user_id: FromPath[int], line_id: FromPath[int]) -> None:
        await on_behalf.remove_line(principal_of(request), user_id, line_id)
