"""Purchase orders over HTTP: the list and one order for every side that may see it, the buyer's moves (cancel,
receipts, reorder) and the vendor's (confirm, reject, ship). Thin: each handler calls one service."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, buyers_only, principal_of, sellers_only
from app.openapi import STATUSES
from app.orders import approvals, fulfilment, reorder, views
from app.orders.approval_schemas import ApprovalDecisionIn, ApprovalOut
from app.orders.order_schemas import (
    CancellationIn,
    ConfirmIn,
    OrderCancelIn,
    OrderOut,
    OrderPage,
    OrderRejectIn,
    OrderSort,
    ReceiptIn,
    ReorderOut,
    ShipmentIn,
)
from app.orders.states import OrderStatus


class OrderApi(Controller):
    path = "/api/v1/orders"
    tags = ["orders"]

    @get("/", summary="The purchase orders you may see: your company's (a purchaser: its own), those addressed to "
                      "your vendor company, or all for operators; filtered and paged")
    async def list_orders(
        self, request: PrincipalRequest, status: FromQuery[OrderStatus | None] = None,
        vendor_id: FromQuery[int | None] = None, buyer_id: FromQuery[int | None] = None,
        po_number: FromQuery[str | None] = None, placed_from: FromQuery[date | None] = None,
        placed_to: FromQuery[date | None] = None, sort: FromQuery[OrderSort] = OrderSort.NEWEST,
        page: FromQuery[int] = 1, per_page: FromQuery[int] = 20,
    ) -> OrderPage:
        return await views.list_orders(
            principal_of(request), status=status, vendor_id=vendor_id, buyer_id=buyer_id, po_number=po_number,
            placed_from=placed_from, placed_to=placed_to, sort=sort, page=page, per_page=per_page,
        )

    @get("/{order_id:int}", summary="One purchase order with its lines, shipments, receipts and timeline")
    async def get_order(self, request: PrincipalRequest, order_id: FromPath[int]) -> OrderOut:
        return await views.get_order(principal_of(request), order_id)

    @post("/{order_id:int}/confirm", guards=[sellers_only], status_code=200, opt={STATUSES: [409]},
          summary="The vendor confirms the order with an expected ship date")
    async def confirm(self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ConfirmIn]) -> OrderOut:
        return await fulfilment.confirm(principal_of(request), order_id, data)

    @post("/{order_id:int}/reject", guards=[sellers_only], status_code=200, opt={STATUSES: [409]},
          summary="The vendor rejects the order with a reason; its stock and contract quantity come back")
    async def reject(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[OrderRejectIn]
    ) -> OrderOut:
        return await fulfilment.reject(principal_of(request), order_id, data)

    @post("/{order_id:int}/shipments", guards=[sellers_only], status_code=201, opt={STATUSES: [409]},
          summary="The vendor ships some or all of what is left, with carrier and tracking number")
    async def ship(self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ShipmentIn]) -> OrderOut:
        return await fulfilment.ship(principal_of(request), order_id, data)

    @post("/{order_id:int}/cancel", guards=[buyers_only], status_code=200, opt={STATUSES: [409]},
          summary="Cancel an order the vendor has not confirmed, or ask the vendor to cancel a confirmed one")
    async def cancel(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[OrderCancelIn]
    ) -> OrderOut:
        return await fulfilment.cancel(principal_of(request), order_id, data)

    @post("/{order_id:int}/cancellation", status_code=200, opt={STATUSES: [409]},
          summary="Answer a cancellation request: the vendor accepts or refuses it, the buyer withdraws it")
    async def answer_cancellation(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[CancellationIn]
    ) -> OrderOut:
        return await fulfilment.answer_cancellation(principal_of(request), order_id, data)

    @post("/{order_id:int}/receipts", guards=[buyers_only], status_code=201, opt={STATUSES: [409]},
          summary="Record what arrived, per line; the order is delivered once everything has")
    async def receive(self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ReceiptIn]) -> OrderOut:
        return await fulfilment.receive(principal_of(request), order_id, data)

    @post("/{order_id:int}/reorder", guards=[buyers_only], status_code=200, opt={STATUSES: [409]},
          summary="Put the order's lines in your cart again at today's prices, with what changed")
    async def reorder(self, request: PrincipalRequest, order_id: FromPath[int]) -> ReorderOut:
        return await reorder.reorder(principal_of(request), order_id)

    @post("/{order_id:int}/approve", guards=[buyers_only], status_code=200, opt={STATUSES: [403, 409]},
          summary="Give an approval the order waits for (never your own order, never above your approval limit); "
                  "the last one places it with its vendors, once the order on account passes the credit check again "
                  "(409 past the credit limit or while an invoice is long overdue)")
    async def approve(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ApprovalDecisionIn]
    ) -> OrderOut:
        return await approvals.approve(principal_of(request), order_id, data)

    @post("/{order_id:int}/reject-approval", guards=[buyers_only], status_code=200, opt={STATUSES: [403, 409]},
          summary="Refuse an approval the order waits for, with a comment: the order is cancelled")
    async def reject_approval(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ApprovalDecisionIn]
    ) -> OrderOut:
        return await approvals.reject(principal_of(request), order_id, data)

    @post("/{order_id:int}/withdraw", guards=[buyers_only], status_code=200, opt={STATUSES: [403, 409]},
          summary="Withdraw your order while it waits for approval: it is cancelled")
    async def withdraw(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ApprovalDecisionIn]
    ) -> OrderOut:
        return await approvals.withdraw(principal_of(request), order_id, data)

    @post("/{order_id:int}/edit", guards=[buyers_only], status_code=200, opt={STATUSES: [403, 409]},
          summary="Take back your order while it waits for approval to change it: it is withdrawn and its lines go "
                  "back into your cart; checking out again runs the approval rules again and resets the approvals")
    async def edit(
        self, request: PrincipalRequest, order_id: FromPath[int], data: JSONBody[ApprovalDecisionIn]
    ) -> ReorderOut:
        return await approvals.edit(principal_of(request), order_id, data)


class ApprovalApi(Controller):
    path = "/api/v1/approvals"
    tags = ["approvals"]

    @get("/", guards=[buyers_only], summary="The orders of your company waiting for an approval you may give now")
    async def list_approvals(self, request: PrincipalRequest) -> list[ApprovalOut]:
        return await approvals.waiting_for(principal_of(request))


ROUTES: list[ControllerRouterHandler] = [OrderApi, ApprovalApi]
