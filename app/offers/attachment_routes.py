"""Offer attachments over HTTP: the API (upload, list, download), the vendor's upload form, and the
download links the vendor's and the buyer's pages use. Who sees what: app/offers/offer_attachments.py."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import File, Redirect
from litestar.types import ControllerRouterHandler

from app.auth import PrincipalRequest, authenticated, principal_of
from app.errors import DomainError, InvalidInput, NotFound
from app.files import MultipartBody, file_response, read_upload
from app.offers import offer_attachments, pages, services
from app.offers.schemas import OfferAttachmentOut
from app.openapi import MEDIA_TYPES
from app.rfq.attachments import CONTENT_TYPES, MAX_BYTES


class OfferAttachmentApi(Controller):
    path = "/api/v1/offers/{offer_id:int}/attachments"
    tags = ["offers"]
    guards = [authenticated]

    @post("/", status_code=201,
          summary="Attach a file to your offer while bidding is open (vendor; multipart field 'file'; PDF, PNG, "
                  "JPEG, XLSX, DOCX, CSV or TXT, up to 10 MB)")
    async def attach(self, request: PrincipalRequest, offer_id: FromPath[int], data: MultipartBody
                     ) -> OfferAttachmentOut:
        content = await read_upload(data.file, MAX_BYTES)
        return await offer_attachments.attach(principal_of(request), offer_id, data.file.filename, content)

    @get("/", summary="The offer's files (its vendor; the RFQ's buyer only after bidding closes)")
    async def list_files(self, request: PrincipalRequest, offer_id: FromPath[int]) -> list[OfferAttachmentOut]:
        return await offer_attachments.list_for(principal_of(request), offer_id)

    @get("/{attachment_id:int}", summary="Download a file of an offer (its vendor; the buyer after the close)",
         media_type=None, opt={MEDIA_TYPES: CONTENT_TYPES})
    async def download(self, request: PrincipalRequest, offer_id: FromPath[int], attachment_id: FromPath[int]
                       ) -> File:
        return file_response(await offer_attachments.download(principal_of(request), offer_id, attachment_id))


class OfferAttachmentPages(Controller):
    """Downloads by session for the pages, and the vendor's upload form on its RFQ page."""

    path = "/"
    guards = [authenticated]
    include_in_schema = False

    @get("/offers/{offer_id:int}/attachments/{attachment_id:int}", media_type=None)
    async def download(self, request: PrincipalRequest, offer_id: FromPath[int], attachment_id: FromPath[int]
                       ) -> File:
        return file_response(await offer_attachments.download(principal_of(request), offer_id, attachment_id))

    @post("/vendor/rfqs/{rfq_id:int}/attachments", status_code=303)
    async def attach(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        form = await request.form()
        upload = form.get("file")
        try:
            current = await services.rfq_for_seller(principal, rfq_id)
            if current.offer is None:
                raise InvalidInput("Submit your offer first, then attach files to it.")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("Choose a file to attach.")
            content = await read_upload(upload, MAX_BYTES)
            await offer_attachments.attach(principal, current.offer.id, upload.filename, content)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await pages.vendor_page(principal, rfq_id, exc, field="file")
        flash(request, "The file is attached to your offer.", "success")
        return Redirect(path=f"/vendor/rfqs/{rfq_id}", status_code=303)


ROUTES: list[ControllerRouterHandler] = [OfferAttachmentApi, OfferAttachmentPages]
