"""An order's approval request: its steps read and decided, its approvers found and told, its end written.

The use cases that move the orders themselves (approve, reject, withdraw, expire) live in app/orders/approvals.py,
which calls this module inside its transaction. The request row is locked first (PostgreSQL `FOR UPDATE`; SQLite's
immediate transaction holds the write lock), so two approvers giving the last approval at once, or an approval
racing a withdrawal, run one after the other: the second sees the first's outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app import db
from app.accounts.tables import MemberRole
from app.clock import as_utc
from app.errors import Conflict, Forbidden
from app.exchange_rates.conversion import Rate, convert
from app.exchange_rates.services import rates_for
from app.money import from_minor
from app.notifications.services import queue_email
from app.spending import audit
from app.spending.rules import Approval, may_approve
from app.spending.tables import ApprovalRequest, ApprovalStep, UserLimit

PENDING, APPROVED, REJECTED, WITHDRAWN, EXPIRED = "pending", "approved", "rejected", "withdrawn", "expired"


@dataclass(frozen=True, slots=True)
class Step:
    id: int
    position: int
    level: int
    reason: str
    approval: Approval
    status: str
    decided_by: int | None
    decided_at: datetime | None
    comment: str


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    group_id: int
    company_id: int
    requester_id: int | None
    status: str
    submitted_at: datetime
    expires_at: datetime
    steps: tuple[Step, ...]

    @property
    def open_level(self) -> int | None:
        """The lowest level with a pending step: its steps are the ones that may be given now."""
        levels = [step.level for step in self.steps if step.status == PENDING]
        return min(levels) if levels else None


_REQUEST = ("SELECT id, \"group\" AS group_id, company, requester, status, submitted_at, expires_at "
            "FROM approval_request WHERE \"group\" = {}")


async def request_of(group_id: int, *, lock: bool = False) -> Request | None:
    """The group's approval request with its steps; `lock` takes the request's row lock (PostgreSQL)."""
    rows = await ApprovalRequest.raw(_REQUEST + (" FOR UPDATE" if lock and not db.is_sqlite() else ""), group_id)
    if not rows:
        return None
    steps = await steps_of([rows[0]["id"]])
    return _request(rows[0], steps.get(rows[0]["id"], ()))


async def requests_of(group_ids: Sequence[int]) -> dict[int, Request]:
    """Several groups' requests with their steps, in two queries."""
    if not group_ids:
        return {}
    rows = await ApprovalRequest.select(
        ApprovalRequest.id, ApprovalRequest.group.as_alias("group_id"), ApprovalRequest.company,
        ApprovalRequest.requester, ApprovalRequest.status, ApprovalRequest.submitted_at, ApprovalRequest.expires_at,
    ).where(ApprovalRequest.group.is_in(list(group_ids)))
    steps = await steps_of([row["id"] for row in rows])
    return {row["group_id"]: _request(row, steps.get(row["id"], ())) for row in rows}


async def steps_of(request_ids: Sequence[int]) -> dict[int, tuple[Step, ...]]:
    if not request_ids:
        return {}
    rows = await ApprovalStep.select().where(ApprovalStep.request.is_in(list(request_ids))).order_by(
        ApprovalStep.position).output(load_json=True)
    found: dict[int, list[Step]] = {}
    for row in rows:
        approval = Approval(row["level"], row["reason"], row["rule"], frozenset(row["approver_user_ids"] or ()),
                            row["approver_role"])
        found.setdefault(row["request"], []).append(Step(
            row["id"], row["position"], row["level"], row["reason"], approval, row["status"], row["decided_by"],
            row["decided_at"], row["comment"]))
    return {key: tuple(value) for key, value in found.items()}


def _request(row: Mapping[str, object], steps: Sequence[Step]) -> Request:
    return Request(id=row["id"], group_id=row["group_id"], company_id=row["company"],  # type: ignore[arg-type]
                   requester_id=row["requester"], status=row["status"],  # type: ignore[arg-type]
                   submitted_at=_moment(row["submitted_at"]), expires_at=_moment(row["expires_at"]),
                   steps=tuple(steps))


def _moment(value: object) -> datetime:
    # SQLite hands a raw query's timestamp back as text.
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)  # type: ignore[arg-type]


async def limit_rates(limit: tuple[str, Decimal] | None, currencies: Iterable[str], day: date) -> dict[str, Rate]:
    """The rates into an approver's limit currency of the orders' other currencies, in force on `day` (one query,
    none when nothing is in another currency)."""
    if limit is None:
        return {}
    others = {currency for currency in currencies if currency != limit[0]}
    return await rates_for(limit[0], others, day) if others else {}


def in_limit_currency(amounts: Mapping[str, Decimal], limit: tuple[str, Decimal] | None,
                      rates: Mapping[str, Rate]) -> Mapping[str, Decimal]:
    """The order's amounts with its whole total converted into the approver's limit currency (which the limit reads),
    or the 409 that says a rate is missing: an order in USD is never above an EUR limit by not being compared."""
    if limit is None:
        return amounts
    currency = limit[0]
    others = sorted(c for c, amount in amounts.items() if amount and c != currency)
    if not others:
        return amounts
    if missing := [c for c in others if c not in rates]:
        raise Conflict(f"This order is in {', '.join(missing)} and your approval limit is in {currency}: there is no "
                       f"{missing[0]} to {currency} exchange rate to compare them. Ask the marketplace's operators to "
                       "add one (Exchange rates).")
    total = amounts.get(currency, Decimal(0)) + sum((convert(amounts[c], rates[c].rate) for c in others), Decimal(0))
    return {**amounts, currency: total}


async def approval_limit(user_id: int) -> tuple[str, Decimal] | None:
    row = await UserLimit.select(UserLimit.currency, UserLimit.approval_limit).where(UserLimit.user == user_id).first()
    if row is None or row["approval_limit"] is None:
        return None
    return row["currency"], from_minor(row["approval_limit"])  # type: ignore[return-value]


def step_for(request: Request, *, user_id: int, roles: frozenset[str], placed_by: int | None,
             amounts: Mapping[str, Decimal], limit: tuple[str, Decimal] | None) -> Step:
    """The step of the open level this user may give, or the 403/409 that says why not."""
    if request.status != PENDING:
        raise Conflict(f"This order's approval is over: it was {request.status}.")
    if user_id in (request.requester_id, placed_by):
        raise Forbidden("Nobody approves their own order.")
    level = request.open_level
    why = "This approval is not yours to give."
    for step in request.steps:
        if step.status != PENDING or step.level != level:
            continue
        reason = may_approve(approver_id=user_id, approver_roles=roles, requester_id=request.requester_id,
                             step=step.approval, amounts=amounts, approval_limit=limit)
        if reason is None:
            return step
        why = reason
    raise Forbidden(why)


async def decide(request: Request, step: Step, *, user_id: int, approved: bool, comment: str,
                 now: datetime) -> bool:
    """Write the decision on the step (and the audit); True when the request is now fully approved."""
    status = APPROVED if approved else REJECTED
    updated = await ApprovalStep.update({ApprovalStep.status: status, ApprovalStep.decided_by: user_id,
                                         ApprovalStep.decided_at: now, ApprovalStep.comment: comment}).where(
        (ApprovalStep.id == step.id) & (ApprovalStep.status == PENDING)).returning(ApprovalStep.id)
    if not updated:  # cannot happen under the request's lock; never decide a step twice all the same
        raise Conflict("This approval was given or refused meanwhile: reload the order.")
    await audit.record(company_id=request.company_id, actor_id=user_id, kind=f"approval.{status}",
                       subject="approval_request", subject_id=request.id,
                       before={"step": step.position, "status": PENDING},
                       after={"step": step.position, "status": status, "comment": comment}, at=now)
    done = approved and all(s.status == APPROVED or s.id == step.id for s in request.steps)
    if not approved or done:
        await end(request, APPROVED if approved else REJECTED, now)
    return done


async def end(request: Request, status: str, now: datetime, *, actor_id: int | None = None) -> None:
    """The request is over: approved, rejected, withdrawn or expired (only from pending)."""
    await ApprovalRequest.update({ApprovalRequest.status: status, ApprovalRequest.decided_at: now}).where(
        (ApprovalRequest.id == request.id) & (ApprovalRequest.status == PENDING))
    if status in (WITHDRAWN, EXPIRED):
        await audit.record(company_id=request.company_id, actor_id=actor_id, kind=f"approval.{status}",
                           subject="approval_request", subject_id=request.id, before={"status": PENDING},
                           after={"status": status}, at=now)


async def approver_addresses(request: Request, placed_by: int | None) -> list[str]:
    """The e-mail addresses of whoever may give an approval of the open level (never the requester or placer)."""
    level = request.open_level
    steps = [step for step in request.steps if step.status == PENDING and step.level == level]
    user_ids = {uid for step in steps for uid in step.approval.approver_user_ids}
    roles = {step.approval.approver_role for step in steps if step.approval.approver_role}
    rows = await MemberRole.select(MemberRole.membership.user, MemberRole.membership.user.email,
                                   MemberRole.role).where(
        (MemberRole.membership.company == request.company_id) & MemberRole.membership.user.active.eq(True))
    found = []
    for row in rows:
        uid = row["membership.user"]
        if uid in (request.requester_id, placed_by):
            continue
        if (uid in user_ids or row["role"] in roles) and row["membership.user.email"] not in found:
            found.append(row["membership.user.email"])
    return found


async def tell_approvers(request: Request, placed_by: int | None, subject: str, body: str) -> None:
    for address in await approver_addresses(request, placed_by):
        await queue_email(to=address, subject=subject, body=body, link="/approvals")

