"""The buyer's negotiation page: after the close, the whole thread with one vendor's offer and the form
that sends it a counter-proposal. It calls the same services as the API (app/offers/negotiation.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app.auth import Principal, PrincipalRequest, authenticated, principal_of
from app.errors import DomainError, Forbidden, NotFound
from app.forms import errors_by_field, max_lengths
from app.offers import negotiation, offer_attachments, services, thread
from app.offers.forms import proposal_from_form
from app.offers.schemas import CounterProposalIn, NegotiationOut
from app.rfq.access import NO_SUCH_OFFER, buyer_actor, rfq_for_buyer

MESSAGE_LIMIT = max_lengths(CounterProposalIn)["message"]


async def _thread_on(principal: Principal, rfq_id: int, offer_id: int) -> NegotiationOut:
    """The offer's thread if the caller is the RFQ's buyer (after the close) and the offer is on that RFQ; else 404."""
    await rfq_for_buyer(principal, rfq_id)  # vendors stop here, even on their own offer
    found = await negotiation.thread(principal, offer_id)
    if found.offer.rfq_id != rfq_id:
        raise NotFound(NO_SUCH_OFFER)
    return found


class NegotiationPages(Controller):
    path = "/rfqs/{rfq_id:int}/offers/{offer_id:int}"
    guards = [authenticated]
    include_in_schema = False

    @get("/negotiation")
    async def show(self, request: PrincipalRequest, rfq_id: FromPath[int], offer_id: FromPath[int]) -> Template:
        return await _negotiation_page(principal_of(request), rfq_id, offer_id)

    @post("/counter-proposals", status_code=303)
    async def propose(self, request: PrincipalRequest, rfq_id: FromPath[int], offer_id: FromPath[int],
                      data: URLEncodedBody[dict[str, str]]) -> Response[Any]:
        principal = principal_of(request)
        await _thread_on(principal, rfq_id, offer_id)
        try:
            await negotiation.propose(principal, offer_id, proposal_from_form(data, principal.locale))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await _negotiation_page(principal, rfq_id, offer_id, exc, data)
        flash(request, "Your counter-proposal is sent; the vendor is told by e-mail.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/offers/{offer_id}/negotiation", status_code=303)


def _proposal_errors(error: DomainError | None) -> dict[str, str]:
    """The refusal by the counter-proposal form's fields: a line's price problem (keyed `price_<line>` as the offer
    form names it) beside that line's target."""
    return {("target_" + key.removeprefix("price_") if key.startswith("price_") else key): message
            for key, message in errors_by_field(error).items()}


async def _negotiation_page(principal: Principal, rfq_id: int, offer_id: int, error: DomainError | None = None,
                            form: dict[str, str] | None = None) -> Template:
    found = await _thread_on(principal, rfq_id, offer_id)
    head = await rfq_for_buyer(principal, rfq_id)
    matrix = await services.comparison_out(principal, rfq_id)
    files = await offer_attachments.list_for(principal, offer_id)
    latest = found.offer.revisions[-1] if found.offer.revisions else None
    vendor = next((v for v in matrix.vendors if v.offer_id == offer_id), None)
    try:
        buyer_actor(principal, head)
        may_act = True
    except Forbidden:
        may_act = False
    open_proposal = any(p.status == "open" for p in found.proposals)
    return Template(
        template_name="offers/negotiation.html",
        context={
            "rfq": head, "thread": found, "entries": thread.timeline(found.offer, found.proposals, files),
            "vendor_name": vendor.vendor_name if vendor else f"Offer {offer_id}",
            "rows": matrix.rows, "current": {line.rfq_line_id: line for line in latest.lines} if latest else {},
            "line_names": {row.rfq_line_id: f"{row.position}. {row.description}" for row in matrix.rows},
            "currency": head.currency, "open_proposal": open_proposal,
            "can_propose": may_act and head.status.value == "closed" and found.offer.status == "live"
            and not open_proposal,
            "form": form or {}, "errors": _proposal_errors(error), "message_limit": MESSAGE_LIMIT,
        },
        status_code=error.status_code if error else 200,
    )


ROUTES: list[ControllerRouterHandler] = [NegotiationPages]
