"""What a contract tells its two sides, and the link to it."""

from __future__ import annotations

from app.accounts.recipients import addresses_of
from app.accounts.roles import AWARDER_ROLES, SELLER_ROLES
from app.contracts.access import ContractHead
from app.contracts.rules import Side
from app.notifications.services import Words, queue_email

# --- notifications ------------------------------------------------------------------------------


def contract_path(contract_id: int) -> str:
    """A contract's page, the same for both sides: where lines are linked and amendments decided."""
    return f"/contracts/{contract_id}"


async def tell(head: ContractHead, side: Side, subject: Words, body: Words) -> None:
    """The side's users who act on contracts: the buyer's admins and approvers, the vendor's sellers. The e-mail
    ends with the link to the contract's page, so `body` ends with the sentence that introduces it."""
    company = head.buyer_id if side is Side.BUYER else head.vendor_id
    roles = AWARDER_ROLES if side is Side.BUYER else SELLER_ROLES
    for address in (await addresses_of([company], roles)).get(company, []):
        await queue_email(to=address, subject=subject, body=body, link=contract_path(head.id))
