"""Contracts over HTTP: the API for both parties and operators, the list and detail pages, the documents."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from app import db, forms, grids, line_entry
from app.auth import Principal, PrincipalRequest, authenticated, principal_of, sellers_only
from app.contracts import access, amendments, awards, documents, lifecycle, line_grid, ratings, vendor_rfqs, views
from app.contracts.forms import (
    AMENDMENT_LIMITS,
    RATING_COMMENT_LIMIT,
    REASON_LIMIT,
    amendment_from_form,
    rating_from_form,
    termination_reason,
)
from app.contracts.rules import JUSTIFICATION_MAX, Side
from app.contracts.schemas import (
    AmendmentIn,
    AwardPreview,
    ContractOut,
    ContractPage,
    ContractSummaryOut,
    DecisionIn,
    LinkIn,
    RatingIn,
    RatingOut,
    RenewalOut,
    RenewIn,
    TerminateIn,
    VersionOut,
)
from app.errors import Conflict, DomainError, InvalidInput
from app.files import XLSX, bytes_response
from app.offers import services as offers
from app.offers.pages import comparison_page
from app.offers.schemas import AwardIn, AwardLineIn, AwardResultOut
from app.openapi import MEDIA_TYPES


async def _pdf(principal: Principal, contract_id: int) -> Response[bytes]:
    contract = await views.get_contract(principal, contract_id)
    return bytes_response(documents.contract_pdf(contract, principal.place), "application/pdf",
                          f"{contract.number}.pdf")


async def _xlsx(principal: Principal, contract_id: int) -> Response[bytes]:
    contract = await views.get_contract(principal, contract_id)
    return bytes_response(documents.contract_xlsx(contract, principal.place), XLSX, f"{contract.number}.xlsx")


# --- API ----------------------------------------------------------------------------------------


class ContractApi(Controller):
    path = "/api/v1/contracts"
    tags = ["contracts"]
    guards = [authenticated]

    @get("/", summary="Your contracts: a buyer's or vendor's own, every contract for operators; newest first")
    async def list_contracts(
        self, request: PrincipalRequest, status: FromQuery[str | None] = None, page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 50,
    ) -> ContractPage:
        return await views.list_contracts(principal_of(request), status, page, per_page)

    @get("/{contract_id:int}", summary="A contract: parties, terms, lines (waiting ones too), versions, proposal")
    async def get_contract(self, request: PrincipalRequest, contract_id: FromPath[int]) -> ContractOut:
        return await views.get_contract(principal_of(request), contract_id)

    @get("/{contract_id:int}/versions", summary="Every version of a contract, rejected proposals included")
    async def versions(self, request: PrincipalRequest, contract_id: FromPath[int]) -> list[VersionOut]:
        return await views.all_versions(principal_of(request), contract_id)

    @get("/{contract_id:int}/document.pdf", summary="The contract as a PDF document",
         opt={MEDIA_TYPES: ["application/pdf"]})
    async def pdf(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[bytes]:
        return await _pdf(principal_of(request), contract_id)

    @get("/{contract_id:int}/document.xlsx", summary="The contract as an Excel workbook", opt={MEDIA_TYPES: [XLSX]})
    async def xlsx(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[bytes]:
        return await _xlsx(principal_of(request), contract_id)

    @post("/{contract_id:int}/terminate", status_code=200,
          summary="Terminate the contract now, with a reason (buyer_admin or approver); its prices stop at once")
    async def terminate(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: JSONBody[TerminateIn]
    ) -> ContractOut:
        return await lifecycle.terminate(principal_of(request), contract_id, data.reason)

    @post("/{contract_id:int}/renew", status_code=201,
          summary="Renew: a draft RFQ prefilled with the contract's lines, its vendor invited (buyer)")
    async def renew(self, request: PrincipalRequest, contract_id: FromPath[int], data: JSONBody[RenewIn]) -> RenewalOut:
        return await lifecycle.renew(principal_of(request), contract_id, data)

    @post("/{contract_id:int}/rating", status_code=200,
          summary="Rate the contract's vendor 1-5 with a comment (buyer_admin or approver of its buyer company, once "
                  "the contract has started); one rating per company and contract: rating again replaces it")
    async def rate(self, request: PrincipalRequest, contract_id: FromPath[int], data: JSONBody[RatingIn]) -> RatingOut:
        return await ratings.rate(principal_of(request), contract_id, data)

    @post("/{contract_id:int}/lines/{line_id:int}/link", status_code=200,
          summary="Link a waiting line to one of your listings (vendor); its contract price applies from now")
    async def link(
        self, request: PrincipalRequest, contract_id: FromPath[int], line_id: FromPath[int], data: JSONBody[LinkIn]
    ) -> ContractOut:
        return await lifecycle.link_line(principal_of(request), contract_id, line_id, data.listing_id)

    @post("/{contract_id:int}/amendments", status_code=201,
          summary="Propose an amendment: new dates and/or line prices; the other party accepts or rejects it")
    async def propose(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: JSONBody[AmendmentIn]
    ) -> ContractOut:
        return await amendments.propose_amendment(principal_of(request), contract_id, data)

    @post("/{contract_id:int}/amendments/{number:int}/accept", status_code=200,
          summary="Accept the other party's amendment: it becomes the current version, prices follow from now")
    async def accept(
        self, request: PrincipalRequest, contract_id: FromPath[int], number: FromPath[int], data: JSONBody[DecisionIn]
    ) -> ContractOut:
        return await amendments.accept_amendment(principal_of(request), contract_id, number)

    @post("/{contract_id:int}/amendments/{number:int}/reject", status_code=200,
          summary="Reject the other party's amendment, or withdraw your own; the current version stays")
    async def reject(
        self, request: PrincipalRequest, contract_id: FromPath[int], number: FromPath[int], data: JSONBody[DecisionIn]
    ) -> ContractOut:
        return await amendments.reject_amendment(principal_of(request), contract_id, number, data.note)


# --- pages --------------------------------------------------------------------------------------


CONTRACT_EXPORT_HEADER = ("Number", "Buyer", "Vendor", "Currency", "Valid from (UTC)", "Valid to (UTC)", "Status",
                          "Waiting lines")


def _contract_export_row(contract: ContractSummaryOut) -> tuple[Any, ...]:
    return (contract.number, contract.buyer.name, contract.vendor.name, contract.currency, contract.valid_from,
            contract.valid_to, contract.status, contract.lines_waiting)


class ContractPages(Controller):
    path = "/contracts"
    guards = [authenticated]
    include_in_schema = False

    @get("/")
    async def index(self, request: PrincipalRequest) -> Template:
        grid = await views.contract_grid(principal_of(request), views.CONTRACT_GRID.read(request.query_params))
        return grids.page_template("contracts/list.html", grid)

    @get(["/export.csv", "/export.xlsx"])
    async def export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(views.contract_grid, principal_of(request)), views.CONTRACT_GRID.read(request.query_params),
            request.url.path, CONTRACT_EXPORT_HEADER, _contract_export_row, zone=principal_of(request).time_zone)

    @get("/{contract_id:int}")
    async def show(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Template:
        return await _detail(principal_of(request), contract_id, query=request.query_params)

    @get(["/{contract_id:int}/export.csv", "/{contract_id:int}/export.xlsx"])
    async def export_lines(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[bytes]:
        """The lines the page's grid selects (404 for a contract the caller may not see)."""
        contract = await views.get_contract(principal_of(request), contract_id)
        return await grids.export_response(
            partial(line_grid.line_grid, contract_id), line_grid.line_spec(contract_id).read(request.query_params),
            request.url.path, line_grid.EXPORT_HEADER, partial(line_grid.export_row, contract.currency),
            zone=principal_of(request).time_zone)

    @get("/{contract_id:int}/document.pdf")
    async def pdf(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[bytes]:
        return await _pdf(principal_of(request), contract_id)

    @get("/{contract_id:int}/document.xlsx")
    async def xlsx(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[bytes]:
        return await _xlsx(principal_of(request), contract_id)

    @post("/{contract_id:int}/terminate/confirm", status_code=200)
    async def confirm_terminate(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Template:
        """Only renders: what terminating does, and the "Yes, terminate" form that does it; a reason left blank or
        too long: the contract's page again, said beside it and kept."""
        principal = principal_of(request)
        try:
            reason = termination_reason(data)
        except DomainError as exc:
            return await _detail(principal, contract_id, exc, field="reason", typed={"reason": data.get("reason", "")})
        return await _detail(principal, contract_id, confirm_reason=reason)

    @post("/{contract_id:int}/terminate", status_code=303)
    async def terminate(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal, reason = principal_of(request), data.get("reason", "")
        if data.get("confirmed") != "yes":  # a one-click post that skipped the confirmation page
            return await _detail(principal, contract_id, InvalidInput(CONFIRM_TERMINATE))
        try:
            await lifecycle.terminate(principal, contract_id, termination_reason(data))
        except DomainError as exc:  # the confirmation page again, with the reason typed and why it failed
            return await _detail(principal, contract_id, exc, confirm_reason=reason, field="reason")
        flash(request, "The contract is terminated; its prices no longer apply.", "success")
        return Redirect(path=f"/contracts/{contract_id}", status_code=303)

    @post("/{contract_id:int}/renew", status_code=303)
    async def renew(self, request: PrincipalRequest, contract_id: FromPath[int]) -> Response[Any]:
        principal = principal_of(request)
        try:
            renewal = await lifecycle.renew(principal, contract_id, RenewIn())
        except DomainError as exc:
            return await _detail(principal, contract_id, exc)
        flash(request, "A draft RFQ renewing the contract is ready: review it and publish.", "success")
        return Redirect(path=f"/rfqs/{renewal.rfq_id}", status_code=303)

    @post("/{contract_id:int}/lines/{line_id:int}/link", status_code=303)
    async def link(
        self, request: PrincipalRequest, contract_id: FromPath[int], line_id: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        field = f"sku-{line_id}"  # the line's own SKU field: a refusal is said beside it, as typed
        return await _act(request, contract_id, "The line is linked: its contract price applies from now.",
                          lifecycle.link_line_by_sku(principal_of(request), contract_id, line_id, data.get("sku", "")),
                          field, {field: data.get("sku", "")})

    @post("/{contract_id:int}/rating", status_code=303)
    async def rate(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal, typed = principal_of(request), {f"rating_{key}": value for key, value in data.items()}
        try:
            rating = rating_from_form(data)
        except DomainError as exc:
            return await _detail(principal, contract_id, exc, field="rating_score", typed=typed)
        return await _act(request, contract_id, "Your company's rating of the vendor is saved.",
                          ratings.rate(principal, contract_id, rating), "rating_score", typed)

    @post("/{contract_id:int}/amendments", status_code=303)
    async def propose(
        self, request: PrincipalRequest, contract_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        if line_entry.navigating(data):  # the form's pager or filter: the same form again, nothing proposed
            return await _detail(principal, contract_id, typed={f"amend_{key}": value for key, value in data.items()})
        await access.contract_for(principal, contract_id)  # another's contract: its 404
        contract = await views.contract_out(contract_id)
        typed_form = line_entry.submitted(amendment_lines(contract), data, AMEND_PRICE)
        try:
            await amendments.propose_amendment(principal, contract_id, amendment_from_form(
                typed_form, principal.locale, {line.id: line.position for line in contract.lines}))
        except DomainError as exc:
            typed = {f"amend_{key}": value for key, value in typed_form.items()}  # the amendment form's own values
            return await _detail(principal, contract_id, exc, typed=typed, named=AMENDMENT_NAMED)
        flash(request, "Your amendment is proposed; the other party is asked to accept it.", "success")
        return Redirect(path=f"/contracts/{contract_id}", status_code=303)

    @post("/{contract_id:int}/amendments/{number:int}/accept", status_code=303)
    async def accept(
        self, request: PrincipalRequest, contract_id: FromPath[int], number: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        if data.get("confirmed") != "yes":  # the new terms apply at once and for good: show them and ask once more
            return await _detail(principal_of(request), contract_id, confirm_acceptance=True)
        return await _act(request, contract_id, "The amendment is agreed and in force.",
                          amendments.accept_amendment(principal_of(request), contract_id, number))

    @post("/{contract_id:int}/amendments/{number:int}/reject", status_code=303)
    async def reject(
        self, request: PrincipalRequest, contract_id: FromPath[int], number: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        principal, typed = principal_of(request), {"reject_note": data.get("note", "")}
        try:
            note = forms.read({"note": data.get("note", "")}, DecisionIn, fields={"note": ("reject_note", "Note")}).note
        except DomainError as exc:
            return await _detail(principal, contract_id, exc, field="reject_note", typed=typed)
        if data.get("confirmed") != "yes":  # the proposal ends for good: say what follows and ask once more
            return await _detail(principal, contract_id, confirm_rejection=note)
        return await _act(request, contract_id, "The amendment is rejected; the current version stays.",
                          amendments.reject_amendment(principal, contract_id, number, note), "reject_note", typed)


async def _act(request: PrincipalRequest, contract_id: int, message: str, action: Any, field: str = "form",
               typed: dict[str, str] | None = None) -> Response[Any]:
    """Run a page's action (a coroutine); its refusal re-renders the page with the reason beside `field` and what
    was `typed`."""
    try:
        await action
    except DomainError as exc:
        return await _detail(principal_of(request), contract_id, exc, field=field, typed=typed)
    flash(request, message, "success")
    return Redirect(path=f"/contracts/{contract_id}", status_code=303)


AMEND_PRICE = "price_"  # the amendment form's field of a line's new unit price: price_<line id>


def amendment_lines(contract: ContractOut) -> list[line_entry.EntryLine]:
    """The lines an amendment may reprice, each empty to start with (empty keeps the price)."""
    return [line_entry.EntryLine(line.id, line.position, line.listing_sku or "", line.description)
            for line in contract.lines]


# A service's refusal of an amendment that names an API field: beside the form's field for it.
AMENDMENT_NAMED = {"valid_to": ("valid_to", "New end date"), "valid_from": ("valid_to", "The start date")}
CONFIRM_TERMINATE = "Terminating was not confirmed: use “Terminate contract…” and confirm on the page it shows."


async def _detail(principal: Principal, contract_id: int, error: DomainError | None = None,
                  confirm_reason: str | None = None, field: str = "form", typed: dict[str, str] | None = None,
                  named: dict[str, tuple[str, str]] | None = None, confirm_rejection: str | None = None,
                  query: Mapping[str, str] | None = None, confirm_acceptance: bool = False) -> Template:
    """The contract page, or with `confirm_reason` the page confirming its termination, with `confirm_rejection`
    the one confirming that its open amendment is rejected or withdrawn (when the caller may), with
    `confirm_acceptance` the one confirming that the caller accepts it; after a refusal, the
    reason beside `field` (or the field it names) and what was `typed`."""
    head = await access.contract_for(principal, contract_id)
    contract = await views.contract_out(contract_id)
    proposal_side = Side(contract.proposal.proposed_side) if contract.proposal else None
    now = await db.db_now()
    can = access.abilities(principal, head, now, proposal_side)
    side = access.side_of(principal, head)
    rfq_url = access.rfq_page(principal, contract.rfq_id, as_vendor=side is Side.VENDOR)
    # the renewal is the buyer's new RFQ: its vendor may not be invited, or not yet
    renewal_url = contract.renewal_rfq_id and access.rfq_page(principal, contract.renewal_rfq_id, as_vendor=False)
    if confirm_reason is not None and not can.terminate:
        error = Conflict("This contract cannot be terminated: it is not in force, or you may not end it.")
    confirming = confirm_reason is not None and can.terminate
    may_end_proposal = contract.proposal is not None and (can.decide or can.withdraw)
    if confirm_rejection is not None and not may_end_proposal:
        error = Conflict("No amendment of this contract waits for your answer.")
    rejecting = confirm_rejection is not None and may_end_proposal
    if confirm_acceptance and not (contract.proposal is not None and can.decide):
        error = Conflict("No amendment of this contract waits for your answer.")
    accepting = confirm_acceptance and error is None
    template = ("contracts/terminate_confirm.html" if confirming else
                "contracts/amendment_reject_confirm.html" if rejecting else
                "contracts/amendment_accept_confirm.html" if accepting else "contracts/detail.html")
    lines = await line_grid.line_grid(contract_id, line_grid.line_spec(contract_id).read(query or {}))
    errors = forms.errors_by_field(error, field, named=named)
    amend_form = {key.removeprefix("amend_"): value for key, value in (typed or {}).items() if key.startswith("amend_")}
    return Template(
        template_name=template,
        context={"contract": contract, "page": lines, "can": can, "side": side.value if side else None,
                 "rfq_url": rfq_url, "renewal_url": renewal_url,
                 "reason": confirm_reason or "", "errors": errors,
                 "entry": line_entry.entry_page(amendment_lines(contract), amend_form, AMEND_PRICE, errors=errors),
                 "by_id": {line.id: line for line in contract.lines},
                 "typed": typed or {}, "reason_limit": REASON_LIMIT, "note_limit": AMENDMENT_LIMITS["note"],
                 "note": confirm_rejection or "", "rating": await ratings.rating_for(principal, head),
                 "can_rate": ratings.may_rate(principal, head, now), "rating_comment_limit": RATING_COMMENT_LIMIT},
        status_code=error.status_code if error else 200,
    )


# --- the award: the RFQ's lines become contracts -----------------------------------------------------


class AwardApi(Controller):
    path = "/api/v1/rfqs"
    tags = ["offers"]
    guards = [authenticated]

    # No role guard on the award's routes: whoever may not see the RFQ as its buyer gets its 404 first (a vendor, a
    # stranger), and only a colleague of the buyer without an awarding role gets 403 (`awards` checks both, in order).
    @post("/{rfq_id:int}/award", status_code=200,
          summary="Award the RFQ, whole or line by line (buyer_admin or approver; once)")
    async def award(self, request: PrincipalRequest, rfq_id: FromPath[int], data: JSONBody[AwardIn]) -> AwardResultOut:
        return await awards.award(principal_of(request), rfq_id, data)


class AwardPages(Controller):
    path = "/rfqs"
    guards = [authenticated]
    include_in_schema = False

    @post("/{rfq_id:int}/award/confirm", status_code=200)
    async def confirm(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Template:
        """Only renders: what the chosen award does, and the "Yes, award" form that does it."""
        return await _award_confirm_page(principal_of(request), rfq_id, data)

    @post("/{rfq_id:int}/award", status_code=303)
    async def award(
        self, request: PrincipalRequest, rfq_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        principal = principal_of(request)
        if data.get("confirmed") != "yes":  # a one-click post that skipped the confirmation page
            return await comparison_page(principal, rfq_id, InvalidInput(CONFIRM_AWARD))
        try:
            chosen = await _awards_from_form(principal, rfq_id, data)
            await awards.award(principal, rfq_id, AwardIn(awards=chosen, justification=data.get("justification", "")))
        except DomainError as exc:
            return await _award_confirm_page(principal, rfq_id, data, exc)
        flash(request, "The RFQ is awarded; the vendors are told by e-mail.", "success")
        return Redirect(path=f"/rfqs/{rfq_id}/comparison", status_code=303)


CONFIRM_AWARD = "The award was not confirmed: choose the offers, press “Award…” and confirm on the page it shows."


async def _award_confirm_page(principal: Principal, rfq_id: int, form: dict[str, str],
                              error: DomainError | None = None) -> Template:
    """The award's summary with its "Yes, award" form (and `error`, with what was typed); the comparison page
    with the reason when the choice itself is refused."""
    try:
        preview = await awards.preview(principal, rfq_id, AwardIn(awards=await _awards_from_form(principal, rfq_id,
                                                                                                   form)))
    except DomainError as exc:
        return await comparison_page(principal, rfq_id, exc)
    return award_confirm_template(preview, form.get("justification", ""), error)


def award_confirm_template(preview: AwardPreview, justification: str = "",
                           error: DomainError | None = None) -> Template:
    """The award's confirmation page for a previewed award (from the comparison or a sourcing scenario): its
    "Yes, award" posts to the one award, with a justification field when a line is not the cheapest."""
    return Template(
        template_name="contracts/award_confirm.html",
        context={"award": preview, "justification": justification,
                 "errors": forms.errors_by_field(error, "justification"), "justification_limit": JUSTIFICATION_MAX},
        status_code=error.status_code if error else 200,
    )


async def _awards_from_form(principal: Principal, rfq_id: int, form: dict[str, str]) -> list[AwardLineIn]:
    """`whole` = one offer for every line it priced, else `line_<id>` = offer id per line."""
    def number(value: str, what: str) -> int:
        if not value.strip().isdigit():
            raise InvalidInput(f"Choose an offer for {what}.")
        return int(value)

    if form.get("whole", "").strip():
        offer_id = number(form["whole"], "the whole RFQ")
        matrix = await offers.comparison_out(principal, rfq_id)
        return [AwardLineIn(rfq_line_id=row.rfq_line_id, offer_id=offer_id)
                for row in matrix.rows if any(c is not None and c.offer_id == offer_id for c in row.cells)]
    chosen = [
        AwardLineIn(rfq_line_id=int(key.removeprefix("line_")), offer_id=number(value, key))
        for key, value in form.items()
        if key.startswith("line_") and key.removeprefix("line_").isdigit() and value.strip()
    ]
    if not chosen:
        raise InvalidInput("Choose an offer for at least one line, or one offer for the whole RFQ.")
    return chosen


class VendorRfqListPages(Controller):
    """The vendor's RFQ inbox and history (its RFQ page and forms: app/offers/controllers.py)."""

    path = "/vendor/rfqs"
    guards = [sellers_only]
    include_in_schema = False

    @get("/")
    async def inbox(self, request: PrincipalRequest) -> Template:
        principal = principal_of(request)
        grid = await vendor_rfqs.open_grid(principal, vendor_rfqs.OPEN_GRID.read(request.query_params))
        return grids.page_template("offers/inbox.html", grid, waiting=await vendor_rfqs.waiting_for(principal))

    @get(["/export.csv", "/export.xlsx"])
    async def inbox_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(vendor_rfqs.open_grid, principal_of(request)), vendor_rfqs.OPEN_GRID.read(request.query_params),
            request.url.path, vendor_rfqs.OPEN_EXPORT_HEADER, vendor_rfqs.open_export_row,
            zone=principal_of(request).time_zone)

    @get("/history")
    async def history(self, request: PrincipalRequest) -> Template:
        grid = await vendor_rfqs.history_grid(principal_of(request),
                                              vendor_rfqs.HISTORY_GRID.read(request.query_params))
        return grids.page_template("offers/history.html", grid, labels=vendor_rfqs.OUTCOME_LABELS)

    @get(["/history/export.csv", "/history/export.xlsx"])
    async def history_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(
            partial(vendor_rfqs.history_grid, principal_of(request)),
            vendor_rfqs.HISTORY_GRID.read(request.query_params), request.url.path,
            vendor_rfqs.HISTORY_EXPORT_HEADER, vendor_rfqs.history_export_row, zone=principal_of(request).time_zone)


ROUTES: list[ControllerRouterHandler] = [ContractApi, ContractPages, AwardApi, AwardPages, VendorRfqListPages]
