"""Offers over HTTP: the vendors' and buyers' API, the vendor's inbox and RFQ pages, the buyer's comparison page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import forms
from app.auth import PrincipalRequest, authenticated, principal_of, sellers_only
from app.errors import DomainError, InvalidInput
from app.offers import negotiation, pages, services
from app.offers.attachment_routes import ROUTES as ATTACHMENT_ROUTES
from app.offers.comparison_routes import ROUTES as COMPARISON_EXPORT_ROUTES
from app.offers.forms import offer_from_form
from app.offers.live_routes import ROUTES as LIVE_ROUTES
from app.offers.negotiation_routes import ROUTES as NEGOTIATION_ROUTES
from app.offers.schemas import (
    ComparisonOut,
    CounterProposalIn,
    CounterProposalOut,
    DeclineIn,
    DeclineOut,
    InboxPageOut,
    NegotiationOut,
    OfferIn,
    OfferOut,
    RfqOffersOut,
)
from app.openapi import STATUSES
from app.rfq import clarifications
from app.rfq.forms import question_of

# --- API ----------------------------------------------------------------------------------------


class RfqOfferApi(Controller):
    path = "/api/v1/rfqs"
    tags = ["offers"]
    guards = [authenticated]

    @post("/{rfq_id:int}/offers", guards=[sellers_only], status_code=201,
          summary="Submit your offer (vendor): a unit price per line, lead time, validity, notes")
    async def submit(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[OfferIn]) -> OfferOut:
        return await services.submit_offer(principal_of(request), rfq_id, data)

    @get("/{rfq_id:int}/offers", summary="The offers on your RFQ (buyer): sealed until bidding closes")
    async def list_offers(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> RfqOffersOut:
        return await services.offers_for_buyer(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/decline", guards=[sellers_only], status_code=200,
          summary="Decline to answer an RFQ (vendor), with a reason")
    async def decline(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[DeclineIn]) -> DeclineOut:
        return await services.decline_rfq(principal_of(request), rfq_id, data)

    @get("/{rfq_id:int}/comparison", summary="Lines-by-vendors comparison of the offers (buyer, after the close)",
         opt={STATUSES: [409]})
    async def comparison(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ComparisonOut:
        return await services.comparison_out(principal_of(request), rfq_id)

    # Its CSV and XLSX downloads, for the API and the comparison page: app/offers/comparison_routes.py.


class InboxApi(Controller):
    path = "/api/v1/inbox"
    tags = ["offers"]
    guards = [sellers_only]

    @get("/", summary="The published RFQs your vendor company may answer, soonest deadline first: `page` (from 1) "
                      "and `per_page` (25 by default, at most 100); `next_page` is null on the last page")
    async def inbox(self, request: PrincipalRequest, page: FromQuery[int] = 1,
                    per_page: FromQuery[int | None] = None) -> InboxPageOut:
        return await services.vendor_inbox(principal_of(request), page, per_page)


class OfferApi(Controller):
    path = "/api/v1/offers"
    tags = ["offers"]
    guards = [sellers_only]

    @get("/{offer_id:int}", summary="Your offer with every revision (vendor)")
    async def get_offer(self, request: PrincipalRequest, offer_id: FromPath[int]) -> OfferOut:
        return await services.get_offer(principal_of(request), offer_id)

    @put("/{offer_id:int}", summary="Revise your offer before the deadline: a new immutable revision")
    async def revise(self, request: PrincipalRequest, offer_id: FromPath[int], data: JSONBody[OfferIn]) -> OfferOut:
        return await services.revise_offer(principal_of(request), offer_id, data)

    @post("/{offer_id:int}/withdraw", status_code=200, summary="Withdraw your offer before the deadline")
    async def withdraw(self, request: PrincipalRequest, offer_id: FromPath[int]) -> OfferOut:
        return await services.withdraw_offer(principal_of(request), offer_id)


class NegotiationApi(Controller):
    path = "/api/v1"
    tags = ["offers"]
    guards = [authenticated]

    @post("/offers/{offer_id:int}/counter-proposals", status_code=201,
          summary="Send the offer's vendor a counter-proposal (buyer, after the close, before the award)")
    async def propose(
        self, request: PrincipalRequest, offer_id: FromPath[int], data: JSONBody[CounterProposalIn]
    ) -> CounterProposalOut:
        return await negotiation.propose(principal_of(request), offer_id, data)

    @get("/offers/{offer_id:int}/negotiation",
         summary="The negotiation thread of one offer (its vendor, or the RFQ's buyer after the close)")
    async def thread(self, request: PrincipalRequest, offer_id: FromPath[int]) -> NegotiationOut:
        return await negotiation.thread(principal_of(request), offer_id)

    @post("/counter-proposals/{proposal_id:int}/accept", guards=[sellers_only], status_code=200,
          summary="Accept a counter-proposal (vendor): a new revision at the proposed prices")
    async def accept(self, request: PrincipalRequest, proposal_id: FromPath[int]) -> NegotiationOut:
        return await negotiation.accept(principal_of(request), proposal_id)


# --- pages --------------------------------------------------------------------------------------


class VendorRfqPages(Controller):
    path = "/vendor/rfqs"
    guards = [sellers_only]
    include_in_schema = False

    # The inbox and the history (`/vendor/rfqs`, `/vendor/rfqs/history`): app/contracts/controllers.py, since what
    # waits for a vendor after the close ends in contracts.

    @get("/{rfq_id:int}")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await pages.vendor_page(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/offer", status_code=303)
    async def save_offer(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            current = await services.rfq_for_seller(principal, rfq_id)
            offer = offer_from_form(data, current.lines, principal.locale)
            if current.offer is None:
                await services.submit_offer(principal, rfq_id, offer)
                message = "Your offer is submitted."
            else:
                saved = await services.revise_offer(principal, current.offer.id, offer)
                message = f"Revision {saved.revision_count} of your offer is submitted."
        except DomainError as exc:
            return await pages.vendor_page(principal, rfq_id, exc, data)
        flash(request, message, "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)

    @post("/{rfq_id:int}/withdraw", status_code=303)
    async def withdraw(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            current = await services.rfq_for_seller(principal, rfq_id)
            if current.offer is None or current.offer.status != "live":
                raise InvalidInput("You have no live offer on this RFQ.")
            if data.get("confirmed") != "yes":  # the buyer loses the offer at once: say so and ask once more
                return Template(template_name="offers/withdraw_confirm.html", context={"rfq": current})
            await services.withdraw_offer(principal, current.offer.id)
        except DomainError as exc:
            return await pages.vendor_page(principal, rfq_id, exc)
        flash(request, "Your offer is withdrawn.", "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)

    @post("/{rfq_id:int}/proposals/{proposal_id:int}/accept", status_code=303)
    async def accept_proposal(
        self, request: PrincipalRequest, rfq_id: FromPath[int], proposal_id: FromPath[int]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            await negotiation.accept(principal, proposal_id)
        except DomainError as exc:
            return await pages.vendor_page(principal, rfq_id, exc)
        flash(request, "You accepted the counter-proposal: a new revision at those prices is submitted.", "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)

    @post("/{rfq_id:int}/questions", status_code=303)
    async def ask(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            await clarifications.ask(principal, rfq_id, question_of(data))
        except DomainError as exc:
            return await pages.vendor_page(principal, rfq_id, exc, {"question": data.get("question", "")}, "question")
        flash(request, "Your question is sent to the buyer; its answer will show on this page.", "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}#questions", status_code=303)

    @post("/{rfq_id:int}/decline", status_code=303)
    async def decline(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            await services.decline_rfq(principal, rfq_id, forms.read(
                {"reason": data.get("reason", "")}, DeclineIn, fields={"reason": ("decline_reason", "Reason")}))
        except DomainError as exc:
            return await pages.vendor_page(principal, rfq_id, exc, {"decline_reason": data.get("reason", "")},
                                           "decline_reason")
        flash(request, "You declined this RFQ.", "success")
        return Redirect(path="/vendor/rfqs", status_code=303)


class ComparisonPages(Controller):
    path = "/rfqs"
    guards = [authenticated]
    include_in_schema = False

    @get("/{rfq_id:int}/comparison")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await pages.comparison_page(principal_of(request), rfq_id)


ROUTES: list[ControllerRouterHandler] = [
    RfqOfferApi, OfferApi, NegotiationApi, VendorRfqPages, ComparisonPages, *COMPARISON_EXPORT_ROUTES, *LIVE_ROUTES,
    InboxApi, *ATTACHMENT_ROUTES, *NEGOTIATION_ROUTES,
]
