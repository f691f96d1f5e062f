"""The buyer's scenarios page as rendered, after a GET or again after its form (with the error and what was typed)."""

from __future__ import annotations

from litestar.response import Template

from app.accounts.roles import AWARDER_ROLES, BUYER_ROLES
from app.auth import Principal
from app.errors import DomainError, FieldErrors
from app.offers import services as offers
from app.sourcing import scenarios
from app.sourcing.model import PRESET_LABELS


async def scenarios_page(principal: Principal, rfq_id: int, error: DomainError | None = None,
                         form: dict[str, str] | None = None) -> Template:
    listed = await scenarios.list_scenarios(principal, rfq_id)  # 404 for strangers and before the close
    head = await scenarios.scenario_rfq(principal, rfq_id)
    matrix = await offers.comparison_for_buyer(principal, rfq_id)
    errors = error.fields if isinstance(error, FieldErrors) else {}
    own = principal.company_id == head.buyer_id
    return Template(
        template_name="sourcing/scenarios.html",
        context={
            "rfq": head, "listed": listed, "currency": head.currency, "presets": PRESET_LABELS,
            "vendors": matrix.vendors, "lines": [row.line for row in matrix.rows],
            "can_build": own and principal.has_any_role(BUYER_ROLES),
            "can_award": own and head.status.value == "closed" and principal.has_any_role(AWARDER_ROLES),
            "form": form or {"preset": "cherry_pick"}, "errors": errors,
            "error": error.message if error and not errors else None,
        },
        status_code=error.status_code if error else 200,
    )
