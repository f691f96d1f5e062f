"""Requests for quotation over HTTP: the API buyers' systems call, and the buyer's pages."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import File, Redirect, Template
from litestar.types import ControllerRouterHandler

from app import grids
from app.auth import Principal, PrincipalRequest, authenticated, buyers_only, principal_of
from app.errors import DomainError, FieldErrors, InvalidInput
from app.files import XLSX, MultipartBody, bytes_response, file_response, read_upload
from app.forms import confirmation, confirmed, errors_by_field
from app.openapi import MEDIA_TYPES
from app.rfq import attachments, building, clarifications, drafting, line_sheets, transitions, views
from app.rfq.confirmations import CONFIRM_PUBLISH, publish_confirmation
from app.rfq.forms import (
    ANSWER_LIMIT,
    CANCEL_LIMITS,
    LINE_LIMITS,
    MAX_FORM_BYTES,
    RFQ_LIMITS,
    answer_of,
    cancellation_of,
    form_from_rfq,
    form_rows,
    parse_moment,
)
from app.rfq.rules import MAX_LINES
from app.rfq.schemas import (
    AnswerIn,
    AttachmentOut,
    CancelIn,
    ClarificationOut,
    ExtendIn,
    InvitationsIn,
    QuestionIn,
    RfqIn,
    RfqOut,
    RfqPage,
    RfqPatch,
    RfqSummaryOut,
    RfqVendorOut,
)
from app.rfq.states import RfqStatus

# --- API ----------------------------------------------------------------------------------------


class RfqApi(Controller):
    path = "/api/v1/rfqs"
    tags = ["rfqs"]
    guards = [authenticated]

    @post("/", guards=[buyers_only], status_code=201, summary="Create a draft RFQ with its lines and invited vendors")
    async def create(self, request: PrincipalRequest, data: JSONBody[RfqIn]) -> RfqOut:
        return await drafting.create_rfq(principal_of(request), data)

    @get("/", summary="The RFQs the caller may see: its company's, those meant for its vendor company, or all")
    async def list_rfqs(
        self, request: PrincipalRequest, status: FromQuery[str | None] = None, page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 20,
    ) -> RfqPage:
        return await views.list_rfqs(principal_of(request), status, page, per_page)

    @get("/{rfq_id:int}", summary="One RFQ: the buyer's view, or a vendor's (no other vendor, no offer data)")
    async def get_rfq(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> RfqOut | RfqVendorOut:
        return await views.get_rfq(principal_of(request), rfq_id)

    @patch("/{rfq_id:int}", guards=[buyers_only], summary="Change a draft (409 once published)")
    async def update(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[RfqPatch]) -> RfqOut:
        return await drafting.update_rfq(principal_of(request), rfq_id, data)

    @post("/{rfq_id:int}/invitations", guards=[buyers_only], status_code=200, summary="Invite more vendors")
    async def invite(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[InvitationsIn]) -> RfqOut:
        return await drafting.add_invitations(principal_of(request), rfq_id, data.vendor_ids)

    @post("/{rfq_id:int}/publish", guards=[buyers_only], status_code=200, summary="Publish a draft; vendors are told")
    async def publish(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> RfqOut:
        return await transitions.publish(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/extend", guards=[buyers_only], status_code=200, summary="Extend the deadline (never shorten)")
    async def extend(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[ExtendIn]) -> RfqOut:
        return await transitions.extend(principal_of(request), rfq_id, data.deadline)

    @post("/{rfq_id:int}/close", guards=[buyers_only], status_code=200, summary="End bidding before the deadline")
    async def close(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> RfqOut:
        return await transitions.close(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/cancel", guards=[buyers_only], status_code=200, summary="Cancel with a reason")
    async def cancel(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[CancelIn]) -> RfqOut:
        return await transitions.cancel(principal_of(request), rfq_id, data.reason)

    @post("/{rfq_id:int}/attachments", guards=[buyers_only], status_code=201,
          request_max_body_size=attachments.MAX_UPLOAD_BODY,
          summary="Attach a file (multipart field 'file'; PDF, PNG, JPEG, XLSX, DOCX, CSV or TXT, up to 10 MB)")
    async def attach(self, request: PrincipalRequest, rfq_id: FromPath[int], data: MultipartBody) -> AttachmentOut:
        content = await read_upload(data.file, attachments.MAX_BYTES)
        return await attachments.attach(principal_of(request), rfq_id, data.file.filename, content)

    @get("/{rfq_id:int}/attachments/{attachment_id:int}", summary="Download an attachment", media_type=None,
         opt={MEDIA_TYPES: attachments.CONTENT_TYPES})
    async def download(self, request: PrincipalRequest, rfq_id: FromPath[int],
                       attachment_id: FromPath[int]) -> File:
        return file_response(await attachments.download(principal_of(request), rfq_id, attachment_id))

    @get("/{rfq_id:int}/clarifications", summary="Questions and answers: all for the buyer; own and published "
                                                 "for a vendor, without who asked")
    async def list_clarifications(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> list[ClarificationOut]:
        return await clarifications.list_for(principal_of(request), rfq_id)

    @post("/{rfq_id:int}/clarifications", status_code=201, summary="A vendor asks a question while bidding is open")
    async def ask(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[QuestionIn]
    ) -> ClarificationOut:
        return await clarifications.ask(principal_of(request), rfq_id, data.question)

    @post("/{rfq_id:int}/clarifications/{clarification_id:int}/answer", guards=[buyers_only], status_code=200,
          summary="Answer privately, or publish question and answer to every vendor without naming who asked")
    async def answer(self, request: PrincipalRequest, rfq_id: FromPath[int], clarification_id: FromPath[int],
                     data: JSONBody[AnswerIn]) -> ClarificationOut:
        return await clarifications.answer(principal_of(request), rfq_id, clarification_id, data.answer, data.publish)


# --- pages --------------------------------------------------------------------------------------


RFQ_EXPORT_HEADER = ("Number", "Title", "Company", "Status", "Deadline (UTC)", "Currency", "Mode", "Visibility")


def _rfq_export_row(rfq: RfqSummaryOut) -> tuple[Any, ...]:
    return (rfq.number, rfq.title, rfq.buyer_name, rfq.status, rfq.deadline, rfq.currency, rfq.bidding_mode,
            rfq.visibility)


CONFIRM_CLOSE = "Closing was not confirmed: use “Close bidding now…” and confirm on the page it shows."


class RfqPages(Controller):
    path = "/rfqs"
    guards = [authenticated, buyers_only]
    include_in_schema = False

    @get("/")
    async def list_page(self, request: PrincipalRequest) -> Template:
        grid = await views.rfq_grid(principal_of(request), views.RFQ_GRID.read(request.query_params))
        return grids.page_template("rfq/list.html", grid)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(views.rfq_grid, principal_of(request)), views.RFQ_GRID.read(request.query_params),
            request.url.path, RFQ_EXPORT_HEADER, _rfq_export_row, zone=principal_of(request).time_zone)

    @get("/new")
    async def new_page(self, request: PrincipalRequest) -> Template:
        return await self._form(request, FormMultiDict(), None)

    async def _form(self, request: PrincipalRequest, form: Any, error: DomainError | None,
                    rfq_id: int | None = None, built: building.Built | None = None) -> Template:
        """The new-RFQ form, or a draft's edit form (`rfq_id`): the same fields, limits and pickers; each error by
        its field."""
        choices = await building.page_choices(principal_of(request), form)
        errors = error.fields if isinstance(error, FieldErrors) else {}
        return Template(
            template_name="rfq/edit.html" if rfq_id else "rfq/new.html",
            context={"form": form, "line_numbers": form_rows(form), "rfq_id": rfq_id,
                     "limits": RFQ_LIMITS, "line_limits": LINE_LIMITS, "choices": choices, "errors": errors,
                     "error": error.message if error and not errors else None, "built": built,
                     "sheet_limit_mb": line_sheets.MAX_FILE_BYTES // (1024 * 1024), "max_lines": MAX_LINES},
            status_code=error.status_code if error else 200,
        )

    async def _build(self, request: PrincipalRequest, form: Any, rfq_id: int | None = None) -> Template:
        """A building button (search, add, remove): the form again as it should be, nothing saved."""
        built = await building.apply(principal_of(request), form)
        return await self._form(request, built.form, built.error, rfq_id, built)

    # The page forms take bodies far past their fields' bounds: text too long is read and refused by the form's
    # own check, which keeps every field, rather than cut off unread by a bare 413.
    @post("/new", status_code=303, request_max_body_size=MAX_FORM_BYTES)
    async def create(self, request: PrincipalRequest) -> Response[Any]:
        form = await request.form()
        if building.is_building(form):
            return await self._build(request, form)
        try:
            principal = principal_of(request)
            rfq = await drafting.create_rfq(principal, await building.rfq_from_page(principal, form))
        except DomainError as exc:
            return await self._form(request, form, exc)
        flash(request, f"Draft \"{rfq.title}\" saved. Publish it when it is ready.", "success")
        return Redirect(path=f"/rfqs/{rfq.id}", status_code=303)

    @get("/products")
    async def product_results(self, request: PrincipalRequest, product_q: FromQuery[str] = "") -> Template:
        """The product picker's results (an HTML fragment): the buyer's own catalog only."""
        products = await building.find_products(principal_of(request), product_q)
        return Template(template_name="rfq/_product_results.html", context={"products": products, "query": product_q})

    @get("/vendors")
    async def vendor_results(self, request: PrincipalRequest, vendor_q: FromQuery[str] = "") -> Template:
        """The vendor picker's results (an HTML fragment): vendors the buyer may invite, not chosen yet."""
        # chosen on the RFQ form, or invited already (a published RFQ's page)
        chosen = [*request.query_params.getall("vendor_ids", []), *request.query_params.getall("invited_ids", [])]
        vendors = await building.find_vendors(principal_of(request), vendor_q, chosen)
        return Template(template_name="rfq/_vendor_results.html", context={"vendors": vendors, "query": vendor_q})

    @get("/lines-template.xlsx", media_type=XLSX)
    async def lines_template_xlsx(self) -> Response[bytes]:
        """The workbook of an RFQ's line columns, to fill in and upload."""
        return bytes_response(await asyncio.to_thread(line_sheets.template_xlsx), XLSX, "rfq-lines.xlsx")

    @get("/lines-template.csv", media_type="text/csv")
    async def lines_template_csv(self) -> Response[bytes]:
        """The same columns as CSV."""
        return bytes_response(line_sheets.template_csv(), "text/csv; charset=utf-8", "rfq-lines.csv")

    @get("/{rfq_id:int}/edit")
    async def edit_page(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        rfq = await drafting.draft_for_editing(principal_of(request), rfq_id)
        principal = principal_of(request)
        return await self._form(request, form_from_rfq(rfq, principal.time_zone, principal.locale), None, rfq_id)

    @post("/{rfq_id:int}/edit", status_code=303, request_max_body_size=MAX_FORM_BYTES)
    async def edit(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        if building.is_building(form):
            await drafting.draft_for_editing(principal_of(request), rfq_id)  # 404/409 before anything is built
            return await self._build(request, form, rfq_id)
        try:
            principal = principal_of(request)
            rfq = await drafting.update_rfq(principal, rfq_id, await building.patch_from_page(principal, form))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._form(request, form, exc, rfq_id)
        flash(request, f"Draft \"{rfq.title}\" saved.", "success")
        return Redirect(path=f"/rfqs/{rfq.id}", status_code=303)

    @get("/{rfq_id:int}")
    async def detail(self, request: PrincipalRequest, rfq_id: FromPath[int], vendor_q: FromQuery[str] = "") -> Template:
        return await self._detail(principal_of(request), rfq_id, None, vendor_q)

    async def _detail(self, principal: Principal, rfq_id: int, error: DomainError | None,
                      vendor_q: str = "", field: str = "form", typed: dict[str, str] | None = None,
                      conflicts: bool = False) -> Template:
        """The RFQ's page; after a refusal, the reason beside `field` (the form's field it is about) and every
        value typed (`typed`, by field)."""
        rfq = await views.get_rfq(principal, rfq_id)
        questions = await clarifications.list_for(principal, rfq_id)
        needs = await drafting.publish_needs(rfq) if isinstance(rfq, RfqOut) else []
        invite_results = await building.more_vendors(principal, rfq, vendor_q) if vendor_q.strip() else None
        return Template(
            template_name="rfq/detail.html",
            context={"rfq": rfq, "questions": questions, "errors": errors_by_field(error, field, conflicts=conflicts),
                     "typed": typed or {},
                     "cancel_limit": CANCEL_LIMITS["reason"], "answer_limit": ANSWER_LIMIT,
                     "vendor_q": vendor_q, "invite_results": invite_results,
                     "revealed": rfq.status in (RfqStatus.CLOSED.value, RfqStatus.AWARDED.value),
                     "publish_needs": needs, "attach_accept": ",".join(sorted(attachments.ALLOWED)),
                     "attach_limit_mb": attachments.MAX_BYTES // (1024 * 1024)},
            status_code=error.status_code if error else 200,
        )

    async def _act(self, request: PrincipalRequest, rfq_id: int, action: Any, done: str, field: str = "form",
                   typed: dict[str, str] | None = None, conflicts: bool = False) -> Response[Any]:
        principal = principal_of(request)
        try:
            await action(principal)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._detail(principal, rfq_id, exc, field=field, typed=typed, conflicts=conflicts)
        flash(request, done, "success")
        return Redirect(path=f"/rfqs/{rfq_id}", status_code=303)

    @get("/{rfq_id:int}/publish")
    async def confirm_publish(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        """What publishing does (the lines, who is told, the deadline in the buyer's zone), and its "Yes" form; a
        draft that still lacks something is its own page, with what it needs."""
        principal = principal_of(request)
        rfq = await views.get_rfq(principal, rfq_id)
        if not isinstance(rfq, RfqOut) or rfq.status != RfqStatus.DRAFT.value or await drafting.publish_needs(rfq):
            return Redirect(path=f"/rfqs/{rfq_id}", status_code=303)
        return confirmation(publish_confirmation(rfq, principal.place))

    @post("/{rfq_id:int}/publish", status_code=303)
    async def publish(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        if not confirmed(await request.form()):  # a one-click post that skipped the confirmation page
            return await self._detail(principal_of(request), rfq_id, InvalidInput(CONFIRM_PUBLISH))
        return await self._act(request, rfq_id, lambda p: transitions.publish(p, rfq_id),
                               "Published: the vendors have been told.")

    @post("/{rfq_id:int}/invitations", status_code=303)
    async def invite(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        return await self._act(request, rfq_id, lambda p: building.invite_from_page(p, rfq_id, form.get("add_vendor")),
                               "Invited: the vendor has been told.", "vendor_q")

    @post("/{rfq_id:int}/extend", status_code=303)
    async def extend(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        form = await request.form()

        async def action(principal: Principal) -> None:
            await transitions.extend(principal, rfq_id,
                                     parse_moment(form.get("deadline", ""), "The new deadline", principal.time_zone))

        return await self._act(request, rfq_id, action, "Deadline extended: the vendors have been told.", "deadline",
                               {"deadline": form.get("deadline", "")}, conflicts=True)

    @get("/{rfq_id:int}/close")
    async def confirm_close(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Template:
        """What closing now does, and the "Yes, close" form that does it."""
        rfq = await views.get_rfq(principal_of(request), rfq_id)
        return Template(template_name="rfq/close_confirm.html", context={"rfq": rfq})

    @post("/{rfq_id:int}/close", status_code=303)
    async def close(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        if form.get("confirmed") != "yes":  # a one-click post that skipped the confirmation page
            return await self._detail(principal_of(request), rfq_id, InvalidInput(CONFIRM_CLOSE))
        return await self._act(request, rfq_id, lambda p: transitions.close(p, rfq_id),
                               "Bidding is closed: you can compare the offers.")

    @post("/{rfq_id:int}/cancel", status_code=303)
    async def cancel(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        """Cancelling cannot be undone: the first post shows what follows and asks once more (the reason checked
        first, beside its field); the confirmation's post cancels."""
        form, principal = await request.form(), principal_of(request)
        typed = {"reason": form.get("reason", "")}
        try:
            reason = cancellation_of(form)
            if form.get("confirmed") != "yes":
                await transitions.check_cancellable(principal, rfq_id)
                rfq = await views.get_rfq(principal, rfq_id)
                return Template(template_name="rfq/cancel_confirm.html", context={"rfq": rfq, "reason": reason})
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._detail(principal, rfq_id, exc, field="reason", typed=typed)
        return await self._act(request, rfq_id, lambda p: transitions.cancel(p, rfq_id, reason),
                               "The RFQ is cancelled.", "reason", typed)

    @post("/{rfq_id:int}/attachments", status_code=303, request_max_body_size=attachments.MAX_UPLOAD_BODY)
    async def attach(self, request: PrincipalRequest, rfq_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        upload = form.get("file")

        async def action(principal: Principal) -> None:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("Choose a file to attach.")
            content = await read_upload(upload, attachments.MAX_BYTES)
            await attachments.attach(principal, rfq_id, upload.filename, content)

        return await self._act(request, rfq_id, action, "The file is attached.", "file")

    @post("/{rfq_id:int}/clarifications/{clarification_id:int}/answer", status_code=303)
    async def answer(self, request: PrincipalRequest, rfq_id: FromPath[int],
                     clarification_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        publish = form.get("publish") == "on"
        done = "Answer published to every vendor." if publish else "Answer sent to the vendor who asked."
        field = f"answer-{clarification_id}"  # the question's answer field: a refusal is said beside it
        return await self._act(request, rfq_id, lambda p: clarifications.answer(
            p, rfq_id, clarification_id, answer_of(form, field), publish), done, field,
            {field: form.get("answer", ""), f"publish-{clarification_id}": "on" if publish else ""})


class RfqFilePages(Controller):
    """Attachments for anyone allowed to see the RFQ (its buyer, a vendor it is meant for), by session."""

    path = "/rfqs/{rfq_id:int}/attachments"
    guards = [authenticated]
    include_in_schema = False

    @get("/{attachment_id:int}", media_type=None)
    async def download(self, request: PrincipalRequest, rfq_id: FromPath[int], attachment_id: FromPath[int]) -> File:
        return file_response(await attachments.download(principal_of(request), rfq_id, attachment_id))


ROUTES: list[ControllerRouterHandler] = [RfqApi, RfqPages, RfqFilePages]
