"""Reading contracts: one contract with its lines and versions, and the lists each side gets."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import msgspec

from app import db, grids
from app.accounts.roles import CompanyKind
from app.auth import Principal
from app.catalog.contract_consumption import remaining
from app.contracts import access, rules
from app.contracts.rules import ContractStatus, VersionStatus
from app.contracts.schemas import (
    ContractLineOut,
    ContractOut,
    ContractPage,
    ContractSummaryOut,
    ContractTierOut,
    PartyOut,
    VersionLineOut,
    VersionOut,
)
from app.contracts.tables import (
    Contract,
    ContractLine,
    ContractLineTier,
    ContractVersion,
)
from app.errors import InvalidInput, NotFound
from app.grids import GridColumn, GridFilter, GridPage, GridSpec, GridState
from app.money import from_minor
from app.offers.tables import Award

MAX_PER_PAGE = 100


# --- reading ------------------------------------------------------------------------------------


def party(row: dict[str, Any], prefix: str) -> PartyOut:
    return PartyOut(id=row[prefix], name=row[f"{prefix}.name"], tax_id=row[f"{prefix}.tax_id"],
                    country=row[f"{prefix}.country"])


_PARTY_COLUMNS = (
    Contract.buyer.name, Contract.buyer.tax_id, Contract.buyer.country,
    Contract.vendor.name, Contract.vendor.tax_id, Contract.vendor.country,
)


def version_out(row: dict[str, Any]) -> VersionOut:
    lines = row["lines"] if isinstance(row["lines"], list) else msgspec.json.decode(row["lines"])
    return VersionOut(
        number=row["number"], status=row["status"], proposed_side=row["proposed_side"], valid_from=row["valid_from"],
        valid_to=row["valid_to"], note=row["note"], proposed_at=row["proposed_at"], decided_at=row["decided_at"],
        lines=[
            VersionLineOut(
                line_id=line["line_id"], position=line["position"], description=line["description"],
                unit_price=Decimal(line["unit_price"]),
                tiers=[ContractTierOut(t["min_qty"], Decimal(t["unit_price"])) for t in line["tiers"]],
                committed_qty=line["committed_qty"], min_order_qty=line["min_order_qty"],
                max_order_qty=line["max_order_qty"],
            )
            for line in lines
        ],
    )


LINE_COLUMNS = (ContractLine.all_columns(), ContractLine.rfq_line.product, ContractLine.listing.sku,
                ContractLine.listing.title)


async def line_outs(lines: list[dict[str, Any]]) -> list[ContractLineOut]:
    """Rows of `LINE_COLUMNS` as the lines people read, with their volume tiers and their award's justification
    (two queries whatever their number)."""
    tiers: dict[int, list[ContractTierOut]] = defaultdict(list)
    for tier in await ContractLineTier.select().where(
        ContractLineTier.line.is_in([line["id"] for line in lines] or [-1])
    ).order_by(ContractLineTier.min_qty):
        tiers[tier["line"]].append(ContractTierOut(tier["min_qty"], from_minor(tier["unit_price"])))  # type: ignore[arg-type]
    justified = {
        award["rfq_line"]: award["justification"]
        for award in await Award.select(Award.rfq_line, Award.justification).where(
            Award.rfq_line.is_in([line["rfq_line"] for line in lines] or [-1])
        )
    }
    return [
        ContractLineOut(
            id=line["id"], position=line["position"], rfq_line_id=line["rfq_line"],
            product_id=line["rfq_line.product"], description=line["description"], unit=line["unit"],
            listing_id=line["listing"], listing_sku=line["listing.sku"], listing_title=line["listing.title"],
            waiting_for_listing=line["listing"] is None,
            unit_price=from_minor(line["unit_price"]), tiers=tiers[line["id"]],  # type: ignore[arg-type]
            committed_qty=line["committed_qty"], min_order_qty=line["min_order_qty"],
            max_order_qty=line["max_order_qty"], linked_at=line["linked_at"],
            ordered_qty=line["consumed_qty"], remaining_qty=remaining(line["committed_qty"], line["consumed_qty"]),
            justification=justified.get(line["rfq_line"], ""),
        )
        for line in lines
    ]


async def contract_out(contract_id: int) -> ContractOut:
    """The whole contract: parties, terms, lines with tiers and their award's justification, every version (six
    queries)."""
    row = await Contract.select(
        Contract.all_columns(), *_PARTY_COLUMNS, Contract.rfq.title, Contract.rfq.number,
        Contract.offer_revision.number, Contract.awarded_by.email, Contract.renewal_rfq.title,
    ).where(Contract.id == contract_id).first()
    if row is None:
        raise NotFound("No such contract.")
    now = await db.db_now()
    lines = await line_outs(await ContractLine.select(*LINE_COLUMNS).where(
        ContractLine.contract == contract_id).order_by(ContractLine.position))
    versions = [
        version_out(v)
        for v in await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(
            ContractVersion.number
        ).output(load_json=True)
    ]
    return ContractOut(
        id=row["id"], number=row["number"], buyer=party(row, "buyer"), vendor=party(row, "vendor"),
        currency=row["currency"], payment_terms=row["payment_terms"], valid_from=row["valid_from"],
        valid_to=row["valid_to"], status=rules.status_at(row["valid_to"], row["terminated_at"], now).value,
        in_effect=rules.in_effect(row["valid_from"], row["valid_to"], row["terminated_at"], now),
        version=row["version"], rfq_id=row["rfq"], rfq_title=row["rfq.title"], rfq_number=row["rfq.number"],
        offer_revision_id=row["offer_revision"], offer_revision_number=row["offer_revision.number"],
        awarded_by=row["awarded_by.email"], created_at=row["created_at"], terminated_at=row["terminated_at"],
        termination_reason=row["termination_reason"], renewal_rfq_id=row["renewal_rfq"],
        renewal_rfq_title=row["renewal_rfq.title"],
        lines=lines,
        versions=[v for v in versions if v.status in (VersionStatus.CURRENT, VersionStatus.SUPERSEDED)],
        proposal=next((v for v in versions if v.status == VersionStatus.PROPOSED), None),
    )


async def get_contract(principal: Principal, contract_id: int) -> ContractOut:
    """The contract if the caller's company is a party (or its group, or an operator); else 404."""
    await access.contract_for(principal, contract_id)
    return await contract_out(contract_id)


async def all_versions(principal: Principal, contract_id: int) -> list[VersionOut]:
    """Every version, including rejected proposals, oldest first."""
    await access.contract_for(principal, contract_id)
    rows = await ContractVersion.select().where(ContractVersion.contract == contract_id).order_by(
        ContractVersion.number
    ).output(load_json=True)
    return [version_out(row) for row in rows]


async def list_contracts(principal: Principal, status: str | None, page: int, per_page: int) -> ContractPage:
    """Each side its own: buyers their companies' contracts, vendors theirs, operators all; newest first."""
    if page < 1:
        raise InvalidInput("page must be 1 or more")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
    query, count = _visible_contracts(principal)
    if status:
        try:
            wanted = ContractStatus(status)
        except ValueError:
            raise InvalidInput(f"status must be one of {', '.join(s.value for s in ContractStatus)}") from None
        condition = await _status_condition(wanted)
        query, count = query.where(condition), count.where(condition)
    rows = await query.order_by(Contract.id, ascending=False).limit(per_page).offset((page - 1) * per_page)
    return ContractPage(items=await _summaries(rows), total=await count, page=page, per_page=per_page)


CONTRACT_GRID = GridSpec(
    path="/contracts",
    columns=(GridColumn("number", "Number"), GridColumn("buyer", "Buyer"), GridColumn("vendor", "Vendor"),
             GridColumn("valid_to", "Valid"), GridColumn("status", "Status", sortable=False),
             GridColumn("waiting", "Waiting lines", sortable=False)),
    default_sort="number", default_descending=True, search_label="Number, buyer or vendor",
    filters=(GridFilter("status", "Status", tuple((s.value, s.value) for s in ContractStatus)),),
    per_page=50, export_name="contracts",
)
_CONTRACT_ORDER = {"number": (Contract.number,), "buyer": (Contract.buyer.name,),
                   "vendor": (Contract.vendor.name,), "valid_to": (Contract.valid_to,)}


async def contract_grid(principal: Principal, state: GridState) -> GridPage:
    """The contract list page: the caller's contracts as the grid's state sorts, searches, filters and pages them."""
    query, count = _visible_contracts(principal)
    conditions = [grids.search((Contract.number, Contract.buyer.name, Contract.vendor.name), state.q)]
    if state.filter("status"):
        conditions.append(await _status_condition(ContractStatus(state.filter("status"))))
    query, count = grids.narrowed(query, count, conditions)
    rows = await grids.paged(grids.ordered(query, state, _CONTRACT_ORDER, Contract.id), state)
    return state.page_of(await _summaries(rows), await count)


def _visible_contracts(principal: Principal) -> tuple[Any, Any]:
    query = Contract.select(
        Contract.id, Contract.number, Contract.buyer, Contract.vendor, Contract.currency, Contract.valid_from,
        Contract.valid_to, Contract.terminated_at, *_PARTY_COLUMNS,
    )
    count = Contract.count()
    if principal.is_operator:
        return query, count
    visible = sorted(principal.visible_company_ids) or [-1]
    column = Contract.vendor if principal.company_kind is CompanyKind.VENDOR else Contract.buyer
    if principal.company_kind not in (CompanyKind.VENDOR, CompanyKind.BUYER):
        visible = [-1]
    return query.where(column.is_in(visible)), count.where(column.is_in(visible))


async def _status_condition(wanted: ContractStatus) -> Any:
    now = await db.db_now()
    return {
        ContractStatus.TERMINATED: Contract.terminated_at.is_not_null(),
        ContractStatus.EXPIRED: Contract.terminated_at.is_null() & (Contract.valid_to <= now),
        ContractStatus.ACTIVE: Contract.terminated_at.is_null() & (Contract.valid_to > now),
    }[wanted]


async def _summaries(rows: list[dict[str, Any]]) -> list[ContractSummaryOut]:
    waiting: dict[int, int] = defaultdict(int)
    for line in await ContractLine.select(ContractLine.contract).where(
        ContractLine.contract.is_in([r["id"] for r in rows] or [-1]) & ContractLine.listing.is_null()
    ):
        waiting[line["contract"]] += 1
    now = await db.db_now()
    return [
        ContractSummaryOut(
            id=row["id"], number=row["number"], buyer=party(row, "buyer"), vendor=party(row, "vendor"),
            currency=row["currency"], valid_from=row["valid_from"], valid_to=row["valid_to"],
            status=rules.status_at(row["valid_to"], row["terminated_at"], now).value,
            in_effect=rules.in_effect(row["valid_from"], row["valid_to"], row["terminated_at"], now),
            lines_waiting=waiting[row["id"]],
        )
        for row in rows
    ]
