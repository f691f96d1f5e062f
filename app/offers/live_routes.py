"""The live reverse auction over HTTP: a JSON snapshot and a server-sent event stream, for the API (bearer
token) and for the vendor's page (session cookie: a browser's EventSource cannot send a bearer token)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath
from litestar.response import ServerSentEvent
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, principal_of, sellers_only
from app.offers import live
from app.offers.schemas import AuctionBuyerOut, AuctionVendorOut

NO_STORE = {"Cache-Control": "no-store"}


async def _stream(request: PrincipalRequest, rfq_id: int, *, for_page: bool = False) -> ServerSentEvent:
    # Access is decided before the stream starts, so a refusal is a plain 404.
    principal = principal_of(request)
    watcher = await live.viewer(principal, rfq_id)
    # The page's stream also writes amounts and the deadline in the vendor's locale and zone; the API's is data only.
    return ServerSentEvent(live.events(watcher, place=principal.place if for_page else None),
                           headers={"Cache-Control": "no-cache, no-store"})


class AuctionApi(Controller):
    path = "/api/v1/rfqs"
    tags = ["offers"]
    guards = [authenticated]

    @get("/{rfq_id:int}/auction", response_headers=NO_STORE,
         summary="The live auction now: a vendor's own rank (and the best price if shown); the buyer's counts, "
                 "then standings after the close")
    async def snapshot(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> AuctionVendorOut | AuctionBuyerOut:
        return await live.snapshot(await live.viewer(principal_of(request), rfq_id))

    @get("/{rfq_id:int}/auction/stream", media_type="text/event-stream",
         summary="The live auction as server-sent events: an `auction` event carrying the snapshot, sent at once "
                 "and whenever it changes; the stream ends when bidding is over")
    async def stream(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ServerSentEvent:
        return await _stream(request, rfq_id)


class VendorAuctionPages(Controller):
    path = "/vendor/rfqs"
    guards = [sellers_only]
    include_in_schema = False

    @get("/{rfq_id:int}/auction", response_headers=NO_STORE)
    async def snapshot(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> AuctionVendorOut | AuctionBuyerOut:
        return await live.snapshot(await live.viewer(principal_of(request), rfq_id))

    @get("/{rfq_id:int}/auction/stream")
    async def stream(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> ServerSentEvent:
        return await _stream(request, rfq_id, for_page=True)


ROUTES: list[ControllerRouterHandler] = [AuctionApi, VendorAuctionPages]
