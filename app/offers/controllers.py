"""Offers over HTTP: the vendors' and buyers' API, the vendor's inbox and RFQ pages, the buyer's comparison page."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.accounts.roles import Role
from app.auth import Principal, authenticated, principal_of, requires_roles
from app.errors import DomainError, InvalidInput
from app.offers import exports, negotiation, offer_attachments, services, thread
from app.offers.attachment_routes import ROUTES as ATTACHMENT_ROUTES
from app.offers.live_routes import ROUTES as LIVE_ROUTES
from app.offers.negotiation_routes import ROUTES as NEGOTIATION_ROUTES
from app.offers.schemas import (
    AwardIn,
    AwardLineIn,
    AwardResultOut,
    ComparisonOut,
    CounterProposalIn,
    CounterProposalOut,
    DeclineIn,
    DeclineOut,
    InboxPageOut,
    NegotiationOut,
    OfferIn,
    OfferLineIn,
    OfferOut,
    RfqOffersOut,
)
from app.rfq.access import AWARDER_ROLES

PrincipalRequest = Request[Principal, Any, Any]
sellers_only = requires_roles(Role.VENDOR_ADMIN, Role.VENDOR_SALES)
awarders_only = requires_roles(Role.BUYER_ADMIN, Role.APPROVER)


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

    @get("/{rfq_id:int}/comparison", summary="Lines-by-vendors comparison of the offers (buyer, after the close)")
    async def comparison(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ComparisonOut:
        return await services.comparison_out(principal_of(request), rfq_id)

    @get("/{rfq_id:int}/comparison.csv", summary="The comparison as CSV (buyer, after the close)")
    async def comparison_csv(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        data = await services.comparison_out(principal_of(request), rfq_id)
        return _download(exports.comparison_csv(data), "text/csv; charset=utf-8", f"rfq-{rfq_id}-comparison.csv")

    @get("/{rfq_id:int}/comparison.xlsx", summary="The comparison as an Excel workbook (buyer, after the close)")
    async def comparison_xlsx(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[bytes]:
        data = await services.comparison_out(principal_of(request), rfq_id)
        return _download(exports.comparison_xlsx(data),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         f"rfq-{rfq_id}-comparison.xlsx")

    @post("/{rfq_id:int}/award", guards=[awarders_only], status_code=200,
          summary="Award the RFQ, whole or line by line (buyer_admin or approver; once)")
    async def award(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[AwardIn]) -> AwardResultOut:
        return await services.award(principal_of(request), rfq_id, data)


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


def _download(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


# --- pages --------------------------------------------------------------------------------------


def offer_from_form(form: dict[str, str]) -> OfferIn:
    """The offer form (price_<line>, quantity_<line>, lead_time_days, valid_until, notes) as an OfferIn."""
    lines = []
    for key, value in form.items():
        if key.startswith("price_") and value.strip():
            line_id = int(key.removeprefix("price_"))
            quantity = form.get(f"quantity_{line_id}", "").strip()
            if quantity and not quantity.isdigit():
                raise InvalidInput(f"The quantity of line {line_id} must be a whole number.")
            lines.append(OfferLineIn(rfq_line_id=line_id, unit_price=value.strip(),
                                     quantity=int(quantity) if quantity else None))
    if not lines:
        raise InvalidInput("Give a unit price for at least one line.")
    lead = form.get("lead_time_days", "").strip() or "0"
    if not lead.isdigit():
        raise InvalidInput("The lead time is a whole number of days.")
    valid_until = None
    if form.get("valid_until", "").strip():
        try:
            day = datetime.strptime(form["valid_until"].strip(), "%Y-%m-%d").date()
        except ValueError:
            raise InvalidInput("Valid until is a date like 2027-01-31.") from None
        valid_until = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
    notes = form.get("notes", "")
    if len(notes) > 5000:
        raise InvalidInput("Notes are at most 5,000 characters.")
    return OfferIn(lines=lines, lead_time_days=int(lead), valid_until=valid_until, notes=notes)


class VendorRfqPages(Controller):
    path = "/vendor/rfqs"
    guards = [sellers_only]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: PrincipalRequest, page: FromQuery[int] = 1) -> Template:
        inbox = await services.vendor_inbox(principal_of(request), page)
        return Template(template_name="offers/inbox.html", context={"inbox": inbox, "items": inbox.items})

    @get("/{rfq_id:int}")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await _vendor_page(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/offer", status_code=303)
    async def save_offer(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            offer = offer_from_form(data)
            current = await services.rfq_for_seller(principal, rfq_id)
            if current.offer is None:
                await services.submit_offer(principal, rfq_id, offer)
                message = "Your offer is submitted."
            else:
                saved = await services.revise_offer(principal, current.offer.id, offer)
                message = f"Revision {saved.revision_count} of your offer is submitted."
        except DomainError as exc:
            return await _vendor_page(principal, rfq_id, exc, data)
        flash(request, message, "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)

    @post("/{rfq_id:int}/withdraw", status_code=303)
    async def withdraw(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        try:
            current = await services.rfq_for_seller(principal, rfq_id)
            if current.offer is None:
                raise InvalidInput("You have no live offer on this RFQ.")
            await services.withdraw_offer(principal, current.offer.id)
        except DomainError as exc:
            return await _vendor_page(principal, rfq_id, exc)
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
            return await _vendor_page(principal, rfq_id, exc)
        flash(request, "You accepted the counter-proposal: a new revision at those prices is submitted.", "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)

    @post("/{rfq_id:int}/decline", status_code=303)
    async def decline(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            await services.decline_rfq(principal, rfq_id, DeclineIn(reason=data.get("reason", "")[:2000]))
        except DomainError as exc:
            return await _vendor_page(principal, rfq_id, exc)
        flash(request, "You declined this RFQ.", "success")
        return Redirect(path="/vendor/rfqs", status_code=303)


async def _vendor_page(principal: Principal, rfq_id: int, error: DomainError | None = None,
                       form: dict[str, str] | None = None) -> Template:
    rfq = await services.rfq_for_seller(principal, rfq_id)
    latest = rfq.offer.revisions[-1] if rfq.offer and rfq.offer.revisions else None
    if form is None and latest is not None:
        form = {f"price_{line.rfq_line_id}": str(line.unit_price) for line in latest.lines}
        form |= {f"quantity_{line.rfq_line_id}": str(line.quantity) for line in latest.lines}
        form |= {"lead_time_days": str(latest.lead_time_days), "notes": latest.notes,
                 "valid_until": latest.valid_until.date().isoformat() if latest.valid_until else ""}
    files = await offer_attachments.list_for(principal, rfq.offer.id) if rfq.offer else []
    negotiation_view = {
        "entries": thread.timeline(rfq.offer, rfq.proposals, files) if rfq.offer else [], "currency": rfq.currency,
        "line_names": {line.id: f"{line.position}. {line.description}" for line in rfq.lines}, "offer_files": files,
    }
    return Template(
        template_name="offers/vendor_rfq.html",
        context={"rfq": rfq, "form": form or {}, "error": error.message if error else None, **negotiation_view},
        status_code=error.status_code if error else 200,
    )


class ComparisonPages(Controller):
    path = "/rfqs"
    guards = [authenticated]
    include_in_schema = False

    @get("/{rfq_id:int}/comparison")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        return await _comparison_page(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/award", guards=[awarders_only], status_code=303)
    async def award(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        try:
            awards = await _awards_from_form(principal, rfq_id, data)
            await services.award(principal, rfq_id, AwardIn(awards=awards))
        except DomainError as exc:
            return await _comparison_page(principal, rfq_id, exc)
        flash(request, "The RFQ is awarded; the vendors are told by e-mail.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/comparison", status_code=303)


async def _awards_from_form(principal: Principal, rfq_id: int, form: dict[str, str]) -> list[AwardLineIn]:
    """`whole` = one offer for every line it priced, else `line_<id>` = offer id per line."""
    def number(value: str, what: str) -> int:
        if not value.strip().isdigit():
            raise InvalidInput(f"Choose an offer for {what}.")
        return int(value)

    if form.get("whole", "").strip():
        offer_id = number(form["whole"], "the whole RFQ")
        matrix = await services.comparison_out(principal, rfq_id)
        return [AwardLineIn(rfq_line_id=row.rfq_line_id, offer_id=offer_id)
                for row in matrix.rows if any(c is not None and c.offer_id == offer_id for c in row.cells)]
    awards = [
        AwardLineIn(rfq_line_id=int(key.removeprefix("line_")), offer_id=number(value, key))
        for key, value in form.items()
        if key.startswith("line_") and key.removeprefix("line_").isdigit() and value.strip()
    ]
    if not awards:
        raise InvalidInput("Choose an offer for at least one line, or one offer for the whole RFQ.")
    return awards


async def _comparison_page(principal: Principal, rfq_id: int, error: DomainError | None = None) -> Template:
    offers = await services.offers_for_buyer(principal, rfq_id)
    matrix = None if offers.sealed else await services.comparison_out(principal, rfq_id)
    awards = await services.awards_of(rfq_id, services.RfqStatus(offers.status)) if offers.status == "awarded" else None
    return Template(
        template_name="offers/comparison.html",
        context={
            "offers": offers, "matrix": matrix, "awards": awards,
            "files": await offer_attachments.files_by_offer(principal, rfq_id),
            "can_award": offers.status == "closed" and principal.has_any_role(AWARDER_ROLES),
            "error": error.message if error else None,
        },
        status_code=error.status_code if error else 200,
    )


ROUTES: list[ControllerRouterHandler] = [
    RfqOfferApi, OfferApi, NegotiationApi, VendorRfqPages, ComparisonPages, *LIVE_ROUTES,
    InboxApi, *ATTACHMENT_ROUTES, *NEGOTIATION_ROUTES,
]
