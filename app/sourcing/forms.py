"""The scenarios page's form and the comparison page's weights form read into the API's `ScenarioIn` and `WeightsIn`:
each field's mistake said next to it (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from app.errors import FieldErrors
from app.locales import DEFAULT_LOCALE
from app.money import MoneyError, typed_amount
from app.sourcing.model import Bound, Preset
from app.sourcing.schemas import ScenarioIn
from app.sourcing.score_schemas import WeightsIn


def _positions(text: str, line_of: Mapping[int, int]) -> list[int]:
    """RFQ line ids from line numbers as people type them: "1, 3 4"."""
    numbers = [part for part in text.replace(",", " ").split() if part]
    if not all(n.isdigit() for n in numbers):
        raise ValueError("write line numbers separated by commas, for example 1, 3")
    unknown = [n for n in numbers if int(n) not in line_of]
    if unknown:
        raise ValueError(f"there is no line {', '.join(unknown)} on this RFQ")
    return [line_of[int(n)] for n in numbers]


def scenario_from_form(form: Mapping[str, str], vendor_ids: Sequence[int], line_of: Mapping[int, int],
                       locale: str = DEFAULT_LOCALE) -> ScenarioIn:
    """The form's fields (`name`, `preset`, `max_vendors`, `min_vendors`, `exclude_<vendor>`, `require_<vendor>`,
    `capacity_<vendor>`, `fixed_cost_<vendor>`, `share_vendor`/`share_bound`/`share_percent`/`share_lines`,
    `bundles`, `min_award_value`, `max_lead_time`, `allow_partial`) as a scenario; `line_of` maps line numbers to
    RFQ line ids. FieldErrors names each field to fix."""
    errors: dict[str, str] = {}
    constraints: list[dict[str, Any]] = []

    def whole(field: str, what: str) -> int | None:
        text = form.get(field, "").strip()
        if not text:
            return None
        if not text.isdigit():
            errors[field] = f"{what} must be a whole number, for example 3."
            return None
        return int(text)

    def amount(field: str) -> str | None:  # as the buyer writes amounts ("1.234,50" in German)
        try:
            return typed_amount(form.get(field, ""), locale) or None
        except MoneyError as exc:
            errors[field] = f"{exc}."
            return None

    for field, bound in (("max_vendors", Bound.AT_MOST), ("min_vendors", Bound.AT_LEAST)):
        count = whole(field, "The number of vendors")
        if count is not None:
            if count < 1:
                errors[field] = "The number of vendors must be at least 1."
            constraints.append({"kind": "vendor_count", "bound": bound.value, "count": count})
    for vendor_id in vendor_ids:
        if form.get(f"exclude_{vendor_id}"):
            constraints.append({"kind": "exclude_vendor", "vendor_id": vendor_id})
        if form.get(f"require_{vendor_id}"):
            constraints.append({"kind": "require_vendor", "vendor_id": vendor_id})
        units = whole(f"capacity_{vendor_id}", "The capacity")
        if units is not None:
            constraints.append({"kind": "capacity", "vendor_id": vendor_id, "units": units})
        cost = amount(f"fixed_cost_{vendor_id}")
        if cost is not None:
            constraints.append({"kind": "fixed_cost", "vendor_id": vendor_id, "amount": cost})
    percent = amount("share_percent")  # a decimal typed as the buyer writes numbers, like an amount
    if percent:
        vendor = form.get("share_vendor", "").strip()
        if not vendor.isdigit() or int(vendor) not in vendor_ids:
            errors["share_vendor"] = "Choose the vendor the share goes to."
        try:
            share_lines = _positions(form.get("share_lines", ""), line_of)
        except ValueError as exc:
            errors["share_lines"] = f"Lines of the share: {exc}."
            share_lines = []
        bound = form.get("share_bound", Bound.AT_LEAST.value)
        constraints.append({"kind": "value_share", "vendor_id": int(vendor) if vendor.isdigit() else 0,
                            "bound": bound if bound in {b.value for b in Bound} else Bound.AT_LEAST.value,
                            "percent": percent, "line_ids": share_lines})
    for number, group in enumerate(g for g in form.get("bundles", "").split(";") if g.strip()):
        try:
            ids = _positions(group, line_of)
        except ValueError as exc:
            errors["bundles"] = f"Bundle {number + 1}: {exc}."
            continue
        if len(set(ids)) < 2:
            errors["bundles"] = f"Bundle {number + 1}: name at least two lines, for example 1, 2."
            continue
        constraints.append({"kind": "bundle", "line_ids": ids})
    minimum = amount("min_award_value")
    if minimum is not None:
        constraints.append({"kind": "min_award_value", "amount": minimum})
    days = whole("max_lead_time", "The lead time")
    if days is not None:
        constraints.append({"kind": "max_lead_time", "days": days})
    if form.get("allow_partial"):
        constraints.append({"kind": "allow_partial"})
    preset = form.get("preset", Preset.CHERRY_PICK.value)
    if preset not in {p.value for p in Preset}:
        errors["preset"] = "Choose one of the presets."
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = "Give the scenario a name, for example “At most three vendors”."
    if errors:
        raise FieldErrors("; ".join(errors.values()), errors)
    try:
        return msgspec.convert({"name": name, "preset": preset, "constraints": constraints}, ScenarioIn)
    except msgspec.ValidationError as exc:
        raise FieldErrors(f"The scenario is not valid: {exc}", {"form": f"The scenario is not valid: {exc}"}) from None


def weights_from_form(form: dict[str, str]) -> WeightsIn:
    """The comparison page's weights form (price, lead_time, vendor_rating, payment_terms, whole percentages)."""
    labels = {"price": "Price", "lead_time": "Lead time", "vendor_rating": "Vendor rating",
              "payment_terms": "Payment terms"}
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, label in labels.items():
        typed = form.get(name, "").strip() or "0"
        if not typed.isdigit() or len(typed) > 6:
            errors[name] = f"{label}: the weight is a whole percentage from 0 to 100."
        else:
            values[name] = int(typed)
    if errors:
        raise FieldErrors(" ".join(errors.values()), errors)
    return WeightsIn(**values)
