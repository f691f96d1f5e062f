"""Who may see a contract and who may act on it: its buyer company (and the group admins above it),
its vendor company, and operators see it; anyone else gets 404, never a hint it exists. Only users
of the two companies themselves act on it, each side with its own roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.accounts.roles import AWARDER_ROLES, BUYER_ROLES, SELLER_ROLES, CompanyKind
from app.auth import Principal
from app.contracts.rules import ContractStatus, Side, status_at
from app.contracts.tables import Contract
from app.errors import Forbidden, NotFound


@dataclass(frozen=True, slots=True)
class ContractHead:
    """What access decisions and lifecycle moves need to know about a contract."""

    id: int
    number: str
    buyer_id: int
    vendor_id: int
    currency: str
    valid_from: datetime
    valid_to: datetime
    terminated_at: datetime | None
    rfq_id: int
    version: int

    def status(self, now: datetime) -> ContractStatus:
        return status_at(self.valid_to, self.terminated_at, now)


async def contract_head(contract_id: int) -> ContractHead | None:
    row = await Contract.select(
        Contract.id, Contract.number, Contract.buyer, Contract.vendor, Contract.currency, Contract.valid_from,
        Contract.valid_to, Contract.terminated_at, Contract.rfq, Contract.version,
    ).where(Contract.id == contract_id).first()
    if row is None:
        return None
    return ContractHead(
        id=row["id"], number=row["number"], buyer_id=row["buyer"], vendor_id=row["vendor"], currency=row["currency"],
        valid_from=row["valid_from"], valid_to=row["valid_to"], terminated_at=row["terminated_at"], rfq_id=row["rfq"],
        version=row["version"],
    )


def can_see(principal: Principal, head: ContractHead) -> bool:
    if principal.is_operator:
        return True
    if principal.company_kind is CompanyKind.BUYER:
        return head.buyer_id in principal.visible_company_ids
    if principal.company_kind is CompanyKind.VENDOR:
        return head.vendor_id in principal.visible_company_ids
    return False


async def contract_for(principal: Principal, contract_id: int) -> ContractHead:
    """The contract if the caller may see it; else 404."""
    head = await contract_head(contract_id)
    if head is None or not can_see(principal, head):
        raise NotFound("No such contract.")
    return head


def side_of(principal: Principal, head: ContractHead) -> Side | None:
    """The party the caller acts for: a user of the buyer or of the vendor company itself."""
    if principal.company_kind is CompanyKind.BUYER and principal.company_id == head.buyer_id:
        return Side.BUYER
    if principal.company_kind is CompanyKind.VENDOR and principal.company_id == head.vendor_id:
        return Side.VENDOR
    return None


def rfq_page(principal: Principal, rfq_id: int, *, as_vendor: bool) -> str | None:
    """The page where the caller reads an RFQ a contract names: the vendor's own view of the RFQ it answered
    (`as_vendor`), the buyer's RFQ page, or none (operators and other vendors have no page for it)."""
    if principal.company_kind is CompanyKind.VENDOR:
        return f"/vendor/rfqs/{rfq_id}" if as_vendor else None
    return f"/rfqs/{rfq_id}" if principal.company_kind is CompanyKind.BUYER else None


def require_buyer_decider(principal: Principal, head: ContractHead) -> None:
    if side_of(principal, head) is not Side.BUYER or not principal.has_any_role(AWARDER_ROLES):
        raise Forbidden("Only a buyer_admin or approver of the contract's buyer company can do this.")


def require_buyer(principal: Principal, head: ContractHead) -> None:
    if side_of(principal, head) is not Side.BUYER or not principal.has_any_role(BUYER_ROLES):
        raise Forbidden("Only a purchaser, buyer_admin or approver of the contract's buyer company can do this.")


def require_seller(principal: Principal, head: ContractHead) -> None:
    if side_of(principal, head) is not Side.VENDOR or not principal.has_any_role(SELLER_ROLES):
        raise Forbidden("Only a vendor_admin or vendor_sales user of the contract's vendor can do this.")


def require_party(principal: Principal, head: ContractHead, side: Side) -> None:
    """The caller must speak for `side` with the roles that bind it."""
    if side is Side.BUYER:
        require_buyer_decider(principal, head)
    else:
        require_seller(principal, head)


@dataclass(frozen=True, slots=True)
class Abilities:
    """What the caller may do on a contract right now: pages show only these buttons."""

    terminate: bool = False
    renew: bool = False
    link: bool = False
    propose: bool = False
    decide: bool = False  # accept or reject the open proposal
    withdraw: bool = False  # take back one's own open proposal


def _may(check: object, principal: Principal, head: ContractHead) -> bool:
    try:
        check(principal, head)  # type: ignore[operator]
    except Forbidden:
        return False
    return True


def abilities(principal: Principal, head: ContractHead, now: datetime, proposal_side: Side | None) -> Abilities:
    side = side_of(principal, head)
    if side is None:
        return Abilities()
    running = head.status(now) is ContractStatus.ACTIVE
    party = _may(require_buyer_decider if side is Side.BUYER else require_seller, principal, head)
    return Abilities(
        terminate=running and _may(require_buyer_decider, principal, head),
        renew=_may(require_buyer, principal, head),
        link=running and _may(require_seller, principal, head),
        propose=running and party and proposal_side is None,
        decide=running and party and proposal_side is not None and proposal_side is not side,
        withdraw=party and proposal_side is side,
    )
