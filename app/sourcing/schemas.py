"""Award scenarios in and out of the API: msgspec Structs, apart from the rows and from the pure model."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from app.sourcing.model import Bound, Preset

MAX_CONSTRAINTS = 50
Count = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Id = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
LineIds = Annotated[list[Id], msgspec.Meta(max_length=1000)]


class VendorCountIn(msgspec.Struct, tag="vendor_count", tag_field="kind", forbid_unknown_fields=True):
    bound: Bound
    count: Count


class ExcludeVendorIn(msgspec.Struct, tag="exclude_vendor", tag_field="kind", forbid_unknown_fields=True):
    vendor_id: Id


class RequireVendorIn(msgspec.Struct, tag="require_vendor", tag_field="kind", forbid_unknown_fields=True):
    vendor_id: Id


class ValueShareIn(msgspec.Struct, tag="value_share", tag_field="kind", forbid_unknown_fields=True):
    """At least / at most `percent` % of the awarded value (of the RFQ lines `line_ids`, when given) to the vendor."""

    vendor_id: Id
    bound: Bound
    percent: Decimal
    line_ids: LineIds = msgspec.field(default_factory=list)


class CapacityIn(msgspec.Struct, tag="capacity", tag_field="kind", forbid_unknown_fields=True):
    """The vendor supplies at most `units` units over all the lines it wins."""

    vendor_id: Id
    units: Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]


class BundleIn(msgspec.Struct, tag="bundle", tag_field="kind", forbid_unknown_fields=True):
    """These RFQ lines go to one and the same vendor."""

    line_ids: Annotated[list[Id], msgspec.Meta(min_length=2, max_length=1000)]


class MinAwardValueIn(msgspec.Struct, tag="min_award_value", tag_field="kind", forbid_unknown_fields=True):
    """Each vendor that wins something wins at least this value (in the RFQ's currency)."""

    amount: Decimal


class FixedCostIn(msgspec.Struct, tag="fixed_cost", tag_field="kind", forbid_unknown_fields=True):
    """Added once to the total when the vendor wins anything (delivery, set-up), in the RFQ's currency."""

    vendor_id: Id
    amount: Decimal


class MaxLeadTimeIn(msgspec.Struct, tag="max_lead_time", tag_field="kind", forbid_unknown_fields=True):
    days: Count


class AllowPartialIn(msgspec.Struct, tag="allow_partial", tag_field="kind", forbid_unknown_fields=True):
    """A line may be split between vendors, each up to the quantity it offered (such a plan cannot be awarded:
    the award gives each line to one offer)."""


ConstraintIn = (VendorCountIn | ExcludeVendorIn | RequireVendorIn | ValueShareIn | CapacityIn | BundleIn
                | MinAwardValueIn | FixedCostIn | MaxLeadTimeIn | AllowPartialIn)


class ScenarioIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["At most three vendors"])]
    preset: Preset = Preset.CHERRY_PICK
    constraints: Annotated[list[ConstraintIn], msgspec.Meta(max_length=MAX_CONSTRAINTS)] = msgspec.field(
        default_factory=list)
    # Seconds the solver may search before answering with the best plan found and its gap.
    time_limit: Annotated[float, msgspec.Meta(ge=0.05, le=10)] = 2.0


class ScenarioAwardIn(msgspec.Struct, forbid_unknown_fields=True):
    # Required when a line goes to an offer that is not the cheapest (as for every award).
    justification: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class AllocationOut(msgspec.Struct):
    rfq_line_id: int
    position: int
    description: str
    vendor_id: int
    vendor_name: str
    offer_id: int
    revision_number: int
    quantity: int
    unit_price: Decimal
    extended_price: Decimal
    lead_time_days: int


class VendorShareOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    lines: int
    value: Decimal


class FiguresOut(msgspec.Struct):
    """The side-by-side figures; a baseline is null where it does not exist (no target prices, no vendor that
    offered every line)."""

    goods_total: Decimal | None
    fixed_costs: Decimal | None
    total: Decimal | None
    vendors_used: int
    lines_awarded: int
    vendors: list[VendorShareOut]
    average_lead_time_days: Decimal | None
    savings_vs_target: Decimal | None
    single_vendor_total: Decimal | None
    savings_vs_single_vendor: Decimal | None
    unconstrained_total: Decimal | None
    cost_of_constraints: Decimal | None  # this total minus the unconstrained optimum
    # The plan's weighted score (the "best weighted score per line" preset only): the sum over lines of the chosen
    # offers' weighted line scores, each by the share of the line it gets; at most the number of lines.
    weighted_score: Decimal | None = None


class ScenarioOut(msgspec.Struct):
    id: int
    rfq_id: int
    name: str
    preset: str
    constraints: list[ConstraintIn]
    constraint_texts: list[str]  # each constraint in words
    status: str  # optimal, best_found, infeasible or no_plan
    # The proven relative gap: 0 when optimal; null without a plan, or when the time ran out before any bound
    gap: float | None
    solve_ms: int
    currency: str
    allocations: list[AllocationOut]
    figures: FiguresOut
    conflicts: list[str]  # when infeasible: the constraints that cannot all hold
    conflict_explanation: str | None  # the same in a sentence, with how it was found
    unoffered_positions: list[int]  # lines no vendor offered: in no plan
    awardable: bool
    not_awardable_because: str | None
    created_at: datetime


class ScenarioListOut(msgspec.Struct):
    rfq_id: int
    currency: str
    scenarios: list[ScenarioOut]
