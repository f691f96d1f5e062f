"""The buyer's scenarios page as rendered, after a GET or again after its form (with the error and what was typed)."""

from __future__ import annotations

from litestar.response import Template

from app.accounts.roles import AWARDER_ROLES, BUYER_ROLES
from app.auth import Principal
from app.errors import DomainError, FieldErrors, NotFound
from app.offers import services as offers
from app.offers.pages import Section
from app.sourcing import scenarios, scores
from app.sourcing.model import PRESET_LABELS
from app.sourcing.scoring import CRITERION_LABELS


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


async def scores_section(principal: Principal, rfq_id: int) -> Section | None:
    """The comparison page's weighted scores (after the close, for whoever may see the scenarios): the ranking under
    the RFQ's weights, each offer's normalized scores and the rates used, and the weights form for its awarders."""
    try:
        found = await scores.scores(principal, rfq_id)
        head = await scenarios.scenario_rfq(principal, rfq_id)
    except NotFound:
        return None
    can_set = principal.company_id == head.buyer_id and principal.has_any_role(AWARDER_ROLES)
    return Section("sourcing/_scores.html", {"scores": found, "can_set": can_set, "labels": CRITERION_LABELS})
