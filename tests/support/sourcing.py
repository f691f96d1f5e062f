"""Award scenario helpers: their API paths."""

from __future__ import annotations


def scenario_url(rfq_id: int, scenario_id: int | None = None) -> str:
    base = f"/api/v1/rfqs/{rfq_id}/scenarios"
    return base if scenario_id is None else f"{base}/{scenario_id}"
