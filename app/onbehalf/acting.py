"""Acting for a buyer user: who may, as whom the cart and checkout then run, and the audit log of what was done.

An operator may act for any buyer user; a vendor's `vendor_sales` user only for the users of the buyer companies that
assigned it (`SalesAssignment`). Anyone else, and a buyer user the caller may not act for, gets the 404 of a user that
does not exist. Acting, the caller gets the buyer user's own principal (its company, segment, contracts, roles) with
`acted_by` set: prices, rules, budgets and credit apply exactly as if the buyer had ordered. A vendor's sales user
sees and orders only its own company's listings in that cart: it must not read or place a competitor's prices (a
buyer's contract prices with another vendor are that vendor's and the buyer's business), and it answers for its own
company's orders only.

Every action is written to `OnBehalfAction` inside the action's own transaction (`record`): no action without its
entry, no entry without its action. The table's triggers refuse any change or removal.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from app.accounts.roles import CompanyKind, Role
from app.auth import ActingUser, Principal, load_principal
from app.clock import utcnow
from app.errors import NotFound
from app.onbehalf.tables import OnBehalfAction, SalesAssignment

NO_USER = "No such user."


def may_act(principal: Principal) -> bool:
    """Operators, and a vendor's sales users: the only callers that ever act for a buyer."""
    return principal.is_operator or (principal.company_kind is CompanyKind.VENDOR
                                     and Role.VENDOR_SALES in principal.roles)


async def acting_for(actor: Principal, buyer_user_id: int) -> Principal:
    """The buyer user's principal with `acted_by` = `actor`, or the 404 of a missing user."""
    if not may_act(actor) or actor.acted_by is not None:
        raise NotFound(NO_USER)
    buyer = await load_principal(buyer_user_id)
    if buyer is None or buyer.company_kind is not CompanyKind.BUYER or buyer.user_id == actor.user_id:
        raise NotFound(NO_USER)
    if not actor.is_operator and not await SalesAssignment.exists().where(
        (SalesAssignment.company == buyer.company_id) & (SalesAssignment.user == actor.user_id)
    ):
        raise NotFound(NO_USER)
    return replace(buyer, acted_by=ActingUser(
        user_id=actor.user_id, name=actor.name, email=actor.email, company_name=actor.company_name,
        vendor_id=None if actor.is_operator else actor.company_id,
    ))


def actor_text(name: str, email: str, company: str) -> str:
    return f"{name} <{email}>, {company}"[:400]


async def record(acting: Principal, action: str, subject: str, details: dict[str, Any]) -> None:
    """Log what `acting.acted_by` did for the buyer user `acting`; call it inside the action's transaction."""
    actor = acting.acted_by
    assert actor is not None, "only an acted-for principal is recorded"
    await OnBehalfAction.insert(OnBehalfAction(
        at=utcnow(), action=action, actor_id=actor.user_id,
        actor=actor_text(actor.name, actor.email, actor.company_name),
        company_id=acting.company_id, company=acting.company_name[:200], buyer_user_id=acting.user_id,
        buyer_user=actor_text(acting.name, acting.email, acting.company_name), subject=subject[:200],
        details=json.dumps(details, default=str, sort_keys=True),
    ))


async def record_for_company(actor: Principal, company_id: int, company: str, action: str, subject: str,
                             details: dict[str, Any]) -> None:
    """Log a change to who may act for a company (an assignment), made by its admin or an operator."""
    await OnBehalfAction.insert(OnBehalfAction(
        at=utcnow(), action=action, actor_id=actor.user_id,
        actor=actor_text(actor.name, actor.email, actor.company_name), company_id=company_id,
        company=company[:200], subject=subject[:200], details=json.dumps(details, default=str, sort_keys=True),
    ))
