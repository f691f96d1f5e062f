"""An RFQ's cost center: one of its buyer company's active cost centers, chosen on create and edit, defaulted (as
checkout does) to the buyer user's only one; its awards' savings group by it (app/analytics/facts.py).

Another company's cost center is refused exactly like one that does not exist: the same words, the same 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import FieldErrors
from app.spending.tables import CostCenter, CostCenterMember, RfqCostCenter

MAX_ID = 2_147_483_647  # an id column's range: a larger number names no cost center (PostgreSQL would refuse it)
NOT_YOURS = "cost_center_id: not one of your company's active cost centers."


@dataclass(frozen=True, slots=True)
class CostCenterChoice:
    id: int
    label: str  # "CC-100 Wards"


def _label(row: dict) -> str:
    return f"{row['code']} {row['name']}"


async def choices(company_id: int) -> list[CostCenterChoice]:
    """The company's active cost centers, by code: what the RFQ form offers."""
    rows = await CostCenter.select(CostCenter.id, CostCenter.code, CostCenter.name).where(
        (CostCenter.company == company_id) & (CostCenter.active.eq(True))).order_by(CostCenter.code)
    return [CostCenterChoice(row["id"], _label(row)) for row in rows]


async def default_for(user_id: int, company_id: int) -> int | None:
    """The user's cost center when it is a member of exactly one active cost center of the company, else none."""
    rows = await CostCenterMember.select(CostCenterMember.cost_center).where(
        (CostCenterMember.user == user_id) & (CostCenterMember.cost_center.company == company_id)
        & (CostCenterMember.cost_center.active.eq(True)))
    ids = {row["cost_center"] for row in rows}
    return ids.pop() if len(ids) == 1 else None


async def check(company_id: int, cost_center_id: int) -> int:
    """The cost center if it is the company's and active; a 400 by the field otherwise (the same for any other)."""
    found = 1 <= cost_center_id <= MAX_ID and await CostCenter.exists().where(
        (CostCenter.id == cost_center_id) & (CostCenter.company == company_id) & (CostCenter.active.eq(True)))
    if not found:
        raise FieldErrors(NOT_YOURS, {"cost_center_id": "Cost center: choose one of your company's cost centers"})
    return cost_center_id


async def save(rfq_id: int, cost_center_id: int | None) -> None:
    """Set (or clear, with None) the RFQ's cost center; call inside the transaction that writes the draft."""
    await RfqCostCenter.delete().where(RfqCostCenter.rfq == rfq_id)
    if cost_center_id is not None:
        await RfqCostCenter.insert(RfqCostCenter(rfq=rfq_id, cost_center=cost_center_id))


async def of_rfq(rfq_id: int) -> CostCenterChoice | None:
    """The RFQ's cost center, if it has one."""
    row = await RfqCostCenter.select(RfqCostCenter.cost_center, RfqCostCenter.cost_center.code.as_alias("code"),
                                     RfqCostCenter.cost_center.name.as_alias("name")).where(
        RfqCostCenter.rfq == rfq_id).first()
    return CostCenterChoice(row["cost_center"], _label(row)) if row else None
