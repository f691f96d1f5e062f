"""The operators' curation pages: the queue of listings to curate (bulk actions, export), one listing (approve,
reject, suspend, feature, merge) and the audit log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Template

from app import forms, grids
from app.accounts.roles import CompanyKind
from app.auth import PrincipalRequest, operators_only, principal_of
from app.curation import (
    choices,
    confirmations,
    events,
    listings,
    products,
    queue,
    rules,
)
from app.curation.page_forms import (
    ApproveForm,
    ProductForm,
    RejectForm,
    VendorForm,
    required_number,
    see_other,
    whole_number,
)
from app.errors import DomainError, InvalidInput


class CurationPages(Controller):
    path = "/operator/curation"
    guards = [operators_only]
    include_in_schema = False

    # The queue ------------------------------------------------------------------------------

    @get("/")
    async def queue_page(self, request: PrincipalRequest) -> Template:
        state = (await queue.queue_spec()).read(request.query_params)
        return grids.page_template("curation/queue.html", await queue.queue_grid(state), max_bulk=grids.MAX_BULK,
                                   vendors=await choices.companies_of_kind(CompanyKind.VENDOR))

    @get(["/export.csv", "/export.xlsx"])
    async def queue_export(self, request: PrincipalRequest) -> Response[bytes]:
        state = (await queue.queue_spec()).read(request.query_params)
        return await grids.export_response(queue.queue_grid, state, request.url.path, queue.EXPORT_HEADER,
                                           queue.export_row, zone=principal_of(request).time_zone)

    @post("/listings/bulk", status_code=303)
    async def bulk(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        back = forms.back_to(form, "/operator/curation")
        try:
            ticked = grids.ticked(form.getall("listing_id", []), "listings")
            action = form.get("action")
            if not forms.confirmed(form):  # many listings at once: name them and ask first
                return forms.confirmation(await confirmations.bulk_move(action or "", ticked, back,
                                                                        principal_of(request).place))
            if action == "approve":
                done = await queue.approve_many(principal_of(request), ticked)
                flash(request, f"{done} listing(s) approved.", "success")
            elif action == "suspend":
                done = await queue.suspend_many(principal_of(request), ticked)
                flash(request, f"{done} listing(s) suspended.", "success")
            else:
                raise InvalidInput("Choose Approve or Suspend for the ticked listings.")
        except DomainError as exc:
            flash(request, exc.message, "error")
        return see_other(back)

    @post("/vendors/suspend-listings", status_code=303)
    async def suspend_vendor(self, request: PrincipalRequest, data: URLEncodedBody[VendorForm]) -> Response[Any]:
        try:
            vendor_id = required_number(data.vendor_id, "a vendor")
            if data.confirmed != "yes":
                return forms.confirmation(await confirmations.vendor_suspension(vendor_id))
            result = await listings.suspend_vendor_listings(principal_of(request), vendor_id)
        except DomainError as exc:
            flash(request, exc.message, "error")
            return see_other("/operator/curation")
        flash(request, f"{len(result.suspended_listing_ids)} listing(s) of the vendor are suspended.", "success")
        return see_other("/operator/curation")

    # One listing ----------------------------------------------------------------------------

    async def _listing_page(
        self, listing_id: int, *, error: DomainError | None = None, field: str = "form",
        typed: dict[str, str] | None = None,
    ) -> Template:
        """The listing; after a refusal, the reason beside `field` and every value typed (`typed`)."""
        return Template(
            template_name="curation/listing.html",
            context={"detail": await listings.listing_detail(listing_id), "errors": forms.errors_by_field(error, field),
                     "typed": typed or {}, "reason_limit": rules.REASON_MAX_LENGTH},
            status_code=error.status_code if error else 200,
        )

    @get("/listings/{listing_id:int}")
    async def listing(self, listing_id: FromPath[int]) -> Template:
        return await self._listing_page(listing_id)

    @post("/listings/{listing_id:int}/approve", status_code=303)
    async def approve(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: URLEncodedBody[ApproveForm]
    ) -> Response[Any]:
        try:
            detail = await listings.approve_listing(principal_of(request), listing_id,
                                                    whole_number(data.product_id, "product"))
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc, field="product_id",
                                            typed={"product_id": data.product_id})
        flash(request, f"Listing {detail.listing.sku} is approved as product {detail.listing.product_id}.", "success")
        return see_other(f"/operator/curation/listings/{listing_id}")

    @post("/listings/{listing_id:int}/reject", status_code=303)
    async def reject(
        self, request: PrincipalRequest, listing_id: FromPath[int], data: URLEncodedBody[RejectForm]
    ) -> Response[Any]:
        try:
            detail = await listings.reject_listing(principal_of(request), listing_id, data.reason)
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc, field="reason", typed={"reason": data.reason})
        flash(request, f"Listing {detail.listing.sku} is rejected; the vendor sees your reason.", "success")
        return see_other(f"/operator/curation/listings/{listing_id}")

    @post("/listings/{listing_id:int}/suspend", status_code=303)
    async def suspend(self, request: PrincipalRequest, listing_id: FromPath[int]) -> Response[Any]:
        if not forms.confirmed(await request.form()):  # say what suspending does and ask once more
            return forms.confirmation(await confirmations.listing_suspension(listing_id, principal_of(request).place))
        try:
            detail = await listings.suspend_listing(principal_of(request), listing_id)
        except DomainError as exc:
            return await self._listing_page(listing_id, error=exc)
        flash(request, f"Listing {detail.listing.sku} is suspended.", "success")
        return see_other(f"/operator/curation/listings/{listing_id}")

    @post("/products/{product_id:int}/feature", status_code=303)
    async def feature(
        self, request: PrincipalRequest, product_id: FromPath[int], data: URLEncodedBody[ProductForm]
    ) -> Response[Any]:
        back = f"/operator/curation/listings/{whole_number(data.listing_id, 'listing')}" if data.listing_id else (
            "/operator/curation/events")
        try:
            product = await products.feature_product(principal_of(request), product_id, data.featured == "1")
        except DomainError as exc:
            flash(request, exc.message, "error")
            return see_other(back)
        flash(request, f"{product.name} is {'featured' if product.featured else 'no longer featured'}.", "success")
        return see_other(back)

    @post("/products/{product_id:int}/merge", status_code=303)
    async def merge(
        self, request: PrincipalRequest, product_id: FromPath[int], data: URLEncodedBody[ProductForm]
    ) -> Response[Any]:
        back = f"/operator/curation/listings/{whole_number(data.listing_id, 'listing')}" if data.listing_id else (
            "/operator/curation/events")
        try:
            into = required_number(data.into_product_id, "The surviving product's number")
            if data.confirmed != "yes":  # merging cannot be undone: say what it does and ask once more
                return Template(template_name="curation/merge_confirm.html", context={
                    "merge": await products.merge_preview(product_id, into), "listing_id": data.listing_id})
            result = await products.merge_products(principal_of(request), product_id, into)
        except DomainError as exc:
            if data.listing_id:  # from the listing's page: back to it, the refusal beside the product number typed
                return await self._listing_page(whole_number(data.listing_id, "listing") or 0, error=exc,
                                                field="into_product_id",
                                                typed={"into_product_id": data.into_product_id})
            flash(request, exc.message, "error")
            return see_other(back)
        flash(request, f"{result.product.name} is merged into {result.survivor.name}; "
                       f"{len(result.moved_listing_ids)} listing(s) moved.", "success")
        return see_other(back)

    # Audit log ------------------------------------------------------------------------------

    @get("/events")
    async def events(self, request: PrincipalRequest) -> Template:
        grid = await events.event_grid(events.EVENT_GRID.read(request.query_params))
        return grids.page_template("curation/events.html", grid)

    @get(["/events/export.csv", "/events/export.xlsx"])
    async def events_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(events.event_grid, events.EVENT_GRID.read(request.query_params),
                                           request.url.path, events.EXPORT_HEADER, events.export_row,
                                           zone=principal_of(request).time_zone)
