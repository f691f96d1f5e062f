"""Orders waiting for approval (issue #14): approve, reject, withdraw or take back to edit, what waits for me, and
the sweep that reminds approvers after two days and expires requests after N days (default 14).

Each decision runs in one transaction that locks the approval request first (app/spending/approvals.py), then reads
the group's purchase orders: two approvers giving the last approval at once place the order once; an approval
racing a withdrawal finds the request over. The last approval places every vendor order of the checkout (→ placed)
and only then are the vendors told, exactly as at an unapproved checkout; before it, the orders on account pass the
credit check once more in the same transaction, the credit row locked (app/billing/credit.py `on_approval`): an
approval that would take the exposure past the limit, or that comes while an invoice is long overdue, is refused
(409) and the order keeps waiting. A rejection, withdrawal or expiry cancels them, giving back their stock and
contract quantity.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app import db
from app.accounts.roles import BUYER_ROLES, CompanyKind
from app.auth import Principal
from app.billing import credit
from app.clock import utcnow
from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.money import from_minor, to_minor
from app.orders import mail
from app.orders.access import HEAD_COLUMNS, NO_SUCH_ORDER, OrderHead, head_of, may_see
from app.orders.approval_schemas import ApprovalDecisionIn, ApprovalOut, ApprovalStepOut
from app.orders.fulfilment import move_order
from app.orders.order_schemas import OrderOut, ReorderOut
from app.orders.reorder import reorder
from app.orders.states import Actor, OrderStatus, TransitionError, check_transition
from app.orders.tables import OrderGroup, PurchaseOrder
from app.orders.views import order_detail
from app.settings import get_settings
from app.spending import approvals as requests
from app.spending.approvals import EXPIRED, PENDING, WITHDRAWN, Request
from app.spending.tables import ApprovalRequest

_GROUP_ORDERS = f"SELECT {HEAD_COLUMNS}, po.net AS net, po.line_count AS line_count FROM purchase_order po"  # noqa: S608


async def approve(principal: Principal, order_id: int, data: ApprovalDecisionIn) -> OrderOut:
    """Give one approval the order waits for; the last one places it with its vendors."""
    return await _decide(principal, order_id, data.comment.strip(), approved=True)


async def reject(principal: Principal, order_id: int, data: ApprovalDecisionIn) -> OrderOut:
    """Refuse an approval the order waits for, with a comment: its vendor orders are cancelled."""
    return await _decide(principal, order_id, data.comment.strip(), approved=False)


async def withdraw(principal: Principal, order_id: int, data: ApprovalDecisionIn) -> OrderOut:
    """The requester (or whoever placed it) takes back an order still waiting for approval."""
    now = utcnow()
    async with db.transaction():
        _, orders, request = await _load(principal, order_id)
        if principal.user_id not in (request.requester_id, orders[0][0].placed_by):
            raise Forbidden("Only whoever asked for this order may withdraw it.")
        if request.status != PENDING:
            raise Conflict(f"This order's approval is over: it was {request.status}.")
        await requests.end(request, WITHDRAWN, now, actor_id=principal.user_id)
        await _cancel(orders, Actor.BUYER, principal.user_id, "withdrawn", data.comment.strip(), now)
    return await order_detail(order_id)


async def edit(principal: Principal, order_id: int, data: ApprovalDecisionIn) -> ReorderOut:
    """Take back an order still waiting for approval to change it: it is withdrawn (its stock and contract quantity
    come back) and its lines go back into the caller's cart, at today's prices, with what changed; checking out
    again runs the rules again and asks for every approval afresh. One transaction: both or neither."""
    async with db.transaction():
        await withdraw(principal, order_id, ApprovalDecisionIn(comment=data.comment or "withdrawn to be changed"))
        group = await PurchaseOrder.select(PurchaseOrder.group).where(PurchaseOrder.id == order_id).first()
        ids = await PurchaseOrder.select(PurchaseOrder.id).where(PurchaseOrder.group == group["group"]).order_by(
            PurchaseOrder.position)
        done = [await reorder(principal, row["id"]) for row in ids]
    return ReorderOut(added=sum(r.added for r in done), skipped=[c for r in done for c in r.skipped],
                      changed=[c for r in done for c in r.changed])


async def approve_many(principal: Principal, order_ids: list[int], data: ApprovalDecisionIn) -> list[OrderOut]:
    """Give the approval each of the ticked orders waits for from the caller, all or none: each through `approve`,
    with every check of its own (level, own order, approval limit, its state), in one transaction, in id order (two
    approvers' batches lock alike); the first refusal names its order and nothing is approved."""
    done = []
    async with db.transaction():
        for order_id in sorted(set(order_ids)):
            try:
                done.append(await approve(principal, order_id, data))
            except DomainError as exc:
                named = await PurchaseOrder.select(PurchaseOrder.group.number).where(
                    (PurchaseOrder.id == order_id) & (PurchaseOrder.buyer == principal.company_id)).first()
                order = f"Order {named['group.number']}" if named else "One of the ticked orders"
                raise type(exc)(f"{order}: {exc.message} Nothing was approved.") from None
    return done


async def _decide(principal: Principal, order_id: int, comment: str, *, approved: bool) -> OrderOut:
    now = utcnow()
    async with db.transaction():
        group_id, orders, request = await _load(principal, order_id)
        if not approved and not comment:  # asked once the caller may see the order: a stranger hears 404 first
            raise InvalidInput("comment: say why the order is refused; the requester reads it.")
        amounts = _amounts(orders)
        limit = await requests.approval_limit(principal.user_id)
        judged = requests.in_limit_currency(amounts, limit, await requests.limit_rates(limit, amounts, now.date()))
        step = requests.step_for(request, user_id=principal.user_id, roles=frozenset(r.value for r in principal.roles),
                                 placed_by=orders[0][0].placed_by, amounts=judged, limit=limit)
        done = await requests.decide(request, step, user_id=principal.user_id, approved=approved, comment=comment,
                                     now=now)
        requester_mail = _requester_head(orders[0][0], request)
        if not approved:
            await _cancel(orders, Actor.APPROVER, principal.user_id, "approval refused", comment, now)
            await mail.tell(requester_mail, Actor.BUYER, f"Order {_group_number(orders)} refused",
                            f"{principal.name} refused the approval of order {_group_number(orders)}: {comment}")
        elif done:
            # The last approval places the order on account: the credit check again, the credit row locked (#14).
            await credit.on_approval(principal.company_id, group_id, locale=principal.locale,
                                     actor_id=principal.user_id)
            await _place(principal, group_id, orders, comment, now)
            await mail.tell(requester_mail, Actor.BUYER, f"Order {_group_number(orders)} approved",
                            f"Every approval of order {_group_number(orders)} is given: it is placed with the "
                            "vendors.")
        else:
            after = await requests.request_of(group_id)
            if after is not None and after.open_level != request.open_level:
                await requests.tell_approvers(after, orders[0][0].placed_by,
                                              f"Order {_group_number(orders)} waits for your approval",
                                              f"Order {_group_number(orders)} waits for your approval. Open your "
                                              "approvals:")
    return await order_detail(order_id)


async def _load(principal: Principal, order_id: int) -> tuple[int, list[tuple[OrderHead, Decimal, int]], Request]:
    """The purchase order's group, its vendor orders (locked) and its approval request (locked first), or the 404
    a missing order gets when the caller may neither see it nor give one of its approvals."""
    if principal.company_kind is not CompanyKind.BUYER or not principal.has_any_role(BUYER_ROLES):
        raise NotFound(NO_SUCH_ORDER)
    found = await PurchaseOrder.select(PurchaseOrder.group).where(
        (PurchaseOrder.id == order_id) & (PurchaseOrder.buyer == principal.company_id)).first()
    if found is None:
        raise NotFound(NO_SUCH_ORDER)
    group_id = found["group"]
    request = await requests.request_of(group_id, lock=True)
    lock = "" if db.is_sqlite() else " FOR UPDATE OF po"
    rows = await PurchaseOrder.raw(_GROUP_ORDERS + ' WHERE po."group" = {} ORDER BY po.position' + lock, group_id)
    orders = [(head_of(row), from_minor(row["net"]), row["line_count"]) for row in rows]
    head = next(head for head, _, _ in orders if head.id == order_id)
    named = request is not None and any(principal.user_id in step.approval.approver_user_ids for step in request.steps)
    if not (may_see(principal, head) or named):
        raise NotFound(NO_SUCH_ORDER)
    if request is None:
        raise Conflict(f"Order {head.number} needs no approval.")
    return group_id, orders, request  # type: ignore[return-value]


def _amounts(orders: list[tuple[OrderHead, Decimal, int]]) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = {}
    for head, net, _ in orders:
        amounts[head.currency] = amounts.get(head.currency, Decimal(0)) + net
    return amounts


def _group_number(orders: list[tuple[OrderHead, Decimal, int]]) -> str:
    return orders[0][0].number.rsplit("-", 1)[0]


def _requester_head(head: OrderHead, request: Request) -> OrderHead:
    """The head the buyer-side e-mail goes to: the requester (the buyer the order is for) and its admins."""
    return OrderHead(head.id, head.number, head.group_id, head.buyer_id, head.vendor_id, request.requester_id,
                     head.status, head.currency)


def _check(head: OrderHead, target: OrderStatus, actor: Actor) -> None:
    try:
        check_transition(head.status, target, actor)
    except TransitionError as exc:
        raise Conflict(str(exc)) from None


async def _place(principal: Principal, group_id: int, orders: list[tuple[OrderHead, Decimal, int]], comment: str,
                 now: datetime) -> None:
    group = await OrderGroup.select(OrderGroup.po_number).where(OrderGroup.id == group_id).first()
    for head, net, line_count in orders:
        _check(head, OrderStatus.PLACED, Actor.APPROVER)
        await move_order(head, OrderStatus.PLACED, Actor.APPROVER, principal.user_id, "approved", comment, now,
                         {PurchaseOrder.placed_at: now})
        await mail.tell_new_order(head.id, head.number, head.vendor_id, principal.company_name,
                                  group["po_number"] if group else "", line_count, net, head.currency)


async def _cancel(orders: list[tuple[OrderHead, Decimal, int]], actor: Actor, user_id: int | None, kind: str,
                  note: str, now: datetime) -> None:
    for head, _, _ in orders:
        if head.status is not OrderStatus.PENDING_APPROVAL:
            continue  # cancelled meanwhile through another door: nothing more to give back
        _check(head, OrderStatus.CANCELLED, actor)
        await move_order(head, OrderStatus.CANCELLED, actor, user_id, kind, note, now,
                         {PurchaseOrder.cancellation_reason: f"{kind}: {note}" if note else kind})


# --- what waits for me ---------------------------------------------------------------------------------

_WAITING = """
SELECT ar."group" AS group_id, g.number AS number, g.po_number AS po_number, g.placed_by AS placed_by,
       ar.requester AS requester, ar.submitted_at AS submitted_at, ar.expires_at AS expires_at,
       MIN(po.id) AS order_id
FROM approval_request ar JOIN order_group g ON g.id = ar."group" JOIN purchase_order po ON po."group" = g.id
WHERE ar.company = {} AND po.status = 'pending_approval' AND <waiting>
GROUP BY ar."group", g.number, g.po_number, g.placed_by, ar.requester, ar.submitted_at, ar.expires_at
ORDER BY ar.submitted_at, ar."group"
"""
_TOTALS = ('SELECT po."group" AS group_id, po.currency AS currency, SUM(po.net) AS net FROM purchase_order po '
           'WHERE {} GROUP BY po."group", po.currency')
# "Waiting for me" in SQL, over `approval_request ar JOIN order_group g`: the same answer as `step_for` (the test
# tests/integration/spending/test_waiting_sql.py checks both on random data). A pending request with an order still
# pending approval, not the caller's own (requester or placer), with a pending step of its open level (the lowest
# level with a pending step) that names the caller or one of its roles.
_OPEN_STEP = """EXISTS (SELECT 1 FROM approval_step s WHERE s.request = ar.id AND s.status = 'pending'
  AND s.level = (SELECT MIN(o.level) FROM approval_step o WHERE o.request = ar.id AND o.status = 'pending')
  AND ({names}))"""
_NAMED_SQLITE = "EXISTS (SELECT 1 FROM json_each(s.approver_user_ids) j WHERE j.value = {})"
_NAMED_PG = "EXISTS (SELECT 1 FROM json_array_elements_text(s.approver_user_ids) AS j(value) WHERE j.value = {})"
_WAITING_SQL = ("ar.status = 'pending' AND EXISTS (SELECT 1 FROM purchase_order wpo WHERE wpo.\"group\" = ar.\"group\" "
                "AND wpo.status = 'pending_approval') AND (ar.requester IS NULL OR ar.requester <> {}) "
                "AND (g.placed_by IS NULL OR g.placed_by <> {}) AND ")
# An approver's own approval limit, when it has one: a request all in the limit's currency is compared in SQL; one
# with amounts in other currencies (rare) is converted by `in_limit_currency` and judged here, in Python.
_FOREIGN = ('EXISTS (SELECT 1 FROM purchase_order f WHERE f."group" = ar."group" AND f.currency <> {} '
            "AND f.net <> 0)")
_IN_LIMIT = ('(SELECT COALESCE(SUM(p.net), 0) FROM purchase_order p WHERE p."group" = ar."group" '
             "AND p.currency = {}) <= {}")
_FOREIGN_TOTALS = ('SELECT po."group" AS group_id, po.currency AS currency, SUM(po.net) AS net '
                   'FROM purchase_order po JOIN approval_request ar ON ar."group" = po."group" '
                   "WHERE ar.company = {} AND ar.status = 'pending' AND " + _FOREIGN
                   + ' GROUP BY po."group", po.currency')


async def waiting_condition(principal: Principal) -> tuple[str, list[object]]:
    """Whether the caller may give one of a request's approvals now, as a raw-SQL condition over `approval_request ar`
    joined with `order_group g`, with its arguments in placeholder order (at most one query to build it)."""
    if principal.company_kind is not CompanyKind.BUYER:
        return "1 = 0", []
    user = principal.user_id
    roles = sorted(r.value for r in principal.roles)
    names = [(_NAMED_SQLITE if db.is_sqlite() else _NAMED_PG), *(["s.approver_role IN ("
                                                                  + ", ".join("{}" for _ in roles) + ")"]
                                                                if roles else [])]
    sql = _WAITING_SQL + _OPEN_STEP.format(names=" OR ".join(names))
    values: list[object] = [user, user, user if db.is_sqlite() else str(user), *roles]
    limit = await requests.approval_limit(user)
    if limit is None:
        return sql, values
    currency, amount = limit
    judged = await _foreign_in_limit(principal.company_id, limit)
    ids_sql, ids_arg = db.in_ids('ar."group"', judged)
    sql += f" AND ((NOT {_FOREIGN} AND {_IN_LIMIT}) OR {ids_sql})"
    return sql, [*values, currency, currency, to_minor(amount), ids_arg]


async def _foreign_in_limit(company_id: int, limit: tuple[str, Decimal]) -> list[int]:
    """The company's pending requests with amounts in other currencies than the approver's limit that are within it
    once converted (`in_limit_currency`, rates of today; none when a rate is missing)."""
    totals: dict[int, dict[str, Decimal]] = {}
    for row in await ApprovalRequest.raw(_FOREIGN_TOTALS, company_id, limit[0]):
        totals.setdefault(row["group_id"], {})[row["currency"]] = from_minor(int(row["net"]))  # type: ignore[assignment]
    if not totals:
        return []
    rates = await requests.limit_rates(limit, {c for amounts in totals.values() for c in amounts}, utcnow().date())
    within = []
    for group_id, amounts in sorted(totals.items()):
        try:
            judged = requests.in_limit_currency(amounts, limit, rates)
        except Conflict:
            continue
        if judged.get(limit[0], Decimal(0)) <= limit[1]:
            within.append(group_id)
    return within


async def waiting_for(principal: Principal) -> list[ApprovalOut]:
    """The orders of the caller's company with an approval the caller may give now (in five queries at most)."""
    if principal.company_kind is not CompanyKind.BUYER:
        return []
    condition, values = await waiting_condition(principal)
    rows = await ApprovalRequest.raw(_WAITING.replace("<waiting>", condition), principal.company_id, *values)
    if not rows:
        return []
    group_ids = [row["group_id"] for row in rows]
    found = await requests.requests_of(group_ids)
    ids_sql, ids_arg = db.in_ids('po."group"', group_ids)
    totals: dict[int, dict[str, Decimal]] = {}
    for total in await PurchaseOrder.raw(_TOTALS.format(ids_sql), ids_arg):
        totals.setdefault(total["group_id"], {})[total["currency"]] = from_minor(int(total["net"]))  # type: ignore[assignment]
    return [approval_out(row, found[row["group_id"]], totals.get(row["group_id"], {})) for row in rows]


def approval_out(row: dict, request: Request, totals: dict[str, Decimal]) -> ApprovalOut:  # type: ignore[type-arg]
    return ApprovalOut(
        order_id=row["order_id"], group_number=row["number"], po_number=row["po_number"],
        requester_id=request.requester_id, submitted_at=request.submitted_at, expires_at=request.expires_at,
        net={currency: str(amount) for currency, amount in sorted(totals.items())},
        steps=[ApprovalStepOut(position=s.position, level=s.level, reason=s.reason, status=s.status,
                               approver_role=s.approval.approver_role,
                               approver_user_ids=sorted(s.approval.approver_user_ids), decided_by=s.decided_by,
                               comment=s.comment) for s in request.steps],
    )


# --- the sweep --------------------------------------------------------------------------------------


async def sweep(now: datetime | None = None) -> tuple[int, int]:
    """Remind the approvers of requests pending for `approval_reminder_days` (once), and expire the requests past
    their expiry (their orders are cancelled). Idempotent: derived from the database. Returns (reminded, expired)."""
    now = now or utcnow()
    settings = get_settings()
    expired = 0
    due = await ApprovalRequest.select(ApprovalRequest.group).where(
        (ApprovalRequest.status == PENDING) & (ApprovalRequest.expires_at <= now))
    for row in due:
        async with db.transaction():
            request = await requests.request_of(row["group"], lock=True)
            if request is None or request.status != PENDING or request.expires_at > now:
                continue
            rows = await PurchaseOrder.raw(_GROUP_ORDERS + ' WHERE po."group" = {} ORDER BY po.position'
                                           + ("" if db.is_sqlite() else " FOR UPDATE OF po"), row["group"])
            orders = [(head_of(r), from_minor(r["net"]), r["line_count"]) for r in rows]
            await requests.end(request, EXPIRED, now)
            await _cancel(orders, Actor.SYSTEM, None, "approval expired", "", now)
            await mail.tell(_requester_head(orders[0][0], request), Actor.BUYER,
                            f"Order {_group_number(orders)} expired",
                            f"Order {_group_number(orders)} was not approved within "
                            f"{settings.approval_expiry_days} days: it is cancelled. Order again if you still need it.")
            expired += 1
    reminded = 0
    stale = await ApprovalRequest.select(ApprovalRequest.group, ApprovalRequest.id).where(
        (ApprovalRequest.status == PENDING) & ApprovalRequest.reminded_at.is_null()
        & (ApprovalRequest.submitted_at <= now - timedelta(days=settings.approval_reminder_days)))
    for row in stale:
        async with db.transaction():
            taken = await ApprovalRequest.update({ApprovalRequest.reminded_at: now}).where(
                (ApprovalRequest.id == row["id"]) & ApprovalRequest.reminded_at.is_null()
                & (ApprovalRequest.status == PENDING)).returning(ApprovalRequest.id)
            request = await requests.request_of(row["group"])
            if not taken or request is None:
                continue
            group = await OrderGroup.select(OrderGroup.number, OrderGroup.placed_by).where(
                OrderGroup.id == row["group"]).first()
            await requests.tell_approvers(request, group["placed_by"] if group else None,
                                          f"Reminder: order {group['number'] if group else ''} waits for your approval",
                                          f"Order {group['number'] if group else ''} has waited for your approval "
                                          f"since {request.submitted_at:%Y-%m-%d}. Open your approvals:")
            reminded += 1
    return reminded, expired

