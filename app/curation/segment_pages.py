"""The operators' segment pages: customer segments, their visibility rules and which buyer companies are in them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Template

from app import forms, grids
from app.accounts.roles import CompanyKind
from app.auth import PrincipalRequest, operators_only, principal_of
from app.catalog.states import RuleEffect, RuleTarget
from app.curation import (
    choices,
    confirmations,
    segment_grid,
    segments,
)
from app.curation.page_forms import (
    SEGMENT_FIELDS,
    MemberForm,
    RuleForm,
    SegmentForm,
    required_number,
    see_other,
    whole_number,
)
from app.curation.schemas import (
    RuleIn,
    SegmentIn,
)
from app.errors import DomainError


class SegmentPages(Controller):
    path = "/operator/curation"
    guards = [operators_only]
    include_in_schema = False

    # Segments -------------------------------------------------------------------------------

    async def _segments_page(self, request: PrincipalRequest, *, error: DomainError | None = None, form: Any = None,
                             field: str = "form", named: Mapping[str, tuple[str, str]] | None = None,
                             conflicts: bool = False, segment_id: int | None = None) -> Template:
        """The segments; after a refusal, the reason beside `field` (or the field its message names, `named`) and
        what was typed in the form sent (a rule's, in its segment's form: `segment_id`)."""
        grid = await segment_grid.segment_grid(segment_grid.SEGMENT_GRID.read(request.query_params))
        page = grids.page_template(
            "curation/segments.html", grid, segments=await choices.segment_choices(),
            buyers=await choices.companies_of_kind(CompanyKind.BUYER),
            effects=[e.value for e in RuleEffect], targets=[t.value for t in RuleTarget],
            errors=forms.errors_by_field(error, field, conflicts=conflicts, named=named),
            form=dataclasses.asdict(form) if form is not None else {}, form_segment=segment_id,
            limits=forms.max_lengths(SegmentIn),
        )
        if error:
            page.status_code = error.status_code
        return page

    @get("/segments")
    async def segments(self, request: PrincipalRequest) -> Template:
        return await self._segments_page(request)

    @get(["/segments/export.csv", "/segments/export.xlsx"])
    async def segments_export(self, request: PrincipalRequest) -> Response[bytes]:
        return await grids.export_response(segment_grid.segment_grid,
                                           segment_grid.SEGMENT_GRID.read(request.query_params), request.url.path,
                                           segment_grid.EXPORT_HEADER, segment_grid.export_row,
                                           zone=principal_of(request).time_zone)

    @post("/segments", status_code=303)
    async def create_segment(self, request: PrincipalRequest, data: URLEncodedBody[SegmentForm]) -> Response[Any]:
        try:
            segment = await segments.create_segment(principal_of(request), forms.read(
                {"name": data.name, "description": data.description}, SegmentIn, fields=SEGMENT_FIELDS))
        except DomainError as exc:  # a name taken (409) is about the name typed
            return await self._segments_page(request, error=exc, form=data, field="name", named=SEGMENT_FIELDS,
                                             conflicts=True)
        flash(request, f"Segment {segment.name} is created.", "success")
        return see_other("/operator/curation/segments")

    @post("/segments/{segment_id:int}/rules", status_code=303)
    async def add_rule(
        self, request: PrincipalRequest, segment_id: FromPath[int], data: URLEncodedBody[RuleForm]
    ) -> Response[Any]:
        try:
            rule = await segments.add_rule(principal_of(request), segment_id, RuleIn(
                effect=data.effect, target=data.target, target_id=required_number(data.target_id, "target_id")))
        except DomainError as exc:  # the segment's own target field; a rule already there (409) is about it too
            field = f"target_id-{segment_id}"
            return await self._segments_page(request, error=exc, form=data, field=field, conflicts=True,
                                             segment_id=segment_id, named={"target_id": (field, "Target #")})
        flash(request, f"Rule added: {rule.effect} {rule.target} {rule.target_name}.", "success")
        return see_other("/operator/curation/segments")

    @post("/segments/{segment_id:int}/rules/{rule_id:int}/delete", status_code=303)
    async def delete_rule(
        self, request: PrincipalRequest, segment_id: FromPath[int], rule_id: FromPath[int]
    ) -> Response[Any]:
        if not forms.confirmed(await request.form()):  # the segment's buyers see another catalog at once: ask first
            return forms.confirmation(await confirmations.rule_removal(segment_id, rule_id))
        await segments.delete_rule(principal_of(request), segment_id, rule_id)
        flash(request, "The rule is removed.", "success")
        return see_other("/operator/curation/segments")

    @post("/segments/members", status_code=303)
    async def set_member(self, request: PrincipalRequest, data: URLEncodedBody[MemberForm]) -> Response[Any]:
        try:
            await segments.set_company_segment(principal_of(request), required_number(data.company_id, "company_id"),
                                               whole_number(data.segment_id, "segment"))
        except DomainError as exc:
            return await self._segments_page(request, error=exc, form=data, field="company_id",
                                             named={"segment_id": ("segment_id", "Segment"),
                                                    "company_id": ("company_id", "Buyer company")})
        flash(request, "The company's segment is saved.", "success")
        return see_other("/operator/curation/segments")
